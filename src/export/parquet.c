/* The Parquet writer (see parquet.h): buffers one row group per column, then writes each column
 * chunk as an optional dictionary page and data pages, and at the end the footer. */
#include "export/parquet.h"

#include "core/buf.h"
#include "core/err.h"
#include "export/thrift_compact.h"

#include <errno.h>
#include <math.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* Parquet's physical types, encodings and page types (parquet.thrift). */
enum { T_BOOLEAN = 0, T_INT32 = 1, T_INT64 = 2, T_DOUBLE = 5, T_BYTE_ARRAY = 6 };
enum { E_PLAIN = 0, E_PLAIN_DICTIONARY = 2, E_RLE = 3, E_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
enum { CT_UTF8 = 0, CT_DATE = 6, CT_TIMESTAMP_MICROS = 10 };

#define PQ_MAX_LEVEL 255
#define DICT_MAX_BYTES (1 << 20)

void pq_options_default(pq_options *o)
{
    o->codec = PQ_SNAPPY;
    o->row_group_rows = 1 << 20;
    o->row_group_bytes = 128LL << 20;
    o->page_bytes = 1 << 20;
    o->dictionary = 1;
    o->created_by = "wikigdelt";
}

/* ---- one column chunk being buffered ---- */
typedef struct chunk_meta {        /* what the footer needs of a written chunk */
    int64_t num_values, uncompressed, compressed, data_offset, dict_offset;
    int used_dict;
    int has_stats;
    char *min, *max;
    size_t min_len, max_len;
    int64_t null_count;
} chunk_meta;

typedef struct column {
    const char *name;
    char **path;
    int path_len;
    pq_type type;
    int physical;
    int max_def, max_rep;
    /* levels and values of the current row group */
    uint8_t *def, *rep;
    size_t nlevels, cap_levels;
    buf plain;                    /* PLAIN-encoded non-null values */
    size_t *value_end;            /* end offset in plain of each non-null value (for pages) */
    size_t nvalues, cap_values;
    /* dictionary of the chunk: dict holds PLAIN-encoded distinct values */
    int dict_on;
    buf dict;
    size_t *dict_off;             /* start of each distinct value in dict */
    size_t ndict, cap_dict;
    uint32_t *slots;              /* open addressing: index+1, 0 = empty */
    size_t nslots;
    uint32_t *indices;            /* per non-null value */
    /* statistics */
    int has_minmax;
    buf min, max;
    int64_t nulls;
    /* chunks already written, one per row group */
    chunk_meta *done;
    size_t ndone;
} column;

struct pq_writer {
    FILE *f;
    int64_t offset;
    pq_options opt;
    pq_node *nodes;
    size_t nnodes;
    column *cols;
    int ncols;
    int64_t rows_in_group, total_rows;
    int64_t *group_rows;
    size_t ngroups;
    char err[WG_ERR_LEN];
};

static int fail(pq_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pq_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    return -1;
}

const char *pq_error(const pq_writer *w) { return w->err; }
int pq_num_columns(const pq_writer *w) { return w->ncols; }
int pq_max_def(const pq_writer *w, int col) { return w->cols[col].max_def; }

static int physical_of(pq_type t)
{
    switch (t) {
    case PQ_BOOLEAN: return T_BOOLEAN;
    case PQ_INT32: case PQ_DATE: return T_INT32;
    case PQ_INT64: case PQ_TIMESTAMP_MICROS: return T_INT64;
    case PQ_DOUBLE: return T_DOUBLE;
    case PQ_STRING: return T_BYTE_ARRAY;
    }
    return T_BYTE_ARRAY;
}

/* Walks the pre-order schema, creating a column per leaf with its path and max levels. */
static size_t walk(pq_writer *w, size_t i, const char **path, int depth, int def, int rep)
{
    const pq_node *n = &w->nodes[i];
    if (n->repetition != PQ_REQUIRED) def++;
    if (n->repetition == PQ_REPEATED) rep++;
    path[depth] = n->name;
    if (n->num_children == 0) {
        column *c = &w->cols[w->ncols++];
        c->name = n->name;
        c->type = n->type;
        c->physical = physical_of(n->type);
        c->max_def = def;
        c->max_rep = rep;
        c->path_len = depth + 1;
        c->path = calloc((size_t)depth + 1, sizeof *c->path);
        for (int d = 0; d <= depth && c->path; d++) c->path[d] = strdup(path[d]);
        c->dict_on = w->opt.dictionary && c->physical != T_BOOLEAN;
        return i + 1;
    }
    size_t j = i + 1;
    for (int k = 0; k < n->num_children && j < w->nnodes; k++) j = walk(w, j, path, depth + 1, def, rep);
    return j;
}

pq_writer *pq_open(const char *path, const pq_node *nodes, size_t nnodes, const pq_options *opt,
                   char *err, size_t errlen)
{
    pq_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (opt) w->opt = *opt; else pq_options_default(&w->opt);
    if (w->opt.row_group_rows <= 0) w->opt.row_group_rows = 1 << 20;
    if (w->opt.page_bytes <= 0) w->opt.page_bytes = 1 << 20;
    w->nodes = calloc(nnodes, sizeof *w->nodes);
    w->cols = calloc(nnodes, sizeof *w->cols);
    if (!w->nodes || !w->cols) {
        snprintf(err, errlen, "out of memory");
        pq_abort(w);
        return NULL;
    }
    memcpy(w->nodes, nodes, nnodes * sizeof *nodes);
    w->nnodes = nnodes;
    const char *pathbuf[64];
    for (size_t i = 0; i < nnodes;) i = walk(w, i, pathbuf, 0, 0, 0);
    for (int c = 0; c < w->ncols; c++) {
        if (!w->cols[c].path || w->cols[c].max_def > PQ_MAX_LEVEL) {
            snprintf(err, errlen, "bad schema at column %d", c);
            pq_abort(w);
            return NULL;
        }
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        pq_abort(w);
        return NULL;
    }
    if (fwrite("PAR1", 1, 4, w->f) != 4) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        pq_abort(w);
        return NULL;
    }
    w->offset = 4;
    return w;
}

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
static int encode_plain(const column *c, const pq_value *v, buf *out)
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

