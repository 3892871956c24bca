/* Private to src/source: the Wikimedia bronze writer that the file replay, the SSE client
 * (wiki_ingest.c) and the other transports (the wiki_bronze_* API) share. Events go to
 * wikimedia_bronze in micro-batches, each committed with the stream's resume token in one
 * transaction; what cannot be taken goes to wikimedia_quarantine. */
#ifndef WG_SOURCE_WIKI_BRONZE_INT_H
#define WG_SOURCE_WIKI_BRONZE_INT_H

#include "core/buf.h"
#include "core/err.h"
#include "source/wiki_ingest.h"
#include "store/store.h"

#include <jansson.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>

typedef struct wiki_sink {
    sqlite3 *db;
    const config *cfg;
    char stream[PATH_MAX + 8];
    sqlite3_stmt *ins_bronze, *ins_quarantine, *upsert_state;
    int in_tx;
    int64_t batch_events, batch_ms;
    int64_t pending, pending_events, pending_quarantined;
    int64_t batch_started_ms;
    int64_t batch_wall_ms, newest_dt;  /* observe: batch start (wall clock), newest meta.dt */
    buf position;       /* resume token after the last taken event */
    buf last_sse_id;
    const wiki_bronze_hook *hook; /* every bronze row also goes there, in its transaction */
    wiki_fields fields;           /* the current event's fields, for bronze and the hook */
    wiki_ingest_stats *stats;
    int64_t taken;      /* events + quarantined in this run, for max_events */
    char received_at[32];
    int64_t received_at_ms;
    char err[WG_ERR_LEN];
    int failed;         /* a store error happened: stop */
    /* Live mode holds events in memory and writes each micro-batch in one short transaction,
     * so the write lock is not kept while waiting on the network (other flows write too). */
    int holding;
    struct wiki_held_event *held;
    size_t held_count, held_cap;
    int64_t held_since_ms;
    int64_t held_received_ms; /* the received time of the held event being written */
    int flushing;
} wiki_sink;

typedef struct wiki_held_event {
    char *data;
    size_t len;
    char *sse_id;
    size_t sse_id_len;
    char *reason;       /* dropped by the parser: quarantine with this reason */
    int64_t received_ms; /* when it arrived: its received_at, not the batch's write time */
} wiki_held_event;

/* Opens the writer on stream (prepares its statements, tunes the connection for bulk writes);
 * every bronze row also goes to hook (may be NULL). 0, or -1 with s->err. */
int wiki_sink_open(wiki_sink *s, sqlite3 *db, const config *cfg, const char *stream,
                   const wiki_bronze_hook *hook, wiki_ingest_stats *stats);
/* Rolls back an open batch and frees everything, held events included. */
void wiki_sink_close(wiki_sink *s);
/* Loads the stream's committed resume token into s->position (and s->last_sse_id). */
store_lookup wiki_sink_load_position(wiki_sink *s);
/* Commits the open batch with the resume token (and the hook's flush). 0, or -1 with s->err. */
int wiki_sink_commit(wiki_sink *s);
/* Takes one event into the open batch (opening one if needed): bronze, or quarantine when it is
 * not valid UTF-8 JSON. parsed: the event already parsed, or NULL. 0, or -1 with s->err. */
int wiki_sink_event(wiki_sink *s, const char *data, size_t len, const char *sse_id,
                    size_t sse_id_len, const char *position, size_t position_len, json_t *parsed);
/* Live mode: keeps the event in memory until the micro-batch is due (reason: quarantine it). */
int wiki_sink_hold(wiki_sink *s, const char *data, size_t len, const char *sse_id,
                   size_t sse_id_len, const char *reason);
/* Writes the held events in one transaction; wiki_sink_flush_if_due only when the batch is full
 * or old enough. 0, or -1 with s->err. */
int wiki_sink_flush(wiki_sink *s);
int wiki_sink_flush_if_due(wiki_sink *s);
/* Commits when the open batch has reached wiki.batch_events or wiki.batch_ms. */
int wiki_sink_maybe_commit(wiki_sink *s);
/* A text that cannot be taken: into wikimedia_quarantine with the reason (raw_bytes: its full
 * length, SIZE_MAX when only a prefix of it is known). 0, or -1 with s->err. */
int wiki_sink_quarantine(wiki_sink *s, const char *reason, const char *raw, size_t len,
                         size_t raw_bytes, const char *sse_id, size_t sse_id_len);
/* The resume token after the event just taken (committed with the batch). */
void wiki_sink_set_position(wiki_sink *s, const char *position, size_t len, const char *sse_id,
                            size_t sse_id_len);

#endif
