/* The Delta export sink: silver and gold tables appended to Delta Lake tables (Parquet files
 * partitioned by the event date, plus _delta_log commits), exactly once.
 *
 * Exactly once: each commit carries Delta's `txn` action (appId "wikigdelt-<table>", version =
 * the export's batch sequence) and, in its commitInfo, the source high-water mark it covers; the
 * same sequence and mark are then written to export_state in SQLite. A crash between the two is
 * seen on the next run (the log's txn version is ahead of export_state) and the mark is taken
 * from the commit, so no batch is written twice and none is skipped. Parquet files written before
 * a crash but never committed are invisible to every reader. */
#ifndef WG_EXPORT_H
#define WG_EXPORT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef struct export_stats {
    int64_t commits;
    int64_t rows;
    int64_t files;
    int64_t bytes;
    int64_t recovered;       /* commits found in the log that export_state had not recorded */
    double seconds;
} export_stats;

/* The tables that can be exported, NULL-terminated. */
extern const char *const export_tables[];

/* Exports every pending batch of `table` to the Delta table at dir. Settings:
 * export.delta.batch_rows, export.delta.checkpoint_interval, export.delta.compression,
 * export.delta.row_group_rows. Returns 0, or -1 with err naming the table and what failed. */
int export_delta_table(sqlite3 *db, const config *cfg, const char *table, const char *dir,
                       export_stats *stats, char *err, size_t errlen);

extern const struct store_component export_store_component;

#endif