/* Parquet's order for statistics: signed for ints and dates, numeric for doubles, unsigned
 * bytewise for strings, false < true for booleans. a and b are PLAIN-encoded. */
static int compare_plain(const column *c, const char *a, size_t alen, const char *b, size_t blen)
{
    switch (c->physical) {
    case T_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case T_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case T_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case T_BYTE_ARRAY: {
        size_t n = (alen < blen ? alen : blen) - 4;   /* both carry a 4-byte length prefix */
        int r = memcmp(a + 4, b + 4, n);
        if (r) return r;
        return (alen > blen) - (alen < blen);
    }
    default: return (a[0] > b[0]) - (a[0] < b[0]);
    }
}

static int update_stats(column *c, const char *enc, size_t len)
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

static void dict_drop(column *c)
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
static int dict_index(column *c, const char *enc, size_t len, uint32_t *idx)
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
        dict_drop(c);
        return 1;
    }
    if (c->ndict == c->cap_dict) {
        size_t n = c->cap_dict ? c->cap_dict * 2 : 1024;
        size_t *o = realloc(c->dict_off, n * sizeof *o);
        if (!o) return -1;
        c->dict_off = o;
        c->cap_dict = n;
    }
    c->dict_off[c->ndict] = c->dict.len;
    if (buf_append(&c->dict, enc, len) != 0) return -1;
    c->slots[j] = (uint32_t)c->ndict + 1;
    *idx = (uint32_t)c->ndict++;
    return 0;
}

