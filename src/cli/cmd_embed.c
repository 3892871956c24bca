/* `wikigdelt embed` (vectors or token ids as JSON lines) and `wikigdelt model fetch|info`
 * (install all-MiniLM-L6-v2 from the Hugging Face hub, or from a local directory, verifying every
 * file's sha256 against the official values below). */
#include "cli/commands.h"

#include "core/filehash.h"
#include "embed/embedder.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The official files of sentence-transformers/all-MiniLM-L6-v2 and their sha256 (the weights'
 * value is the one the model's publisher lists; the small files are the published ones). */
static const struct model_file {
    const char *name, *sha256;
    long long size;
} model_files[] = {
    {"config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", 612},
    {"vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3", 231508},
    {"tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037", 466247},
    {"tokenizer_config.json", "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b", 350},
    {"special_tokens_map.json", "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3", 112},
    {"sentence_bert_config.json", "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7", 53},
    {"modules.json", "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf", 349},
    {"config_sentence_transformers.json", "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3", 116},
    {"1_Pooling/config.json", "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23", 190},
    {"model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", 90868376},
};
#define N_MODEL_FILES (sizeof model_files / sizeof model_files[0])
#define DEFAULT_BASE_URL "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main"

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
    char err[1024];
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

static int make_dirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static int download(const char *url, const char *dest, char *err, size_t errlen)
{
    FILE *f = fopen(dest, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
        return -1;
    }
    CURL *c = curl_easy_init();
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1000L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wikigdelt-model-fetch");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (fclose(f) != 0 && rc == CURLE_OK) {
        snprintf(err, errlen, "writing %s failed", dest);
        return -1;
    }
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static int copy_file(const char *src, const char *dest, char *err, size_t errlen)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    FILE *out = fopen(dest, "wb");
    if (!out) {
        fclose(in);
        snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
        return -1;
    }
    char buf[1 << 16];
    size_t k;
    int bad = 0;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, out) != k) bad = 1;
    bad |= ferror(in);
    fclose(in);
    bad |= fclose(out) != 0;
    if (bad) snprintf(err, errlen, "copying %s to %s failed", src, dest);
    return bad ? -1 : 0;
}

/* Sets embed.model_dir in the home's wikigdelt.conf (replacing an earlier line). */
static int remember_model_dir(app *a, const char *dir)
{
    char conf[4300], tmp[4400];
    snprintf(conf, sizeof conf, "%s/wikigdelt.conf", a->home);
    snprintf(tmp, sizeof tmp, "%s.tmp", conf);
    if (make_dirs(a->home)) return -1;
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
        "usage: model fetch [--dir DIR] [--base-url URL] [--from LOCAL_DIR] | model info\n"
        "  fetch: downloads all-MiniLM-L6-v2 (or copies it from LOCAL_DIR), checks every file's "
        "sha256\n  and installs it in DIR (default embed.model_dir or "
        "$HOME/models/all-MiniLM-L6-v2)");
}

static int model_fetch(app *a, int argc, char **argv)
{
    char dir[4096];
    embedder_default_model_dir(a->cfg, dir, sizeof dir);
    const char *base = config_get_str(a->cfg, "embed.fetch_base_url", DEFAULT_BASE_URL);
    const char *from = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) snprintf(dir, sizeof dir, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--base-url") && i + 1 < argc) base = argv[++i];
        else if (!strcmp(argv[i], "--from") && i + 1 < argc) from = argv[++i];
        else return model_usage();
    }
    char staging[4200], err[9000];
    snprintf(staging, sizeof staging, "%s.partial", dir);
    if (make_dirs(staging) || make_dirs(dir)) {
        return app_runtime_error("model fetch: cannot create %s: %s", staging, strerror(errno));
    }
    char sub[4300];
    snprintf(sub, sizeof sub, "%s/1_Pooling", staging);
    make_dirs(sub);
    snprintf(sub, sizeof sub, "%s/1_Pooling", dir);
    make_dirs(sub);
    for (size_t i = 0; i < N_MODEL_FILES; i++) {
        const struct model_file *mf = &model_files[i];
        char dest[4400], hex[65];
        long long size = 0;
        snprintf(dest, sizeof dest, "%s/%s", staging, mf->name);
        int rc;
        if (from) {
            char src[4400];
            snprintf(src, sizeof src, "%s/%s", from, mf->name);
            rc = copy_file(src, dest, err, sizeof err);
        } else {
            char url[4400];
            snprintf(url, sizeof url, "%s/%s", base, mf->name);
            fprintf(stderr, "model fetch: %s\n", url);
            rc = download(url, dest, err, sizeof err);
        }
        if (rc) {
            unlink(dest);
            return app_runtime_error(
                "model fetch: %s. Offline? Put the files of sentence-transformers/all-MiniLM-L6-v2 "
                "(config.json, vocab.txt, model.safetensors, ...) by hand into %s (or any "
                "directory and set embed.model_dir), or run `wikigdelt model fetch --from DIR`",
                err, dir);
        }
        if (file_sha256(dest, hex, &size) || strcmp(hex, mf->sha256)) {
            unlink(dest);
            return app_runtime_error("model fetch: %s has sha256 %s (%lld bytes), not the official "
                                     "%s (%lld bytes): refused", mf->name, hex, size, mf->sha256,
                                     mf->size);
        }
    }
    /* All verified: move into place. */
    for (size_t i = 0; i < N_MODEL_FILES; i++) {
        char src[4400], dest[4400];
        snprintf(src, sizeof src, "%s/%s", staging, model_files[i].name);
        snprintf(dest, sizeof dest, "%s/%s", dir, model_files[i].name);
        if (rename(src, dest))
            return app_runtime_error("model fetch: cannot move %s to %s: %s", src, dest, strerror(errno));
    }
    snprintf(sub, sizeof sub, "%s/1_Pooling", staging);
    rmdir(sub);
    rmdir(staging);
    if (remember_model_dir(a, dir))
        fprintf(stderr, "model fetch: could not record embed.model_dir in %s/wikigdelt.conf\n", a->home);
    printf("installed all-MiniLM-L6-v2 in %s (sha256 verified); embed.model_dir = %s\n", dir, dir);
    return 0;
}

static int model_info(app *a)
{
    char dir[4096], err[1024];
    embedder_default_model_dir(a->cfg, dir, sizeof dir);
    printf("model_dir: %s\n", dir);
    for (size_t i = 0; i < N_MODEL_FILES; i++) {
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
    if (!strcmp(argv[1], "fetch")) return model_fetch(a, argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return model_info(a);
    return model_usage();
}
