/* Wikimedia EventStreams source: recentchange events into wikimedia_bronze, exactly once.
 *
 * Two modes share one bronze writer:
 *  - live: a libcurl SSE client for a stream URL (default
 *    https://stream.wikimedia.org/v2/stream/recentchange). The last event id is committed in the
 *    same transaction as the bronze rows it covers (table wikimedia_stream_state) and sent as
 *    Last-Event-ID on every reconnect and after a restart; `since` is used for catch-up when no id
 *    is stored. Reconnects back off (doubling, capped, starting at the server's `retry` or
 *    wiki.backoff_initial_ms), honour Retry-After on 429/5xx, and a stall with no bytes at all for
 *    wiki.stall_timeout_ms counts as a disconnect.
 *  - file: replays a recording (see source/wiki_record.h); the resume token is the byte offset
 *    after the last committed event, so a killed replay restarts where it stopped.
 * Bad input (invalid UTF-8, JSON that does not parse or is not an object, a line or event over
 * the limits) goes to wikimedia_quarantine with the reason; the stream goes on.
 * Micro-batches commit every wiki.batch_events events or wiki.batch_ms milliseconds, whichever
 * comes first. */
#ifndef WG_WIKI_INGEST_H
#define WG_WIKI_INGEST_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "store/store.h"
#include "format/wiki_fields.h"

#define WIKI_DEFAULT_URL "https://stream.wikimedia.org/v2/stream/recentchange"

/* What the ingest hands every bronze row to, inside the transaction that writes the row: wired by
 * the caller (`ingest wiki --refine` passes the wikimedia_silver flow's writer, as `ingest gdelt
 * --refine` runs the GDELT silver flow from the CLI), so the source knows nothing of refine.
 * start, row and flush say how the row or batch went: */
typedef enum wiki_row_result {
    WIKI_ROW_ERROR = -1,      /* an error (err says which) */
    WIKI_ROW_OK = 0,
    WIKI_ROW_RULE_FAILED = 1, /* a rule with action fail: err says which; the batch is rolled back
                                 and logged under the hook's name */
} wiki_row_result;
typedef struct wiki_bronze_hook {
    const char *name; /* for errors and the event log, e.g. "wikimedia_silver" */
    void *ctx;
    /* At the start of every batch (bronze rows written without the hook are caught up). */
    wiki_row_result (*start)(void *ctx, char *err, size_t errlen);
    /* One bronze row; fields are its extracted fields (borrowed) or NULL to parse raw. */
    wiki_row_result (*row)(void *ctx, int64_t bronze_id, const wiki_fields *fields, const char *raw,
               size_t raw_len, char *err, size_t errlen);
    /* Before the batch commits. */
    wiki_row_result (*flush)(void *ctx, char *err, size_t errlen);
    /* After the batch was rolled back. */
    void (*rollback)(void *ctx);
} wiki_bronze_hook;

typedef struct wiki_ingest_options {
    const char *file;       /* file mode: a recording */
    const char *url;        /* live mode (used when file is NULL); NULL = WIKI_DEFAULT_URL */
    const char *since;      /* ISO time for catch-up when no resume id is stored; may be NULL */
    int64_t max_events;     /* stop after this many events taken (bronze + quarantine); 0 = no limit */
    double duration_s;      /* stop after this many seconds; 0 = no limit */
    const wiki_bronze_hook *hook; /* every bronze row also goes there (NULL: bronze only) */
} wiki_ingest_options;

typedef struct wiki_ingest_stats {
    int64_t events;         /* rows written to wikimedia_bronze */
    int64_t quarantined;    /* rows written to wikimedia_quarantine at ingest */
    int64_t batches;        /* transactions committed */
    int64_t connections;    /* HTTP connections opened (live) */
    int64_t heartbeats;     /* comment lines received (live) */
    int64_t http_errors;    /* 429/5xx answers (live) */
    int64_t stalls;         /* connections given up for silence (live) */
} wiki_ingest_stats;

/* Runs until the recording ends (file), or max_events / duration / stop_request() (core/stop.h)
 * (live). Returns 0, or -1 with err set (cannot open the file, a store error, a 4xx answer that
 * retrying cannot fix). */
int wiki_ingest_run(sqlite3 *db, const config *cfg, const wiki_ingest_options *opt,
                    wiki_ingest_stats *stats, char *err, size_t errlen);

/* Events from another transport (the Kafka source): the caller hands each event with the resume
 * position after it; the position is committed with the bronze rows it covers (batches of
 * wiki.batch_events), under the stream key given. Bad events go to quarantine as in the SSE mode. */
typedef struct wiki_bronze_writer wiki_bronze_writer;
int wiki_bronze_open(sqlite3 *db, const config *cfg, const char *stream, wiki_ingest_stats *stats,
                     wiki_bronze_writer **out, char *err, size_t errlen);
/* The stored position: STORE_FOUND (copied to out), STORE_NOT_FOUND or STORE_LOOKUP_ERROR. */
store_lookup wiki_bronze_position(wiki_bronze_writer *w, char *out, size_t outlen);
int wiki_bronze_event(wiki_bronze_writer *w, const char *data, size_t len, const char *position,
                      char *err, size_t errlen);
int wiki_bronze_commit(wiki_bronze_writer *w, char *err, size_t errlen);
void wiki_bronze_close(wiki_bronze_writer *w);

/* The stream key under which a URL's or a file's resume state is kept. */
void wiki_stream_key(const char *file, const char *url, char *out, size_t outlen);

#endif
