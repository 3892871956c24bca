/* A Parquet file writer: a schema of groups and typed leaves (nested with repetition and
 * definition levels, Dremel style), row groups sized by setting, one or more data pages per
 * column chunk (v1 pages: RLE/bit-packed levels), dictionary encoding where it makes the chunk
 * smaller and plain encoding otherwise, snappy or zstd compression, and min/max/null-count
 * statistics in the footer (Thrift compact, see thrift_compact.h).
 *
 * A flat table is a schema of optional leaves: per row, pq_put each column once (def 1 with a
 * value, def 0 for NULL, rep 0), then pq_end_row. */
#ifndef WG_PARQUET_H
#define WG_PARQUET_H

#include <stddef.h>
#include <stdint.h>

typedef enum pq_type {
    PQ_BOOLEAN, PQ_INT32, PQ_INT64, PQ_DOUBLE, PQ_STRING, PQ_TIMESTAMP_MICROS, PQ_DATE,
} pq_type;

typedef enum pq_repetition { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 } pq_repetition;

enum { PQ_GROUP_PLAIN = 0, PQ_GROUP_MAP = 1, PQ_GROUP_LIST = 3 }; /* Parquet ConvertedType */

typedef enum pq_codec { PQ_UNCOMPRESSED = 0, PQ_SNAPPY = 1, PQ_ZSTD = 6 } pq_codec;

/* One schema node, listed in pre-order (a group is followed by its num_children subtrees).
 * The root (the message) is implicit. */
typedef struct pq_node {
    const char *name;
    int num_children;            /* > 0: a group; 0: a leaf of type `type` */
    pq_type type;
    pq_repetition repetition;
    int group_kind;              /* PQ_GROUP_* for groups */
} pq_node;

typedef struct pq_value {
    int64_t i;                   /* BOOLEAN, INT32, INT64, TIMESTAMP_MICROS, DATE (days) */
    double d;                    /* DOUBLE */
    const char *s;               /* STRING (UTF-8, not NUL-terminated) */
    size_t len;
} pq_value;

typedef struct pq_options {
    pq_codec codec;
    int64_t row_group_rows;      /* a row group holds at most this many rows */
    int64_t row_group_bytes;     /* ... or about this many bytes of values */
    int64_t page_bytes;          /* data pages split at about this size (at row boundaries) */
    int dictionary;              /* 1: try dictionary encoding per chunk */
    const char *created_by;
} pq_options;

void pq_options_default(pq_options *o);

typedef struct pq_writer pq_writer;

/* Opens path for writing (truncating). Returns NULL with err set. */
pq_writer *pq_open(const char *path, const pq_node *nodes, size_t nnodes, const pq_options *opt,
                   char *err, size_t errlen);
int pq_num_columns(const pq_writer *w);
int pq_max_def(const pq_writer *w, int col);
/* One value (or level-only entry) of leaf column col. v is read only when def == max_def. */
int pq_put(pq_writer *w, int col, int rep, int def, const pq_value *v);
/* Convenience for flat optional leaves: a value, or a NULL (v == NULL). */
int pq_put_flat(pq_writer *w, int col, const pq_value *v);
/* Ends a row; flushes a row group when it is full. */
int pq_end_row(pq_writer *w);
/* Writes the last row group and the footer, closes the file. Returns 0, or -1 with err. In both
 * cases w is freed. *size_out gets the file size. */
int pq_close(pq_writer *w, int64_t *size_out, char *err, size_t errlen);
/* Closes without finishing (the caller removes the file). */
void pq_abort(pq_writer *w);
const char *pq_error(const pq_writer *w);

/* Days since 1970-01-01 and microseconds since the epoch from "YYYY-MM-DD[ HH:MM:SS[.ffffff]]"
 * (also with 'T' and a trailing 'Z'); -1 when the text is not such a time. */
int pq_parse_timestamp(const char *s, size_t len, int64_t *micros);

/* The RLE / bit-packed hybrid encoding of n values of a bit width (levels, dictionary indices);
 * public for the encoding tests. */
struct buf;
int pq_rle_hybrid(struct buf *out, const uint32_t *vals, size_t n, int width);

#endif