int pq_put(pq_writer *w, int col, int rep, int def, const pq_value *v)
{
    if (col < 0 || col >= w->ncols) return fail(w, "no column %d", col);
    column *c = &w->cols[col];
    if (def < 0 || def > c->max_def || rep < 0 || rep > c->max_rep)
        return fail(w, "column %s: levels rep %d def %d out of range", c->name, rep, def);
    if (c->nlevels == c->cap_levels) {
        size_t n = c->cap_levels ? c->cap_levels * 2 : 4096;
        uint8_t *d = realloc(c->def, n), *r;
        if (!d) return fail(w, "out of memory");
        c->def = d;
        r = realloc(c->rep, n);
        if (!r) return fail(w, "out of memory");
        c->rep = r;
        c->cap_levels = n;
    }
    c->def[c->nlevels] = (uint8_t)def;
    c->rep[c->nlevels] = (uint8_t)rep;
    c->nlevels++;
    if (def < c->max_def) {
        c->nulls++;
        return 0;
    }
    if (!v) return fail(w, "column %s: a value is needed at the maximum definition level", c->name);
    if (c->nvalues == c->cap_values) {
        size_t n = c->cap_values ? c->cap_values * 2 : 4096;
        size_t *e = realloc(c->value_end, n * sizeof *e);
        if (!e) return fail(w, "out of memory");
        c->value_end = e;
        uint32_t *ix = realloc(c->indices, n * sizeof *ix);
        if (!ix) return fail(w, "out of memory");
        c->indices = ix;
        c->cap_values = n;
    }
    size_t start = c->plain.len;
    if (encode_plain(c, v, &c->plain) != 0) return fail(w, "out of memory");
    size_t len = c->plain.len - start;
    c->value_end[c->nvalues] = c->plain.len;
    if (update_stats(c, c->plain.data + start, len) != 0) return fail(w, "out of memory");
    if (c->dict_on) {
        uint32_t idx = 0;
        int r = dict_index(c, c->plain.data + start, len, &idx);
        if (r < 0) return fail(w, "out of memory");
        c->indices[c->nvalues] = idx;
    }
    c->nvalues++;
    return 0;
}

int pq_put_flat(pq_writer *w, int col, const pq_value *v)
{
    if (col < 0 || col >= w->ncols) return fail(w, "no column %d", col);
    int max = w->cols[col].max_def;
    return pq_put(w, col, 0, v ? max : 0, v);
}

/* ---- encodings ---- */
static int bit_width(uint64_t max)
{
    int b = 0;
    while (max) {
        b++;
        max >>= 1;
    }
    return b;
}

/* The RLE / bit-packed hybrid of n values of the given bit width: runs of 8 or more equal values
 * as RLE runs, everything else in bit-packed groups of 8 (padded with zeros at the end). */
int pq_rle_hybrid(buf *out, const uint32_t *vals, size_t n, int width)
{
    size_t vbytes = (size_t)(width + 7) / 8;
    size_t i = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && vals[i + run] == vals[i]) run++;
        if (run >= 8) {
            tc_varint(out, (uint64_t)run << 1);
            uint32_t v = vals[i];
            if (buf_append(out, &v, vbytes) != 0) return -1;  /* little-endian */
            i += run;
            continue;
        }
        size_t start = i, groups = 0;
        while (i < n) {
            size_t r = 1;
            while (i + r < n && vals[i + r] == vals[i]) r++;
            if (groups > 0 && r >= 8) break;
            i += 8;
            groups++;
            if (groups == 63) break;
        }
        if (i > n) i = n;
        tc_varint(out, ((uint64_t)groups << 1) | 1);
        size_t nbytes = groups * (size_t)width;   /* 8 values * width bits = width bytes */
        if (buf_reserve(out, nbytes) != 0) return -1;
        unsigned char *p = (unsigned char *)out->data + out->len;
        memset(p, 0, nbytes);
        for (size_t k = 0; k < groups * 8; k++) {
            uint32_t v = start + k < n ? vals[start + k] : 0;
            size_t bit = k * (size_t)width;
            for (int b = 0; b < width; b++, bit++)
                if (v >> b & 1) p[bit >> 3] |= (unsigned char)(1u << (bit & 7));
        }
        out->len += nbytes;
        out->data[out->len] = 0;
    }
    return 0;
}

/* Levels of a v1 data page: a 4-byte length, then the hybrid encoding. */
static int encode_levels(buf *out, const uint8_t *lv, size_t n, int max)
{
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) return -1;
    for (size_t i = 0; i < n; i++) tmp[i] = lv[i];
    size_t at = out->len;
    uint32_t zero = 0;
    int rc = buf_append(out, &zero, 4) || pq_rle_hybrid(out, tmp, n, bit_width((uint64_t)max));
    free(tmp);
    if (rc) return -1;
    uint32_t len = (uint32_t)(out->len - at - 4);
    memcpy(out->data + at, &len, 4);
    return 0;
}

