/* The Parquet writer's pages (parquet_int.h): levels and dictionary indices in the RLE/bit-packed
 * hybrid, page compression, and a row group written column chunk by column chunk as an optional
 * dictionary page and data pages of about page_bytes each. */
#include "export/parquet_int.h"

#include "export/thrift_compact.h"

#include <errno.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

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

int pq_write_bytes(pq_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n) return pq_fail(w, "write failed: %s", strerror(errno));
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
        return pq_fail(w, "compression failed");
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
    int rc = tc_finish(&t) ? pq_fail(w, "page header encoding failed") : 0;
    if (!rc) rc = pq_write_bytes(w, hdr.data, hdr.len);
    if (!rc) rc = pq_write_bytes(w, comp.data, comp.len);
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
            rc = pq_fail(w, "out of memory");
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
        if (!m.min || !m.max) return pq_fail(w, "out of memory");
        memcpy(m.min, c->min.data + skip, m.min_len);
        memcpy(m.max, c->max.data + skip, m.max_len);
    }
    chunk_meta *d = realloc(c->done, (c->ndone + 1) * sizeof *d);
    if (!d) return pq_fail(w, "out of memory");
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

int pq_flush_group(pq_writer *w)
{
    if (w->rows_in_group == 0 && w->ngroups > 0) return 0;
    for (int c = 0; c < w->ncols; c++)
        if (flush_column(w, &w->cols[c]) != 0) return -1;
    int64_t *g = realloc(w->group_rows, (w->ngroups + 1) * sizeof *g);
    if (!g) return pq_fail(w, "out of memory");
    w->group_rows = g;
    w->group_rows[w->ngroups++] = w->rows_in_group;
    w->rows_in_group = 0;
    return 0;
}

int pq_end_row(pq_writer *w)
{
    w->rows_in_group++;
    w->total_rows++;
    if (w->rows_in_group >= w->opt.row_group_rows) return pq_flush_group(w);
    if (w->opt.row_group_bytes > 0 && (w->rows_in_group & 1023) == 0) {
        int64_t bytes = 0;
        for (int c = 0; c < w->ncols; c++) bytes += (int64_t)w->cols[c].plain.len;
        if (bytes >= w->opt.row_group_bytes) return pq_flush_group(w);
    }
    return 0;
}

