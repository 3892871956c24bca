/* The GDELT 2.0 source: event export files into gdelt_bronze, recorded in the gdelt_ledger.
 *
 * Three ways in, one path to bronze:
 *   file mode      a local .zip or .CSV, or a directory of them (name order);
 *   live mode      poll <base>/lastupdate.txt, fetch each new *.export.CSV.zip it announces
 *                  (and, after a gap between polls, the exports published in it);
 *   backfill mode  read <base>/masterfilelist.txt, fetch every export whose slot time falls in
 *                  [from, to].
 * Downloads are checked against the announced size and MD5, unzipped in memory (libzip) and
 * written to bronze together with the ledger row in ONE transaction, so a file is ingested once
 * even across crashes. The ledger key is the file name (e.g. 20240715000000.export.CSV.zip),
 * the same in every mode. Network faults (refused, timeout, HTTP errors, truncated body, size or
 * MD5 mismatch, bad zip) are retried with capped exponential backoff, then recorded in the ledger
 * as failed with the reason; live mode retries failed files on later polls.
 *
 * Settings: gdelt.base_url (http://data.gdeltproject.org/gdeltv2/), gdelt.retry_attempts (5),
 * gdelt.retry_initial_ms (1000), gdelt.retry_max_ms (60000), gdelt.max_file_attempts (15),
 * gdelt.connect_timeout_ms (10000), gdelt.timeout_ms (300000), gdelt.max_file_bytes (1 GiB),
 * gdelt.max_index_bytes (1 GiB). */
#ifndef WG_GDELT_H
#define WG_GDELT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "store/store.h"

#define GDELT_DEFAULT_BASE_URL "http://data.gdeltproject.org/gdeltv2/"
#define GDELT_SLOT_SECONDS 900 /* one export per 15 minutes */

/* One line of lastupdate.txt or masterfilelist.txt: "<size> <md5> <url>". */
typedef struct gdelt_index_entry {
    int64_t size;
    char md5[33];        /* lower-case hex */
    char url[2048];
    char name[256];      /* last path segment of url */
    int64_t slot_time;   /* epoch seconds from the name's YYYYMMDDHHMMSS, -1 if none */
} gdelt_index_entry;

/* Parses one index line (no terminator needed, trailing \r tolerated). 0 ok, -1 malformed with
 * err saying which part. */
int gdelt_parse_index_line(const char *line, size_t len, gdelt_index_entry *out, char *err,
                           size_t errlen);
/* 1 if the name is an event export (…​.export.CSV.zip, case-insensitive), else 0. */
int gdelt_is_export_name(const char *name);
/* Epoch seconds of the leading YYYYMMDDHHMMSS of a GDELT file name, or -1. */
int64_t gdelt_slot_time_of_name(const char *name);

typedef struct gdelt_ingest_stats {
    int64_t files_ingested;  /* committed to bronze this run */
    int64_t files_skipped;   /* already in the ledger as ingested */
    int64_t files_failed;    /* recorded as failed this run */
    int64_t rows;            /* bronze rows written this run */
    int64_t bytes;           /* file bytes read or downloaded (accepted files) */
    int64_t retries;         /* attempts beyond the first */
} gdelt_ingest_stats;

/* What a run over several files did: all ingested (or skipped as already in the ledger), some
 * failed (recorded in the ledger; the others were still ingested), or an error that stopped it. */
typedef enum gdelt_result { GDELT_ERROR = -1, GDELT_OK = 0, GDELT_SOME_FAILED = 1 } gdelt_result;

/* File mode: GDELT_OK, GDELT_SOME_FAILED, or GDELT_ERROR on a store error or an unreadable PATH. */
gdelt_result gdelt_ingest_path(sqlite3 *db, const config *cfg, const char *path, gdelt_ingest_stats *st,
                      char *err, size_t errlen);
/* Live mode, one poll of lastupdate.txt (plus a retry of earlier failed files).
 * 0 ok (even if a file failed: it is in the ledger), -1 when lastupdate.txt could not be read
 * after retries or on a store error. */
int gdelt_live_poll(sqlite3 *db, const config *cfg, const char *base_url, gdelt_ingest_stats *st,
                    char *err, size_t errlen);
/* Live mode's catch-up (gdelt_catchup.c), called by each poll with the newest slot time
 * lastupdate.txt announces: when that is more than one slot past the newest one an earlier poll
 * saw (checkpoint gdelt.live_through), the exports in between (at most
 * gdelt.live.catchup_hours back; older ones are named in event_log) are fetched by
 * gdelt_backfill, then the checkpoint moves on. 0 ok (a file that failed is in the ledger), -1
 * when masterfilelist.txt could not be read (the checkpoint stays) or on a store error. */
int gdelt_catch_up(sqlite3 *db, const config *cfg, const char *base_url, int64_t announced,
                   gdelt_ingest_stats *st, char *err, size_t errlen);
/* Backfill mode: exports with slot time in [from, to] (epoch seconds, inclusive). GDELT_OK,
 * GDELT_SOME_FAILED, or GDELT_ERROR when masterfilelist is unreadable or on a store error. */
gdelt_result gdelt_backfill(sqlite3 *db, const config *cfg, const char *base_url, int64_t from,
                   int64_t to, gdelt_ingest_stats *st, char *err, size_t errlen);

/* --- building blocks, public for tests --- */
void gdelt_md5_hex(const void *data, size_t len, char out[33]);
/* Extracts the CSV member of an export zip held in memory (the member ending in .csv, or the only
 * member) into out, refusing more than max_bytes. 0 ok, -1 with err. */
int gdelt_unzip_csv(const void *zip, size_t len, size_t max_bytes, buf *out, char *err,
                    size_t errlen);
/* Backoff before retry number `retry` (1-based): initial * 2^(retry-1), capped. */
int64_t gdelt_backoff_ms(int retry, int64_t initial_ms, int64_t max_ms);

typedef struct gdelt_file_meta {
    const char *name;       /* ledger key */
    const char *source;     /* URL or path */
    const char *mode;       /* file | live | backfill */
    int64_t size;           /* bytes as read */
    const char *md5;        /* hex of the bytes as read */
    int64_t expected_size;  /* -1 unknown */
    const char *expected_md5; /* NULL unknown */
    int attempts;           /* attempts made in this run */
} gdelt_file_meta;

/* What committing a file to bronze did. */
typedef enum gdelt_commit_result {
    GDELT_COMMIT_ERROR = -1,     /* a store error (err says which) */
    GDELT_COMMITTED = 0,         /* rows written, file marked ingested */
    GDELT_ALREADY_INGESTED = 1,  /* nothing written */
    GDELT_CONTENT_REJECTED = 2,  /* e.g. a line over 16 MiB; nothing written, err says which */
} gdelt_commit_result;

/* Writes the rows of csv (one event per line) to bronze and marks the file ingested, in one
 * transaction (*rows set when committed). */
gdelt_commit_result gdelt_bronze_commit_file(sqlite3 *db, const gdelt_file_meta *meta, const char *csv,
                             size_t len, int64_t *rows, char *err, size_t errlen);
/* Records a failed file (status failed, reason) unless it is already ingested. 0 ok, -1 error. */
int gdelt_ledger_record_failure(sqlite3 *db, const gdelt_file_meta *meta, const char *reason);
/* STORE_FOUND when the ledger has the name as ingested. */
store_lookup gdelt_ledger_is_ingested(sqlite3 *db, const char *name);

#endif
