/* Private to the Parquet writer (parquet*.c): the writer, its columns being buffered and what the
 * footer needs of each written chunk. parquet.c opens, buffers rows and closes; parquet_values.c
 * encodes values, keeps statistics and the dictionary; parquet_pages.c writes a row group's
 * pages; parquet_footer.c writes the footer. */
#ifndef WG_EXPORT_PARQUET_INT_H
#define WG_EXPORT_PARQUET_INT_H

#include "export/parquet.h"

#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>


/* Parquet's physical types, encodings and page types (parquet.thrift). */
enum { T_BOOLEAN = 0, T_INT32 = 1, T_INT64 = 2, T_DOUBLE = 5, T_BYTE_ARRAY = 6 };
enum { E_PLAIN = 0, E_PLAIN_DICTIONARY = 2, E_RLE = 3, E_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
enum { CT_UTF8 = 0, CT_DATE = 6, CT_TIMESTAMP_MICROS = 10 };

#define PQ_MAX_LEVEL 255
#define DICT_MAX_BYTES (1 << 20)

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
    char err[512];
};

/* Sets the writer's error; returns -1. */
int pq_fail(pq_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The physical type of a logical one. */
int pq_physical_of(pq_type t);

/* parquet_values.c */
/* The PLAIN encoding of one value into out. */
int pq_encode_plain(const column *c, const pq_value *v, buf *out);
/* Folds one PLAIN-encoded value into the chunk's min and max. */
int pq_update_stats(column *c, const char *enc, size_t len);
/* Drops the chunk's dictionary (too large): the chunk is written PLAIN. */
void pq_dict_drop(column *c);
/* The value's index in the chunk's dictionary, added when new. */
int pq_dict_index(column *c, const char *enc, size_t len, uint32_t *idx);

/* parquet_pages.c */
int pq_write_bytes(pq_writer *w, const void *p, size_t n);
/* Writes the buffered row group, one column chunk after the other. */
int pq_flush_group(pq_writer *w);

/* parquet_footer.c */
int pq_write_footer(pq_writer *w);

#endif