static int compress(pq_codec codec, const buf *in, buf *out)
{
    buf_reset(out);
    if (codec == PQ_UNCOMPRESSED) return buf_append(out, in->data, in->len);
    if (codec == PQ_SNAPPY) {
        size_t n = snappy_max_compressed_length(in->len);
        if (buf_reserve(out, n) != 0) return -1;
        if (snappy_compress(in->data ? in->data : "", in->len, out->data, &n) != SNAPPY_OK) return -1;
        out->len = n;
        return 0;
    }
    size_t bound = ZSTD_compressBound(in->len);
    if (buf_reserve(out, bound) != 0) return -1;
    size_t n = ZSTD_compress(out->data, bound, in->data ? in->data : "", in->len, 3);
    if (ZSTD_isError(n)) return -1;
    out->len = n;
    return 0;
}

static int write_bytes(pq_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n) return fail(w, "write failed: %s", strerror(errno));
    w->offset += (int64_t)n;
    return 0;
}

/* Writes one page (header + compressed body); updates the chunk's sizes. */
static int write_page(pq_writer *w, chunk_meta *m, int type, const buf *body, int32_t num_values,
                      int encoding, int has_levels)
{
    buf comp = BUF_INIT, hdr = BUF_INIT;
    if (compress(w->opt.codec, body, &comp) != 0) {
        buf_free(&comp);
        return fail(w, "compression failed");
    }
    tc_writer t;
    tc_init(&t, &hdr);
    tc_i32(&t, 1, type);
    tc_i32(&t, 2, (int32_t)body->len);
    tc_i32(&t, 3, (int32_t)comp.len);
    if (type == PAGE_DATA) {
        tc_struct_begin(&t, 5);
        tc_i32(&t, 1, num_values);
        tc_i32(&t, 2, encoding);
        tc_i32(&t, 3, E_RLE);
        tc_i32(&t, 4, E_RLE);
        tc_struct_end(&t);
    } else {
        tc_struct_begin(&t, 7);
        tc_i32(&t, 1, num_values);
        tc_i32(&t, 2, E_PLAIN);
        tc_struct_end(&t);
    }
    (void)has_levels;
    int rc = tc_finish(&t) ? fail(w, "page header encoding failed") : 0;
    if (!rc) rc = write_bytes(w, hdr.data, hdr.len);
    if (!rc) rc = write_bytes(w, comp.data, comp.len);
    m->uncompressed += (int64_t)(hdr.len + body->len);
    m->compressed += (int64_t)(hdr.len + comp.len);
    buf_free(&comp);
    buf_free(&hdr);
    return rc;
}

/* PLAIN values [a, b) of the chunk, booleans bit-packed. */
static int plain_slice(const column *c, size_t a, size_t b, buf *out)
{
    if (c->physical == T_BOOLEAN) {
        size_t n = b - a, nbytes = (n + 7) / 8;
        if (buf_reserve(out, nbytes) != 0) return -1;
        unsigned char *p = (unsigned char *)out->data + out->len;
        memset(p, 0, nbytes);
        for (size_t k = 0; k < n; k++)
            if (c->plain.data[a + k]) p[k >> 3] |= (unsigned char)(1u << (k & 7));
        out->len += nbytes;
        out->data[out->len] = 0;
        return 0;
    }
    size_t from = a ? c->value_end[a - 1] : 0, to = b ? c->value_end[b - 1] : 0;
    return buf_append(out, c->plain.data + from, to - from);
}

