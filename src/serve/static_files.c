/* Static files of the web pages, from serve.web_dir (default: web/ beside the binary, or
 * PREFIX/share/wikigdelt/web when installed). The path is checked segment by segment (no "..",
 * no hidden files, no backslashes) and the resolved file must lie under the directory, so no
 * request reads outside it, symbolic links included. Answers carry the MIME type, a strong ETag
 * (304 on If-None-Match) and, when the client accepts it, a gzip body for text types; the
 * compressed bodies of small files are kept in a small cache keyed by path and ETag. */
#include "serve/serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define STATIC_MAX_BYTES (64 << 20)

static const struct {
    const char *ext;
    const char *type;
    int compress;
} mime_types[] = {
    {"html", "text/html; charset=utf-8", 1},
    {"htm", "text/html; charset=utf-8", 1},
    {"js", "text/javascript; charset=utf-8", 1},
    {"mjs", "text/javascript; charset=utf-8", 1},
    {"css", "text/css; charset=utf-8", 1},
    {"json", "application/json", 1},
    {"map", "application/json", 1},
    {"topojson", "application/json", 1},
    {"geojson", "application/geo+json", 1},
    {"webmanifest", "application/manifest+json", 1},
    {"svg", "image/svg+xml", 1},
    {"txt", "text/plain; charset=utf-8", 1},
    {"csv", "text/csv; charset=utf-8", 1},
    {"xml", "application/xml", 1},
    {"wasm", "application/wasm", 1},
    {"png", "image/png", 0},
    {"jpg", "image/jpeg", 0},
    {"jpeg", "image/jpeg", 0},
    {"gif", "image/gif", 0},
    {"webp", "image/webp", 0},
    {"ico", "image/x-icon", 0},
    {"woff", "font/woff", 0},
    {"woff2", "font/woff2", 0},
    {"ttf", "font/ttf", 1},
};

static const char *mime_of(const char *path, int *compress)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    *compress = 0;
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++) {
            if (!strcasecmp(dot + 1, mime_types[i].ext)) {
                *compress = mime_types[i].compress;
                return mime_types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

/* 1 when every segment of the URL path is a plain name. */
static int path_safe(const char *p)
{
    if (p[0] != '/') return 0;
    if (strchr(p, '\\') || strlen(p) > 1024) return 0;
    for (const char *seg = p + 1; *seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n > 0 && seg[0] == '.') return 0; /* ".", "..", hidden files */
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f) return 0;
        if (!end) break;
        seg = end + 1;
    }
    return 1;
}

/* Does the If-None-Match list name etag (or "*")? */
static int etag_matches(const char *inm, const char *etag)
{
    if (!inm) return 0;
    size_t el = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        if (*p == '*') return 1;
        if (!strncmp(p, "W/", 2)) p += 2;
        if (!strncmp(p, etag, el) && (p[el] == '\0' || p[el] == ',' || p[el] == ' ')) return 1;
        while (*p && *p != ',') p++;
    }
    return 0;
}

static int accepts_gzip(const char *ae)
{
    if (!ae) return 0;
    for (const char *p = ae; (p = strcasestr(p, "gzip")); p += 4) {
        const char *q = p + 4;
        while (*q == ' ') q++;
        if (*q == ';') {
            const char *v = strstr(q, "q=");
            if (v && strtod(v + 2, NULL) <= 0) return 0;
        }
        return 1;
    }
    return 0;
}

static int gzip_bytes(const char *in, size_t n, buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    size_t bound = deflateBound(&zs, (uLong)n);
    buf_reset(out);
    if (buf_reserve(out, bound + 1) != 0) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out->data;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    out->len = zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : -1;
}

/* ---- a small cache of compressed bodies ---- */
#define GZ_CACHE 64
#define GZ_CACHE_MAX_FILE (4 << 20)
static struct {
    char key[1200];
    char *data;
    size_t len;
    unsigned long use;
} gz_cache[GZ_CACHE];
static unsigned long gz_clock;
static pthread_mutex_t gz_mu = PTHREAD_MUTEX_INITIALIZER;

