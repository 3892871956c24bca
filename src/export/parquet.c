/* The Parquet writer (see parquet.h): buffers one row group per column, then writes each column
 * chunk as an optional dictionary page and data pages, and at the end the footer (parquet_int.h
 * names the files that do each). */
#include "export/parquet_int.h"

#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pq_options_default(pq_options *o)
{
    o->codec = PQ_SNAPPY;
    o->row_group_rows = 1 << 20;
    o->row_group_bytes = 128LL << 20;
    o->page_bytes = 1 << 20;
    o->dictionary = 1;
    o->created_by = "wikigdelt";
}

int pq_fail(pq_writer *w, const char *fmt, ...)
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

int pq_physical_of(pq_type t)
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
        c->physical = pq_physical_of(n->type);
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

int pq_put(pq_writer *w, int col, int rep, int def, const pq_value *v)
{
    if (col < 0 || col >= w->ncols) return pq_fail(w, "no column %d", col);
    column *c = &w->cols[col];
    if (def < 0 || def > c->max_def || rep < 0 || rep > c->max_rep)
        return pq_fail(w, "column %s: levels rep %d def %d out of range", c->name, rep, def);
    if (c->nlevels == c->cap_levels) {
        size_t n = c->cap_levels ? c->cap_levels * 2 : 4096;
        uint8_t *d = realloc(c->def, n), *r;
        if (!d) return pq_fail(w, "out of memory");
        c->def = d;
        r = realloc(c->rep, n);
        if (!r) return pq_fail(w, "out of memory");
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
    if (!v) return pq_fail(w, "column %s: a value is needed at the maximum definition level", c->name);
    if (c->nvalues == c->cap_values) {
        size_t n = c->cap_values ? c->cap_values * 2 : 4096;
        size_t *e = realloc(c->value_end, n * sizeof *e);
        if (!e) return pq_fail(w, "out of memory");
        c->value_end = e;
        uint32_t *ix = realloc(c->indices, n * sizeof *ix);
        if (!ix) return pq_fail(w, "out of memory");
        c->indices = ix;
        c->cap_values = n;
    }
    size_t start = c->plain.len;
    if (pq_encode_plain(c, v, &c->plain) != 0) return pq_fail(w, "out of memory");
    size_t len = c->plain.len - start;
    c->value_end[c->nvalues] = c->plain.len;
    if (pq_update_stats(c, c->plain.data + start, len) != 0) return pq_fail(w, "out of memory");
    if (c->dict_on) {
        uint32_t idx = 0;
        int r = pq_dict_index(c, c->plain.data + start, len, &idx);
        if (r < 0) return pq_fail(w, "out of memory");
        c->indices[c->nvalues] = idx;
    }
    c->nvalues++;
    return 0;
}

int pq_put_flat(pq_writer *w, int col, const pq_value *v)
{
    if (col < 0 || col >= w->ncols) return pq_fail(w, "no column %d", col);
    int max = w->cols[col].max_def;
    return pq_put(w, col, 0, v ? max : 0, v);
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
    if (w->rows_in_group > 0 || w->ngroups == 0) rc = pq_flush_group(w);
    if (!rc) rc = pq_write_footer(w);
    if (!rc && fflush(w->f) != 0) rc = pq_fail(w, "flush failed: %s", strerror(errno));
    if (!rc && fsync(fileno(w->f)) != 0) rc = pq_fail(w, "fsync failed: %s", strerror(errno));
    if (fclose(w->f) != 0 && !rc) rc = pq_fail(w, "close failed: %s", strerror(errno));
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