static int flush_column(pq_writer *w, column *c)
{
    chunk_meta m = {0};
    m.num_values = (int64_t)c->nlevels;
    int width = c->dict_on ? bit_width(c->ndict ? c->ndict - 1 : 0) : 0;
    /* Dictionary only when it makes the chunk smaller than plain. */
    int use_dict = c->dict_on && c->ndict > 0 &&
                   c->dict.len + (c->nvalues * (size_t)width + 7) / 8 < c->plain.len;
    buf body = BUF_INIT;
    int rc = 0;
    if (use_dict) {
        m.dict_offset = w->offset;
        rc = write_page(w, &m, PAGE_DICTIONARY, &c->dict, (int32_t)c->ndict, E_PLAIN, 0);
        m.used_dict = 1;
    }
    m.data_offset = w->offset;
    /* Pages end at row boundaries once they hold about page_bytes of values. */
    size_t lv = 0, val = 0;
    while (!rc && (lv < c->nlevels || (c->nlevels == 0 && lv == 0))) {
        size_t lv_end = lv, val_end = val, bytes = 0;
        while (lv_end < c->nlevels) {
            if (lv_end > lv && c->rep[lv_end] == 0 && bytes >= (size_t)w->opt.page_bytes) break;
            if (c->def[lv_end] == c->max_def) {
                size_t from = val_end ? c->value_end[val_end - 1] : 0;
                bytes += use_dict ? (size_t)(width + 7) / 8 : c->value_end[val_end] - from;
                val_end++;
            }
            lv_end++;
        }
        buf_reset(&body);
        if (c->max_rep > 0 && encode_levels(&body, c->rep + lv, lv_end - lv, c->max_rep)) rc = -1;
        if (!rc && c->max_def > 0 && encode_levels(&body, c->def + lv, lv_end - lv, c->max_def)) rc = -1;
        if (!rc && use_dict) {
            unsigned char bw = (unsigned char)width;
            rc = buf_append(&body, &bw, 1) || pq_rle_hybrid(&body, c->indices + val, val_end - val, width);
        } else if (!rc) {
            rc = plain_slice(c, val, val_end, &body);
        }
        if (rc) {
            rc = fail(w, "out of memory");
            break;
        }
        rc = write_page(w, &m, PAGE_DATA, &body, (int32_t)(lv_end - lv),
                        use_dict ? E_RLE_DICTIONARY : E_PLAIN, 1);
        lv = lv_end;
        val = val_end;
        if (c->nlevels == 0) break;
    }
    buf_free(&body);
    if (rc) return -1;
    m.null_count = c->nulls;
    if (c->has_minmax) {
        m.has_stats = 1;
        size_t skip = c->physical == T_BYTE_ARRAY ? 4 : 0;   /* statistics hold the bare bytes */
        m.min_len = c->min.len - skip;
        m.max_len = c->max.len - skip;
        m.min = malloc(m.min_len + 1);
        m.max = malloc(m.max_len + 1);
        if (!m.min || !m.max) return fail(w, "out of memory");
        memcpy(m.min, c->min.data + skip, m.min_len);
        memcpy(m.max, c->max.data + skip, m.max_len);
    }
    chunk_meta *d = realloc(c->done, (c->ndone + 1) * sizeof *d);
    if (!d) return fail(w, "out of memory");
    c->done = d;
    c->done[c->ndone++] = m;
    /* reset the chunk for the next row group */
    c->nlevels = c->nvalues = c->ndict = 0;
    c->nulls = 0;
    c->has_minmax = 0;
    buf_reset(&c->plain);
    buf_reset(&c->dict);
    c->dict_on = w->opt.dictionary && c->physical != T_BOOLEAN;
    if (c->slots) memset(c->slots, 0, c->nslots * sizeof *c->slots);
    return 0;
}

static int flush_group(pq_writer *w)
{
    if (w->rows_in_group == 0 && w->ngroups > 0) return 0;
    for (int c = 0; c < w->ncols; c++)
        if (flush_column(w, &w->cols[c]) != 0) return -1;
    int64_t *g = realloc(w->group_rows, (w->ngroups + 1) * sizeof *g);
    if (!g) return fail(w, "out of memory");
    w->group_rows = g;
    w->group_rows[w->ngroups++] = w->rows_in_group;
    w->rows_in_group = 0;
    return 0;
}

int pq_end_row(pq_writer *w)
{
    w->rows_in_group++;
    w->total_rows++;
    if (w->rows_in_group >= w->opt.row_group_rows) return flush_group(w);
    if (w->opt.row_group_bytes > 0 && (w->rows_in_group & 1023) == 0) {
        int64_t bytes = 0;
        for (int c = 0; c < w->ncols; c++) bytes += (int64_t)w->cols[c].plain.len;
        if (bytes >= w->opt.row_group_bytes) return flush_group(w);
    }
    return 0;
}