static int gz_lookup(const char *key, buf *out)
{
    int hit = 0;
    pthread_mutex_lock(&gz_mu);
    for (int i = 0; i < GZ_CACHE; i++) {
        if (gz_cache[i].data && !strcmp(gz_cache[i].key, key)) {
            buf_reset(out);
            buf_append(out, gz_cache[i].data, gz_cache[i].len);
            gz_cache[i].use = ++gz_clock;
            hit = 1;
            break;
        }
    }
    pthread_mutex_unlock(&gz_mu);
    return hit;
}

static void gz_store(const char *key, const buf *b)
{
    pthread_mutex_lock(&gz_mu);
    int victim = 0;
    for (int i = 0; i < GZ_CACHE; i++) {
        if (!gz_cache[i].data) {
            victim = i;
            break;
        }
        if (gz_cache[i].use < gz_cache[victim].use) victim = i;
    }
    char *copy = malloc(b->len ? b->len : 1);
    if (copy) {
        free(gz_cache[victim].data);
        memcpy(copy, b->data, b->len);
        gz_cache[victim].data = copy;
        gz_cache[victim].len = b->len;
        snprintf(gz_cache[victim].key, sizeof gz_cache[victim].key, "%s", key);
        gz_cache[victim].use = ++gz_clock;
    }
    pthread_mutex_unlock(&gz_mu);
}

int serve_static(serve_request *req, serve_response *resp, const char *web_dir)
{
    if (!web_dir || !web_dir[0]) {
        serve_error(resp, 404, "not_found", "no web pages are installed (set serve.web_dir); the API is under /api/");
        return 0;
    }
    if (!path_safe(req->path)) {
        serve_error(resp, 404, "not_found", "no such file");
        return 0;
    }
    char *root = realpath(web_dir, NULL);
    if (!root) {
        serve_error(resp, 404, "not_found", "the web directory %s is missing", web_dir);
        return 0;
    }
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s%s", root, req->path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "%sindex.html", path[n - 1] == '/' ? "" : "/");
    }
    char *real = realpath(path, NULL);
    size_t rl = strlen(root);
    if (!real || strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
        free(real);
        free(root);
        serve_error(resp, 404, "not_found", "no such file: %s", req->path);
        return 0;
    }
    free(root);
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_BYTES) {
        if (fd >= 0) close(fd);
        free(real);
        serve_error(resp, 404, "not_found", "no such file: %s", req->path);
        return 0;
    }
    int compress;
    const char *type = mime_of(real, &compress);
    int gz = compress && st.st_size >= 256 && accepts_gzip(serve_header(req, "Accept-Encoding"));
    char etag[128];
    snprintf(etag, sizeof etag, "\"%llx-%llx-%llx%s\"", (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st.st_mtim.tv_nsec,
             gz ? "-gz" : "");
    snprintf(resp->content_type, sizeof resp->content_type, "%s", type);
    serve_set_header(resp, "ETag", etag);
    serve_set_header(resp, "Cache-Control", "no-cache");
    if (compress) serve_set_header(resp, "Vary", "Accept-Encoding");
    if (etag_matches(serve_header(req, "If-None-Match"), etag)) {
        close(fd);
        free(real);
        resp->status = 304;
        buf_reset(&resp->body);
        return 0;
    }
    char key[1200];
    snprintf(key, sizeof key, "%s|%s", etag, real);
    free(real);
    if (gz && gz_lookup(key, &resp->body)) {
        close(fd);
        serve_set_header(resp, "Content-Encoding", "gzip");
        resp->status = 200;
        return 0;
    }
    buf raw = BUF_INIT;
    if (buf_reserve(&raw, (size_t)st.st_size + 1) != 0) {
        close(fd);
        return -1;
    }
    while (raw.len < (size_t)st.st_size) {
        ssize_t n = read(fd, raw.data + raw.len, (size_t)st.st_size - raw.len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        raw.len += (size_t)n;
    }
    close(fd);
    buf_reset(&resp->body);
    if (gz && gzip_bytes(raw.data, raw.len, &resp->body) == 0) {
        serve_set_header(resp, "Content-Encoding", "gzip");
        if (raw.len <= GZ_CACHE_MAX_FILE) gz_store(key, &resp->body);
        buf_free(&raw);
    } else {
        buf_free(&resp->body);
        resp->body = raw;
    }
    resp->status = 200;
    return 0;
}
