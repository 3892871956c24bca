/* The Parquet writer's values (parquet_int.h): the PLAIN encoding, the chunk's min/max statistics
 * and its dictionary of distinct values (open addressing over their PLAIN bytes). */
#include "export/parquet_int.h"

#include "core/grow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffering values ---- */
static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The PLAIN encoding of one value into out. */
int pq_encode_plain(const column *c, const pq_value *v, buf *out)
{
    switch (c->physical) {
    case T_INT32: {
        int32_t x = (int32_t)v->i;
        return buf_append(out, &x, 4);
    }
    case T_INT64: return buf_append(out, &v->i, 8);
    case T_DOUBLE: return buf_append(out, &v->d, 8);
    case T_BYTE_ARRAY: {
        if (v->len > UINT32_MAX) return -1;
        uint32_t n = (uint32_t)v->len;
        if (buf_append(out, &n, 4) != 0) return -1;
        return v->len ? buf_append(out, v->s, v->len) : 0;
    }
    default: {  /* booleans are bit-packed at page time; keep one byte each here */
        unsigned char b = v->i ? 1 : 0;
        return buf_append(out, &b, 1);
    }
    }
}

/* Compares the PLAIN bytes a and b read as two T (inside compare_plain). */
#define COMPARE_AS(T)                    \
    do {                                 \
        T x, y;                          \
        memcpy(&x, a, sizeof x);         \
        memcpy(&y, b, sizeof y);         \
        return (x > y) - (x < y);        \
    } while (0)

/* Parquet's order for statistics: signed for ints and dates, numeric for doubles, unsigned
 * bytewise for strings, false < true for booleans. a and b are PLAIN-encoded. */
static int compare_plain(const column *c, const char *a, size_t alen, const char *b, size_t blen)
{
    switch (c->physical) {
    case T_INT32: COMPARE_AS(int32_t);
    case T_INT64: COMPARE_AS(int64_t);
    case T_DOUBLE: COMPARE_AS(double);
    case T_BYTE_ARRAY: {
        size_t n = (alen < blen ? alen : blen) - 4;   /* both carry a 4-byte length prefix */
        int r = memcmp(a + 4, b + 4, n);
        if (r) return r;
        return (alen > blen) - (alen < blen);
    }
    default: return (a[0] > b[0]) - (a[0] < b[0]);
    }
}
#undef COMPARE_AS

int pq_update_stats(column *c, const char *enc, size_t len)
{
    if (c->physical == T_DOUBLE) {
        double d;
        memcpy(&d, enc, 8);
        if (isnan(d)) return 0;          /* NaN is left out of min/max, as writers do */
    }
    if (!c->has_minmax) {
        c->has_minmax = 1;
        buf_reset(&c->min);
        buf_reset(&c->max);
        return buf_append(&c->min, enc, len) || buf_append(&c->max, enc, len) ? -1 : 0;
    }
    if (compare_plain(c, enc, len, c->min.data, c->min.len) < 0) {
        buf_reset(&c->min);
        if (buf_append(&c->min, enc, len)) return -1;
    }
    if (compare_plain(c, enc, len, c->max.data, c->max.len) > 0) {
        buf_reset(&c->max);
        if (buf_append(&c->max, enc, len)) return -1;
    }
    return 0;
}

void pq_dict_drop(column *c)
{
    c->dict_on = 0;
    free(c->slots);
    c->slots = NULL;
    c->nslots = 0;
}

static int dict_grow(column *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s) return -1;
    for (size_t k = 0; k < c->ndict; k++) {
        size_t end = k + 1 < c->ndict ? c->dict_off[k + 1] : c->dict.len;
        uint64_t h = hash_bytes(c->dict.data + c->dict_off[k], end - c->dict_off[k]);
        size_t j = h & (n - 1);
        while (s[j]) j = (j + 1) & (n - 1);
        s[j] = (uint32_t)k + 1;
    }
    free(c->slots);
    c->slots = s;
    c->nslots = n;
    return 0;
}

/* Looks the PLAIN value up in the chunk's dictionary, adding it when new; its index in *idx.
 * Gives the dictionary up (plain encoding for this chunk) when it grows past DICT_MAX_BYTES. */
int pq_dict_index(column *c, const char *enc, size_t len, uint32_t *idx)
{
    if ((c->ndict + 1) * 2 > c->nslots && dict_grow(c) != 0) return -1;
    uint64_t h = hash_bytes(enc, len);
    size_t j = h & (c->nslots - 1);
    while (c->slots[j]) {
        size_t k = c->slots[j] - 1;
        size_t end = k + 1 < c->ndict ? c->dict_off[k + 1] : c->dict.len;
        if (end - c->dict_off[k] == len && memcmp(c->dict.data + c->dict_off[k], enc, len) == 0) {
            *idx = (uint32_t)k;
            return 0;
        }
        j = (j + 1) & (c->nslots - 1);
    }
    if (c->dict.len + len > DICT_MAX_BYTES) {
        pq_dict_drop(c);
        return 1;
    }
    if (grow_array(&c->dict_off, &c->cap_dict, c->ndict, sizeof *c->dict_off, 1024)) return -1;
    c->dict_off[c->ndict] = c->dict.len;
    if (buf_append(&c->dict, enc, len) != 0) return -1;
    c->slots[j] = (uint32_t)c->ndict + 1;
    *idx = (uint32_t)c->ndict++;
    return 0;
}