/* ---- footer ---- */
static void write_schema_element(tc_writer *t, const pq_node *n, int is_root, int root_children)
{
    tc_elem_struct_begin(t);
    if (is_root) {
        tc_string(t, 4, "schema");
        tc_i32(t, 5, root_children);
        tc_struct_end(t);
        return;
    }
    if (n->num_children == 0) tc_i32(t, 1, physical_of(n->type));
    tc_i32(t, 3, (int32_t)n->repetition);
    tc_string(t, 4, n->name);
    if (n->num_children > 0) {
        tc_i32(t, 5, n->num_children);
        if (n->group_kind) tc_i32(t, 6, n->group_kind);
    } else if (n->type == PQ_STRING) {
        tc_i32(t, 6, CT_UTF8);
        tc_struct_begin(t, 10);
        tc_struct_begin(t, 1);  /* STRING */
        tc_struct_end(t);
        tc_struct_end(t);
    } else if (n->type == PQ_DATE) {
        tc_i32(t, 6, CT_DATE);
        tc_struct_begin(t, 10);
        tc_struct_begin(t, 6);  /* DATE */
        tc_struct_end(t);
        tc_struct_end(t);
    } else if (n->type == PQ_TIMESTAMP_MICROS) {
        tc_i32(t, 6, CT_TIMESTAMP_MICROS);
        tc_struct_begin(t, 10);
        tc_struct_begin(t, 8);  /* TIMESTAMP */
        tc_bool(t, 1, 1);       /* isAdjustedToUTC */
        tc_struct_begin(t, 2);  /* unit */
        tc_struct_begin(t, 2);  /* MICROS */
        tc_struct_end(t);
        tc_struct_end(t);
        tc_struct_end(t);
        tc_struct_end(t);
    }
    tc_struct_end(t);
}

static int write_footer(pq_writer *w)
{
    buf out = BUF_INIT;
    tc_writer t;
    tc_init(&t, &out);
    tc_i32(&t, 1, 1);
    /* schema: the root, then the nodes in pre-order */
    int root_children = 0;
    for (size_t i = 0; i < w->nnodes;) {
        root_children++;
        /* skip the subtree */
        size_t pending = 1;
        while (pending && i < w->nnodes) {
            pending += (size_t)w->nodes[i].num_children;
            pending--;
            i++;
        }
    }
    tc_list_begin(&t, 2, TC_STRUCT, w->nnodes + 1);
    write_schema_element(&t, NULL, 1, root_children);
    for (size_t i = 0; i < w->nnodes; i++) write_schema_element(&t, &w->nodes[i], 0, 0);
    tc_i64(&t, 3, w->total_rows);
    tc_list_begin(&t, 4, TC_STRUCT, w->ngroups);
    for (size_t g = 0; g < w->ngroups; g++) {
        tc_elem_struct_begin(&t);
        tc_list_begin(&t, 1, TC_STRUCT, (size_t)w->ncols);
        int64_t total_uncomp = 0, total_comp = 0, first = -1;
        for (int ci = 0; ci < w->ncols; ci++) {
            const column *c = &w->cols[ci];
            const chunk_meta *m = &c->done[g];
            int64_t start = m->used_dict ? m->dict_offset : m->data_offset;
            if (first < 0) first = start;
            total_uncomp += m->uncompressed;
            total_comp += m->compressed;
            tc_elem_struct_begin(&t);
            tc_i64(&t, 2, start);
            tc_struct_begin(&t, 3);
            tc_i32(&t, 1, c->physical);
            tc_list_begin(&t, 2, TC_I32, m->used_dict ? 3 : 2);
            tc_elem_i32(&t, E_RLE);
            tc_elem_i32(&t, E_PLAIN);
            if (m->used_dict) tc_elem_i32(&t, E_RLE_DICTIONARY);
            tc_list_begin(&t, 3, TC_BINARY, (size_t)c->path_len);
            for (int p = 0; p < c->path_len; p++) tc_elem_string(&t, c->path[p]);
            tc_i32(&t, 4, (int32_t)w->opt.codec);
            tc_i64(&t, 5, m->num_values);
            tc_i64(&t, 6, m->uncompressed);
            tc_i64(&t, 7, m->compressed);
            tc_i64(&t, 9, m->data_offset);
            if (m->used_dict) tc_i64(&t, 11, m->dict_offset);
            tc_struct_begin(&t, 12);
            tc_i64(&t, 3, m->null_count);
            if (m->has_stats) {
                tc_binary(&t, 5, m->max, m->max_len);
                tc_binary(&t, 6, m->min, m->min_len);
            }
            tc_struct_end(&t);
            tc_struct_end(&t);  /* ColumnMetaData */
            tc_struct_end(&t);  /* ColumnChunk */
        }
        tc_i64(&t, 2, total_uncomp);
        tc_i64(&t, 3, w->group_rows[g]);
        tc_i64(&t, 5, first < 0 ? 4 : first);
        tc_i64(&t, 6, total_comp);
        tc_struct_end(&t);
    }
    tc_string(&t, 6, w->opt.created_by ? w->opt.created_by : "wikigdelt");
    /* column_orders: TypeDefinedOrder for every leaf, so readers trust min_value/max_value */
    tc_list_begin(&t, 7, TC_STRUCT, (size_t)w->ncols);
    for (int ci = 0; ci < w->ncols; ci++) {
        tc_elem_struct_begin(&t);
        tc_struct_begin(&t, 1);
        tc_struct_end(&t);
        tc_struct_end(&t);
    }
    int rc = tc_finish(&t) ? fail(w, "footer encoding failed") : 0;
    uint32_t len = (uint32_t)out.len;
    if (!rc) rc = write_bytes(w, out.data, out.len);
    if (!rc) rc = write_bytes(w, &len, 4);
    if (!rc) rc = write_bytes(w, "PAR1", 4);
    buf_free(&out);
    return rc;
}

