/* What the Delta and Kafka sinks share: which tables can be exported and how a batch of each is
 * chosen (a high-water mark per table), the typed columns, and the export_state rows. Private to
 * src/export. */
#ifndef WG_EXPORT_INT_H
#define WG_EXPORT_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "export/parquet.h"

#define MAX_COLUMNS 128

typedef enum { UNIT_KEY, UNIT_CLOSED_EVENT } unit_kind;

typedef struct table_spec {
    const char *table;
    unit_kind kind;
    const char *key;          /* UNIT_KEY: the increasing key column */
    const char *date_column;  /* the partition's source */
} table_spec;

const table_spec *export_spec_find(const char *table);

typedef struct column_info {
    char name[128];
    pq_type type;
    const char *delta_type;
} column_info;

/* The table's exportable columns (BLOBs stay behind) with their Parquet and Delta types. */
int export_table_columns(sqlite3 *db, const char *table, column_info *cols, int *ncols, char *err,
                         size_t errlen);

typedef struct export_state {
    int64_t seq;              /* 0 = nothing exported yet */
    char mark[160];
    int64_t delta_version;
} export_state;

int export_state_load(sqlite3 *db, const char *target, const char *table, export_state *s);
int export_state_save(sqlite3 *db, const char *target, const char *table, const export_state *s,
                      int64_t rows);

/* UNIT_KEY marks are the last key; UNIT_CLOSED_EVENT marks are "closed_at|gdelt_silver_id". */
void export_split_mark(const char *mark, char *closed, size_t n, int64_t *id);
/* The mark `limit` units past mark (or the last pending one): 0 found, 1 nothing new, -1 error. */
int export_next_mark(sqlite3 *db, const table_spec *sp, const char *mark, int64_t limit, char *next,
                     size_t n, char *err, size_t errlen);
/* The rows after `from` up to and including `to`, in mark order: the columns, then the key. */
int export_prepare_rows(sqlite3 *db, const table_spec *sp, const column_info *cols, int ncols,
                        const char *from, const char *to, sqlite3_stmt **out, char *err, size_t errlen);
/* The test hook's batch (WIKIGDELT_EXPORT_FAULT_SEQ, default 1). */
int64_t export_fault_seq(void);

#endif
