/* safetensors reader: mmap + strict validation of the JSON header (jansson). */
#include "embed/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct st_file {
    char *path;
    void *map;
    size_t size;
    st_tensor *tensors;
    size_t count;
};

static const struct {
    const char *name;
    enum st_dtype dtype;
    size_t size;
} dtypes[] = {
    {"F32", ST_F32, 4}, {"F16", ST_F16, 2}, {"BF16", ST_BF16, 2}, {"I64", ST_I64, 8},
    {"I32", ST_I32, 4}, {"I8", ST_I8, 1},   {"U8", ST_U8, 1},
};

const char *st_dtype_name(enum st_dtype d)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (dtypes[i].dtype == d) return dtypes[i].name;
    return "other";
}

static void free_tensors(st_file *f)
{
    for (size_t i = 0; i < f->count; i++) free(f->tensors[i].name);
    free(f->tensors);
    f->tensors = NULL;
    f->count = 0;
}

void st_close(st_file *f)
{
    if (!f) return;
    free_tensors(f);
    if (f->map) munmap(f->map, f->size);
    free(f->path);
    free(f);
}

/* Parses one header entry into t; the data range is relative to the data section. */
static int parse_entry(st_file *f, const char *name, json_t *v, size_t data_off, st_tensor *t,
                       char *err, size_t errlen)
{
    const char *p = f->path;
    if (!json_is_object(v)) {
        snprintf(err, errlen, "%s: header entry '%s' is not an object", p, name);
        return -1;
    }
    json_t *dt = json_object_get(v, "dtype"), *shape = json_object_get(v, "shape"),
           *offs = json_object_get(v, "data_offsets");
    if (!json_is_string(dt) || !json_is_array(shape) || !json_is_array(offs) ||
        json_array_size(offs) != 2) {
        snprintf(err, errlen, "%s: tensor '%s' lacks dtype, shape or data_offsets", p, name);
        return -1;
    }
    size_t esize = 0;
    t->dtype = ST_OTHER;
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (!strcmp(json_string_value(dt), dtypes[i].name)) {
            t->dtype = dtypes[i].dtype;
            esize = dtypes[i].size;
        }
    if (!esize) {
        snprintf(err, errlen, "%s: tensor '%s' has unsupported dtype %s", p, name,
                 json_string_value(dt));
        return -1;
    }
    size_t nd = json_array_size(shape);
    if (nd > ST_MAX_DIMS) {
        snprintf(err, errlen, "%s: tensor '%s' has %zu dimensions (max %d)", p, name, nd,
                 ST_MAX_DIMS);
        return -1;
    }
    t->ndim = (int)nd;
    uint64_t elems = 1;
    for (size_t i = 0; i < nd; i++) {
        json_t *d = json_array_get(shape, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0 ||
            json_integer_value(d) > (json_int_t)1 << 40) {
            snprintf(err, errlen, "%s: tensor '%s' has a bad shape entry %zu", p, name, i);
            return -1;
        }
        t->shape[i] = json_integer_value(d);
        elems *= (uint64_t)t->shape[i];
        if (elems > ((uint64_t)1 << 40)) {
            snprintf(err, errlen, "%s: tensor '%s' is implausibly large", p, name);
            return -1;
        }
    }
    json_t *b = json_array_get(offs, 0), *e = json_array_get(offs, 1);
    if (!json_is_integer(b) || !json_is_integer(e) || json_integer_value(b) < 0 ||
        json_integer_value(e) < json_integer_value(b)) {
        snprintf(err, errlen, "%s: tensor '%s' has bad data_offsets", p, name);
        return -1;
    }
    uint64_t begin = (uint64_t)json_integer_value(b), end = (uint64_t)json_integer_value(e);
    if (end - begin != elems * esize) {
        snprintf(err, errlen,
                 "%s: tensor '%s' spans %llu bytes but its %s shape needs %llu", p, name,
                 (unsigned long long)(end - begin), json_string_value(dt),
                 (unsigned long long)(elems * esize));
        return -1;
    }
    if (end > f->size - data_off) {
        snprintf(err, errlen,
                 "%s: tensor '%s' ends at byte %llu but the file has only %zu data bytes "
                 "(truncated file?)", p, name, (unsigned long long)end, f->size - data_off);
        return -1;
    }
    t->data = (const char *)f->map + data_off + begin;
    t->nbytes = (size_t)(end - begin);
    t->name = strdup(name);
    return t->name ? 0 : -1;
}

int st_open(const char *path, st_file **out, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (sb.st_size < 8) {
        snprintf(err, errlen, "%s: %lld bytes is too short for a safetensors file", path,
                 (long long)sb.st_size);
        close(fd);
        return -1;
    }
    st_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    f->size = (size_t)sb.st_size;
    f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        snprintf(err, errlen, "%s: mmap failed: %s", path, strerror(errno));
        st_close(f);
        return -1;
    }
    const unsigned char *m = f->map;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | m[i];
    if (hlen == 0 || hlen > f->size - 8 || hlen > (100u << 20)) {
        snprintf(err, errlen,
                 "%s: header length %llu does not fit the file size %zu (not a safetensors "
                 "file, or truncated)", path, (unsigned long long)hlen, f->size);
        st_close(f);
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)m + 8, (size_t)hlen, 0, &jerr);
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: header is not a JSON object (%s at byte %d)", path,
                 root ? "wrong type" : jerr.text, root ? 0 : jerr.position);
        json_decref(root);
        st_close(f);
        return -1;
    }
    size_t n = json_object_size(root);
    f->tensors = calloc(n ? n : 1, sizeof *f->tensors);
    if (!f->tensors) {
        json_decref(root);
        st_close(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (!strcmp(key, "__metadata__")) continue;
        if (parse_entry(f, key, val, 8 + (size_t)hlen, &f->tensors[f->count], err, errlen)) {
            json_decref(root);
            st_close(f);
            return -1;
        }
        f->count++;
    }
    json_decref(root);
    *out = f;
    return 0;
}

size_t st_count(const st_file *f) { return f->count; }
const st_tensor *st_at(const st_file *f, size_t i) { return i < f->count ? &f->tensors[i] : NULL; }

const st_tensor *st_find(const st_file *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
    return NULL;
}

const st_tensor *st_expect(const st_file *f, const char *name, enum st_dtype dtype, int ndim,
                           const int64_t *shape, char *err, size_t errlen)
{
    const st_tensor *t = st_find(f, name);
    if (!t) {
        snprintf(err, errlen, "%s: tensor '%s' is missing", f->path, name);
        return NULL;
    }
    if (t->dtype != dtype) {
        snprintf(err, errlen, "%s: tensor '%s' has dtype %s, expected %s", f->path, name,
                 st_dtype_name(t->dtype), st_dtype_name(dtype));
        return NULL;
    }
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (!ok) {
        char got[128] = "", want[128] = "";
        size_t gl = 0, wl = 0;
        for (int i = 0; i < t->ndim && gl < sizeof got - 24; i++)
            gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%lld", i ? "," : "",
                                   (long long)t->shape[i]);
        for (int i = 0; i < ndim && wl < sizeof want - 24; i++)
            wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s%lld", i ? "," : "",
                                   (long long)shape[i]);
        snprintf(err, errlen, "%s: tensor '%s' has shape [%s], expected [%s]", f->path, name,
                 got, want);
        return NULL;
    }
    return t;
}