static void free_writer(pq_writer *w)
{
    if (!w) return;
    for (int ci = 0; ci < w->ncols; ci++) {
        column *c = &w->cols[ci];
        for (int p = 0; p < c->path_len && c->path; p++) free(c->path[p]);
        free(c->path);
        free(c->def);
        free(c->rep);
        buf_free(&c->plain);
        free(c->value_end);
        buf_free(&c->dict);
        free(c->dict_off);
        free(c->slots);
        free(c->indices);
        buf_free(&c->min);
        buf_free(&c->max);
        for (size_t g = 0; g < c->ndone; g++) {
            free(c->done[g].min);
            free(c->done[g].max);
        }
        free(c->done);
    }
    free(w->cols);
    free(w->nodes);
    free(w->group_rows);
    free(w);
}

void pq_abort(pq_writer *w)
{
    if (!w) return;
    if (w->f) fclose(w->f);
    free_writer(w);
}

int pq_close(pq_writer *w, int64_t *size_out, char *err, size_t errlen)
{
    int rc = 0;
    if (w->rows_in_group > 0 || w->ngroups == 0) rc = flush_group(w);
    if (!rc) rc = write_footer(w);
    if (!rc && fflush(w->f) != 0) rc = fail(w, "flush failed: %s", strerror(errno));
    if (!rc && fsync(fileno(w->f)) != 0) rc = fail(w, "fsync failed: %s", strerror(errno));
    if (fclose(w->f) != 0 && !rc) rc = fail(w, "close failed: %s", strerror(errno));
    w->f = NULL;
    if (rc) snprintf(err, errlen, "%s", w->err);
    if (size_out) *size_out = w->offset;
    free_writer(w);
    return rc;
}

int pq_parse_timestamp(const char *s, size_t len, int64_t *micros)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    char tmp[40];
    if (len < 10 || len >= sizeof tmp) return -1;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    if (sscanf(tmp, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    const char *p = tmp + 10;
    long frac = 0;
    int fdigits = 0;
    if (*p == ' ' || *p == 'T') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8) return -1;
        p += 9;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                if (fdigits < 6) {
                    frac = frac * 10 + (*p - '0');
                    fdigits++;
                }
                p++;
            }
            if (fdigits == 0) return -1;
            while (fdigits < 6) {
                frac *= 10;
                fdigits++;
            }
        }
        if (*p == 'Z') p++;
    }
    if (*p) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
    /* days from civil (proleptic Gregorian) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (unsigned)((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + (int64_t)doe - 719468;
    *micros = ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000000LL) + frac;
    return 0;
}
