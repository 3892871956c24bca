/* Wikimedia recentchange source: the bronze writer (micro-batches with the resume token in the
 * same transaction), file replay, and the libcurl SSE client with reconnect, backoff and stall
 * detection. */
#include "source/wiki_ingest.h"
#include "format/utf8.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "observe/observe.h"
#include "source/sse.h"
#include "format/wiki_fields.h"
#include "source/wiki_record.h"
#include "store/store.h"

#include <curl/curl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

void wiki_ingest_request_stop(void) { stop_requested = 1; }

void wiki_stream_key(const char *file, const char *url, char *out, size_t outlen)
{
    if (file) {
        char real[PATH_MAX];
        snprintf(out, outlen, "file:%s", realpath(file, real) ? real : file);
        return;
    }
    /* the query (since=..., test faults) is not part of the stream's identity */
    size_t n = strcspn(url, "?#");
    snprintf(out, outlen, "%.*s", (int)n, url);
}

/* ================================================================ the bronze writer */

typedef struct sink {
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
    struct held_event *held;
    size_t held_count, held_cap;
    int64_t held_since_ms;
    int64_t held_received_ms; /* the received time of the held event being written */
    int flushing;
} sink;

typedef struct held_event {
    char *data;
    size_t len;
    char *sse_id;
    size_t sse_id_len;
    char *reason;       /* dropped by the parser: quarantine with this reason */
    int64_t received_ms; /* when it arrived: its received_at, not the batch's write time */
} held_event;

static int sink_open(sink *s, sqlite3 *db, const config *cfg, const char *stream,
                     const wiki_bronze_hook *hook,
                     wiki_ingest_stats *stats)
{
    memset(s, 0, sizeof *s);
    s->db = db;
    s->cfg = cfg;
    snprintf(s->stream, sizeof s->stream, "%s", stream);
    s->batch_events = config_get_int(cfg, "wiki.batch_events", 1000);
    s->batch_ms = config_get_int(cfg, "wiki.batch_ms", 1000);
    if (s->batch_events < 1) s->batch_events = 1;
    if (s->batch_ms < 1) s->batch_ms = 1;
    s->stats = stats;
    /* Checkpoint less often than SQLite's default 1000 pages (4 MB): an ingest writes ~1.4 KB
     * per event, so the default checkpoints (copies, reads back and fsyncs) after nearly every
     * batch, and the event_id index's pages are copied once per batch instead of once per
     * checkpoint. 10000 pages (40 MB of WAL) gave ~15% more replay throughput. */
    store_tune_bulk(db, config_get_int(cfg, "wiki.cache_mb", 64),
                    config_get_int(cfg, "wiki.wal_autocheckpoint", 10000));
    s->hook = hook;
    const store_stmt_def stmts[] = {
        {&s->ins_bronze, "INSERT INTO wikimedia_bronze(stream, position, sse_id, meta_id, meta_dt,"
                         " topic, partition, kafka_offset, received_at, raw)"
                         " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"},
        {&s->ins_quarantine, "INSERT INTO wikimedia_quarantine(stage, bronze_id, stream, position,"
                             " sse_id, reason, raw, raw_bytes, received_at)"
                             " VALUES ('ingest', NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&s->upsert_state, "INSERT INTO wikimedia_stream_state(stream, position, last_sse_id, events,"
                           " quarantined, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
                           " strftime('%Y-%m-%d %H:%M:%f','now')) ON CONFLICT(stream) DO UPDATE SET"
                           " position=excluded.position,"
                           " last_sse_id=coalesce(excluded.last_sse_id, last_sse_id),"
                           " events=events+excluded.events,"
                           " quarantined=quarantined+excluded.quarantined,"
                           " updated_at=excluded.updated_at"},
    };
    if (store_prepare_list(db, stmts, sizeof stmts / sizeof stmts[0], s->err, sizeof s->err) != 0)
        return -1;
    return 0;
}

static void sink_close(sink *s)
{
    if (s->in_tx) store_rollback(s->db);
    for (size_t i = 0; i < s->held_count; i++) {
        free(s->held[i].data);
        free(s->held[i].sse_id);
        free(s->held[i].reason);
    }
    free(s->held);
    sqlite3_finalize(s->ins_bronze);
    sqlite3_finalize(s->ins_quarantine);
    sqlite3_finalize(s->upsert_state);
    buf_free(&s->position);
    buf_free(&s->last_sse_id);
    wiki_fields_free(&s->fields);
}

/* The stored resume token of the stream: 1 found, 0 none, -1 error. */
static int sink_load_position(sink *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT position, last_sse_id FROM wikimedia_stream_state WHERE stream=?1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, s->stream, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        buf_reset(&s->position);
        buf_append_str(&s->position, (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            buf_reset(&s->last_sse_id);
            buf_append_str(&s->last_sse_id, (const char *)sqlite3_column_text(st, 1));
        }
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

/* Rolls the open batch back and marks the sink failed (s->err says why). */
static void sink_abort(sink *s)
{
    store_rollback(s->db);
    s->in_tx = 0;
    s->failed = 1;
    if (s->hook) s->hook->rollback(s->hook->ctx);
}

static int sink_commit(sink *s)
{
    if (!s->in_tx) return 0;
    if (s->hook && s->hook->flush(s->hook->ctx, s->err, sizeof s->err) != 0) {
        sink_abort(s);
        return -1;
    }
    sqlite3_stmt *st = s->upsert_state;
    sqlite3_bind_text(st, 1, s->stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->position.data ? s->position.data : "", -1, SQLITE_STATIC);
    if (s->last_sse_id.len)
        sqlite3_bind_text(st, 3, s->last_sse_id.data, (int)s->last_sse_id.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, s->pending_events);
    sqlite3_bind_int64(st, 5, s->pending_quarantined);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        store_fail(s->db, s->err, sizeof s->err, "updating wikimedia_stream_state");
        sink_abort(s);
        return -1;
    }
    if (s->pending_quarantined) {
        char msg[200];
        snprintf(msg, sizeof msg, "%lld texts quarantined at ingest from %.150s",
                 (long long)s->pending_quarantined, s->stream);
        store_event(s->db, "wikimedia_bronze", "warn", "quarantine", msg, NULL);
    }
    char obs_wm[TIME_TEXT_LEN] = "";
    double obs_lag = -1;
    if (s->newest_dt != INT64_MIN) {
        time_format(s->newest_dt, obs_wm);
        obs_lag = (double)time_now_ms() / 1000.0 - (double)s->newest_dt;
        obs_gauge("wikigdelt_sse_lag_seconds", "source=\"wiki\"", obs_lag);
    }
    obs_flow_batch(s->db, s->cfg, &(obs_batch){.flow = "wikimedia_bronze", .start_ms = s->batch_wall_ms,
                   .input_rows = s->pending_events + s->pending_quarantined, .output_rows = s->pending_events,
                   .lag_seconds = obs_lag, .watermark = obs_wm[0] ? obs_wm : NULL});
    if (store_commit(s->db) != 0) {
        store_fail(s->db, s->err, sizeof s->err, "commit failed");
        s->in_tx = 0;
        s->failed = 1;
        if (s->hook) s->hook->rollback(s->hook->ctx);
        return -1;
    }
    s->in_tx = 0;
    s->stats->events += s->pending_events;
    s->stats->quarantined += s->pending_quarantined;
    s->stats->batches++;
    log_debug("wiki", "committed %lld events, %lld quarantined, position %.80s",
              (long long)s->pending_events, (long long)s->pending_quarantined,
              s->position.data ? s->position.data : "");
    s->pending = s->pending_events = s->pending_quarantined = 0;
    return 0;
}

static int sink_begin_if_needed(sink *s)
{
    if (s->in_tx) return 0;
    if (store_begin(s->db) != 0) {
        store_fail(s->db, s->err, sizeof s->err, "cannot begin a transaction");
        s->failed = 1;
        return -1;
    }
    s->in_tx = 1;
    s->batch_started_ms = time_monotonic_ms();
    s->batch_wall_ms = time_now_ms();
    s->newest_dt = INT64_MIN;
    if (s->hook) {
        /* bronze rows written without the hook are handed over first (the silver flow's
         * checkpoint can then move to this batch's last row) */
        char err[WG_ERR_LEN];
        if (s->hook->start(s->hook->ctx, err, sizeof err) != 0) {
            snprintf(s->err, sizeof s->err, "%s", err);
            err_prefix(s->err, sizeof s->err, s->hook->name);
            sink_abort(s);
            return -1;
        }
    }
    return 0;
}

/* Commits when the batch is full or old enough. */
static int sink_maybe_commit(sink *s)
{
    if (!s->in_tx || s->flushing) return 0;
    if (s->pending >= s->batch_events || time_monotonic_ms() - s->batch_started_ms >= s->batch_ms)
        return sink_commit(s);
    return 0;
}

static const char *sink_now(sink *s)
{
    int64_t now = s->flushing && s->held_received_ms > 0 ? s->held_received_ms : time_now_ms();
    if (now != s->received_at_ms) {
        s->received_at_ms = now;
        char t[TIME_TEXT_LEN];
        time_format(now / 1000, t);
        snprintf(s->received_at, sizeof s->received_at, "%s.%03d", t, (int)(now % 1000));
    }
    return s->received_at;
}

static void sink_set_position(sink *s, const char *position, size_t len, const char *sse_id,
                              size_t sse_id_len)
{
    if (position) {
        buf_reset(&s->position);
        buf_append(&s->position, position, len);
    }
    if (sse_id && sse_id_len) {
        buf_reset(&s->last_sse_id);
        buf_append(&s->last_sse_id, sse_id, sse_id_len);
    }
}

static int sink_quarantine(sink *s, const char *reason, const char *raw, size_t len,
                           size_t raw_bytes, const char *sse_id, size_t sse_id_len)
{
    if (sink_begin_if_needed(s) != 0) return -1;
    buf text = BUF_INIT;
    utf8_escape(raw, len, &text);
    sqlite3_stmt *st = s->ins_quarantine;
    sqlite3_bind_text(st, 1, s->stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->position.data ? s->position.data : "", -1, SQLITE_STATIC);
    if (sse_id && sse_id_len)
        sqlite3_bind_text(st, 3, sse_id, (int)sse_id_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, text.data ? text.data : "", (int)text.len, SQLITE_STATIC);
    if (raw_bytes == SIZE_MAX) /* only a prefix of a dropped oversized event is known */
        sqlite3_bind_null(st, 6);
    else
        sqlite3_bind_int64(st, 6, (int64_t)raw_bytes);
    sqlite3_bind_text(st, 7, sink_now(s), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    buf_free(&text);
    if (rc != SQLITE_DONE) {
        store_fail(s->db, s->err, sizeof s->err, "inserting into wikimedia_quarantine");
        s->failed = 1;
        return -1;
    }
    log_warn("wiki", "quarantined (%s) from %s", reason, s->stream);
    s->pending++;
    s->pending_quarantined++;
    if (!s->flushing) s->taken++;
    return sink_maybe_commit(s);
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v) /* the event outlives the step */
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* One event's text: validated, then a bronze row (or a quarantine row with the reason). The
 * position is updated first so that the commit covering this event stores the token after it. */
static int sink_event(sink *s, const char *data, size_t len, const char *sse_id, size_t sse_id_len,
                      const char *position, size_t position_len, json_t *parsed)
{
    sink_set_position(s, position, position_len, sse_id, sse_id_len);
    size_t bad;
    if (parsed) {
        /* produced by the wikiticker mapping: valid by construction */
    } else if (!utf8_valid(data, len, &bad)) {
        char reason[96];
        snprintf(reason, sizeof reason, "invalid UTF-8 at byte %zu of the event", bad);
        return sink_quarantine(s, reason, data, len, len, sse_id, sse_id_len);
    }
    /* The fields bronze and silver need, extracted once: by the scanner when it can decide,
     * else by jansson (whose message names the error of a text that does not parse). */
    json_t *ev = NULL;
    wiki_fields *f = &s->fields;
    int scanned = parsed ? 0 : wiki_fields_scan(f, data, len);
    if (scanned < 0) {
        snprintf(s->err, sizeof s->err, "out of memory");
        s->failed = 1;
        return -1;
    }
    if (!scanned) {
        json_error_t jerr;
        ev = parsed ? json_incref(parsed) : json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
        if (!ev || !json_is_object(ev)) {
            char reason[256];
            if (!ev)
                snprintf(reason, sizeof reason, "invalid JSON at line %d column %d: %s", jerr.line,
                         jerr.column, jerr.text);
            else
                snprintf(reason, sizeof reason, "JSON is not an object");
            json_decref(ev);
            return sink_quarantine(s, reason, data, len, len, sse_id, sse_id_len);
        }
        wiki_fields_from_json(f, ev);
    }
    if (sink_begin_if_needed(s) != 0) {
        json_decref(ev);
        return -1;
    }
    sqlite3_stmt *st = s->ins_bronze;
    sqlite3_bind_text(st, 1, s->stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->position.data ? s->position.data : "", (int)s->position.len,
                      SQLITE_STATIC);
    if (sse_id && sse_id_len)
        sqlite3_bind_text(st, 3, sse_id, (int)sse_id_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    bind_opt_text(st, 4, wiki_field_str(f, WF_META_ID));
    bind_opt_text(st, 5, wiki_field_str(f, WF_META_DT));
    int64_t dt;
    if (wiki_field_str(f, WF_META_DT) && time_parse_iso8601(wiki_field_str(f, WF_META_DT), &dt) == 0 &&
        dt > s->newest_dt)
        s->newest_dt = dt;
    bind_opt_text(st, 6, wiki_field_str(f, WF_META_TOPIC));
    if (wiki_field_is_int(f, WF_META_PARTITION)) sqlite3_bind_int64(st, 7, f->v[WF_META_PARTITION].i);
    else sqlite3_bind_null(st, 7);
    if (wiki_field_is_int(f, WF_META_OFFSET)) sqlite3_bind_int64(st, 8, f->v[WF_META_OFFSET].i);
    else sqlite3_bind_null(st, 8);
    sqlite3_bind_text(st, 9, sink_now(s), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, data, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        json_decref(ev);
        store_fail(s->db, s->err, sizeof s->err, "inserting into wikimedia_bronze");
        sink_abort(s);
        return -1;
    }
    if (s->hook) {
        char err[WG_ERR_LEN];
        rc = s->hook->row(s->hook->ctx, sqlite3_last_insert_rowid(s->db), f, data, len, err,
                          sizeof err);
        if (rc != 0) {
            json_decref(ev);
            snprintf(s->err, sizeof s->err, "%s", err);
            err_prefix(s->err, sizeof s->err, s->hook->name);
            sink_abort(s);
            if (rc == WIKI_ROW_RULE_FAILED) store_event(s->db, s->hook->name, "error", "expectation_failed", err, NULL);
            return -1;
        }
    }
    json_decref(ev);
    s->pending++;
    s->pending_events++;
    if (!s->flushing) s->taken++;
    return sink_maybe_commit(s);
}

/* Live mode: keeps a copy of the event (or of a dropped event's prefix) for the next batch. */
static int sink_hold(sink *s, const char *data, size_t len, const char *sse_id, size_t sse_id_len,
                     const char *reason)
{
    if (s->held_count == s->held_cap) {
        size_t cap = s->held_cap ? s->held_cap * 2 : 256;
        held_event *h = realloc(s->held, cap * sizeof *h);
        if (!h) goto oom;
        s->held = h;
        s->held_cap = cap;
    }
    held_event *e = &s->held[s->held_count];
    memset(e, 0, sizeof *e);
    e->data = malloc(len + 1);
    if (!e->data) goto oom;
    memcpy(e->data, data, len);
    e->data[len] = '\0';
    e->len = len;
    if (sse_id_len) {
        e->sse_id = malloc(sse_id_len + 1);
        if (!e->sse_id) goto oom_entry;
        memcpy(e->sse_id, sse_id, sse_id_len);
        e->sse_id[sse_id_len] = '\0';
        e->sse_id_len = sse_id_len;
    }
    if (reason && !(e->reason = strdup(reason))) goto oom_entry;
    e->received_ms = time_now_ms();
    if (s->held_count++ == 0) s->held_since_ms = time_monotonic_ms();
    s->taken++;
    return 0;
oom_entry:
    free(e->data);
    free(e->sse_id);
oom:
    snprintf(s->err, sizeof s->err, "out of memory holding events");
    s->failed = 1;
    return -1;
}

/* Writes the held events and the resume token in one transaction. */
static int sink_flush(sink *s)
{
    int rc = 0;
    s->flushing = 1;
    size_t i;
    for (i = 0; i < s->held_count && rc == 0; i++) {
        held_event *e = &s->held[i];
        s->held_received_ms = e->received_ms;
        if (e->reason)
            rc = sink_quarantine(s, e->reason, e->data, e->len, SIZE_MAX, e->sse_id, e->sse_id_len);
        else
            rc = sink_event(s, e->data, e->len, e->sse_id, e->sse_id_len, e->sse_id,
                            e->sse_id_len, NULL);
    }
    s->held_received_ms = 0;
    for (i = 0; i < s->held_count; i++) {
        free(s->held[i].data);
        free(s->held[i].sse_id);
        free(s->held[i].reason);
    }
    s->held_count = 0;
    s->flushing = 0;
    if (rc != 0) return -1;
    return sink_commit(s);
}

static int sink_flush_if_due(sink *s)
{
    if (s->held_count == 0) return 0;
    if ((int64_t)s->held_count >= s->batch_events ||
        time_monotonic_ms() - s->held_since_ms >= s->batch_ms)
        return sink_flush(s);
    return 0;
}

/* ================================================================ file replay */

typedef struct file_ctx {
    sink *s;
    int64_t max_events;
    int64_t deadline_ms;
} file_ctx;

static int file_on_record(void *ctx, const wiki_record *rec)
{
    file_ctx *f = ctx;
    sink *s = f->s;
    char pos[32];
    int n = snprintf(pos, sizeof pos, "%llu", (unsigned long long)rec->end_offset);
    int rc;
    if (rec->error) {
        sink_set_position(s, pos, (size_t)n, NULL, 0);
        rc = sink_quarantine(s, rec->error, rec->data, rec->len, SIZE_MAX, rec->sse_id,
                             rec->sse_id_len);
    } else {
        rc = sink_event(s, rec->data, rec->len, rec->sse_id, rec->sse_id_len, pos, (size_t)n,
                        rec->parsed);
    }
    if (rc != 0) return -1;
    if (f->max_events && s->taken >= f->max_events) return 1;
    if (stop_requested) return 1;
    if (f->deadline_ms && time_monotonic_ms() >= f->deadline_ms) return 1;
    return 0;
}

static int ingest_file(sink *s, const wiki_ingest_options *opt, const config *cfg, char *err,
                       size_t errlen)
{
    int found = sink_load_position(s);
    if (found < 0) {
        store_fail(s->db, err, errlen, "reading wikimedia_stream_state");
        return -1;
    }
    uint64_t start = found ? strtoull(s->position.data, NULL, 10) : 0;
    if (found) log_info("wiki", "resuming %s at byte %llu", opt->file, (unsigned long long)start);
    file_ctx f = {s, opt->max_events, 0};
    if (opt->duration_s > 0) f.deadline_ms = time_monotonic_ms() + (int64_t)(opt->duration_s * 1000);
    size_t max_event = (size_t)config_get_int(cfg, "wiki.max_event_bytes", 1 << 20);
    wiki_format fmt = 0;
    int rc = wiki_recording_read(opt->file, start, max_event, file_on_record, &f, &fmt, err, errlen);
    if (rc < 0 && s->failed) snprintf(err, errlen, "%s", s->err);
    if (rc >= 0 && sink_commit(s) != 0) {
        snprintf(err, errlen, "%s", s->err);
        return -1;
    }
    if (rc >= 0)
        log_info("wiki", "replayed %s (%s): %lld events, %lld quarantined", opt->file,
                 wiki_format_name(fmt), (long long)s->stats->events,
                 (long long)s->stats->quarantined);
    return rc < 0 ? -1 : 0;
}

/* ================================================================ live SSE client */

typedef struct live {
    sink *s;
    sse_parser parser;
    CURL *curl;
    int64_t max_events;
    int64_t deadline_ms;
    int64_t stall_ms;
    int64_t last_byte_ms;
    int64_t server_retry_ms;   /* from the stream's `retry` field; -1 none */
    int64_t retry_after_ms;    /* from a Retry-After header; -1 none */
    int64_t conn_events;       /* events on the current connection */
    int stopped;               /* we ended the transfer: limits reached or stop requested */
    int stalled;
    int failed;
} live;

static int live_should_stop(live *l)
{
    if (stop_requested) return 1;
    if (l->max_events && l->s->taken >= l->max_events) return 1;
    if (l->deadline_ms && time_monotonic_ms() >= l->deadline_ms) return 1;
    return 0;
}

static int live_on_event(void *ctx, const sse_event *ev)
{
    live *l = ctx;
    l->conn_events++;
    /* without an id the resume token stays the previous one: the best the server allows */
    if (sink_hold(l->s, ev->data, ev->data_len, ev->id, ev->id_len, NULL) != 0 ||
        sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return -1;
    }
    if (live_should_stop(l)) {
        l->stopped = 1;
        return 1;
    }
    return 0;
}

static int live_on_error(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                         size_t prefix_len, const char *id, size_t id_len, uint64_t offset)
{
    (void)kind;
    (void)offset;
    live *l = ctx;
    if (sink_hold(l->s, prefix, prefix_len, id, id_len, reason) != 0 ||
        sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return -1;
    }
    return 0;
}

static void live_on_comment(void *ctx, const char *text, size_t len)
{
    (void)text;
    (void)len;
    live *l = ctx;
    l->s->stats->heartbeats++;
}

static void live_on_retry(void *ctx, int64_t ms)
{
    live *l = ctx;
    l->server_retry_ms = ms;
}

static size_t live_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    live *l = userdata;
    size_t n = size * nmemb;
    l->last_byte_ms = time_monotonic_ms();
    obs_count("wikigdelt_flow_bytes_total", "flow=\"wikimedia_bronze\"", (double)n);
    int rc = sse_feed(&l->parser, data, n, NULL);
    if (rc != 0) return 0; /* aborts the transfer: stop or failure, flags say which */
    if (sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return 0;
    }
    return n;
}

static size_t live_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    live *l = userdata;
    size_t n = size * nmemb;
    if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        long secs = strtol(data + 12, NULL, 10);
        if (secs > 0 && secs < 86400) l->retry_after_ms = secs * 1000;
    }
    return n;
}

/* Called by libcurl about once a second and on every transfer: stalls, time-based commits, stop. */
static int live_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    live *l = userdata;
    if (sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return 1;
    }
    if (live_should_stop(l)) {
        l->stopped = 1;
        return 1;
    }
    if (time_monotonic_ms() - l->last_byte_ms > l->stall_ms) {
        l->stalled = 1;
        return 1;
    }
    return 0;
}

static void sleep_interruptible(live *l, int64_t ms)
{
    int64_t until = time_monotonic_ms() + ms;
    while (!live_should_stop(l) && time_monotonic_ms() < until) usleep(20 * 1000);
}

static int ingest_live(sink *s, const wiki_ingest_options *opt, const config *cfg, char *err,
                       size_t errlen)
{
    const char *url = opt->url ? opt->url : WIKI_DEFAULT_URL;
    live l;
    memset(&l, 0, sizeof l);
    l.s = s;
    l.max_events = opt->max_events;
    if (opt->duration_s > 0) l.deadline_ms = time_monotonic_ms() + (int64_t)(opt->duration_s * 1000);
    l.stall_ms = config_get_int(cfg, "wiki.stall_timeout_ms", 60000);
    l.server_retry_ms = -1;
    int64_t backoff_initial = config_get_int(cfg, "wiki.backoff_initial_ms", 1000);
    int64_t backoff_max = config_get_int(cfg, "wiki.backoff_max_ms", 60000);
    int64_t connect_timeout = config_get_int(cfg, "wiki.connect_timeout_ms", 15000);
    size_t max_line = (size_t)config_get_int(cfg, "wiki.max_line_bytes", 1 << 20);
    size_t max_event = (size_t)config_get_int(cfg, "wiki.max_event_bytes", 1 << 20);
    /* Wikimedia's User-Agent policy: name the client and give a way to reach its operator */
    char ua[512];
    const char *contact = config_get_str(cfg, "wiki.contact", NULL);
    const char *custom = config_get_str(cfg, "wiki.user_agent", NULL);
    if (custom)
        snprintf(ua, sizeof ua, "%s", custom);
    else
        snprintf(ua, sizeof ua,
                 "wikigdelt/0.1 (news and Wikipedia edits correlation pipeline; contact: %s) "
                 "libcurl/%s",
                 contact ? contact : "operator did not set wiki.contact",
                 curl_version_info(CURLVERSION_NOW)->version);
    if (!custom && !contact && strncmp(url, "http://127.0.0.1", 16) != 0)
        log_warn("wiki", "set wiki.contact (an email address or URL): Wikimedia asks every "
                         "client's User-Agent to say how to reach its operator");

    if (sink_load_position(s) < 0) {
        store_fail(s->db, err, errlen, "reading wikimedia_stream_state");
        return -1;
    }
    l.curl = curl_easy_init();
    if (!l.curl) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    int failures = 0, rc = 0;
    sse_callbacks cb = {live_on_event, live_on_comment, live_on_retry, live_on_error};
    while (!live_should_stop(&l)) {
        buf full = BUF_INIT;
        buf_append_str(&full, url);
        int have_id = s->position.len > 0;
        if (!have_id && opt->since) {
            char *esc = curl_easy_escape(l.curl, opt->since, 0);
            buf_appendf(&full, "%ssince=%s", strchr(url, '?') ? "&" : "?", esc ? esc : "");
            curl_free(esc);
        }
        struct curl_slist *headers = curl_slist_append(NULL, "Accept: text/event-stream");
        if (have_id) {
            buf h = BUF_INIT;
            buf_appendf(&h, "Last-Event-ID: %s", s->position.data);
            headers = curl_slist_append(headers, h.data);
            buf_free(&h);
        }
        if (sse_init(&l.parser, &cb, &l, max_line, max_event, 0) != 0 ||
            (s->position.len && sse_set_last_id(&l.parser, s->position.data, s->position.len))) {
            snprintf(err, errlen, "out of memory");
            curl_slist_free_all(headers);
            buf_free(&full);
            rc = -1;
            break;
        }
        curl_easy_reset(l.curl);
        curl_easy_setopt(l.curl, CURLOPT_URL, full.data);
        curl_easy_setopt(l.curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(l.curl, CURLOPT_USERAGENT, ua);
        curl_easy_setopt(l.curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(l.curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(l.curl, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(l.curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(l.curl, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(l.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_timeout);
        curl_easy_setopt(l.curl, CURLOPT_WRITEFUNCTION, live_write);
        curl_easy_setopt(l.curl, CURLOPT_WRITEDATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_HEADERFUNCTION, live_header);
        curl_easy_setopt(l.curl, CURLOPT_HEADERDATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_XFERINFOFUNCTION, live_progress);
        curl_easy_setopt(l.curl, CURLOPT_XFERINFODATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_NOPROGRESS, 0L);
        l.last_byte_ms = time_monotonic_ms();
        l.retry_after_ms = -1;
        l.conn_events = 0;
        l.stalled = 0;
        s->stats->connections++;
        log_info("wiki", "connecting to %s%s%.60s", full.data, have_id ? " with Last-Event-ID " : "",
                 have_id ? s->position.data : "");
        CURLcode cc = curl_easy_perform(l.curl);
        long status = 0;
        curl_easy_getinfo(l.curl, CURLINFO_RESPONSE_CODE, &status);
        char obs_labels[64];
        snprintf(obs_labels, sizeof obs_labels, "source=\"wiki\",code=\"%ld\"", status);
        obs_count("wikigdelt_source_fetches_total", obs_labels, 1);
        /* Complete events received before the connection ended are committed before
         * reconnecting, so Last-Event-ID is exactly what is stored; a half-received event is
         * dropped with the parser and sent again by the server. */
        sse_free(&l.parser);
        curl_slist_free_all(headers);
        buf_free(&full);
        if (l.failed || s->failed || sink_flush(s) != 0) {
            snprintf(err, errlen, "%s", s->err[0] ? s->err : "ingest failed");
            rc = -1;
            break;
        }
        if (l.stopped || live_should_stop(&l)) break;
        obs_count("wikigdelt_source_reconnects_total", "source=\"wiki\"", 1);
        int64_t delay;
        if (cc == CURLE_HTTP_RETURNED_ERROR && status != 429 && status != 408 && status < 500) {
            snprintf(err, errlen, "%s answered HTTP %ld; check the URL (retrying cannot help)",
                     url, status);
            rc = -1;
            break;
        }
        /* every fault survived is counted in the event log (kind http_error, stall, disconnect) */
        char fault_msg[1024];
        if (cc == CURLE_HTTP_RETURNED_ERROR) {
            s->stats->http_errors++;
            failures++;
            log_warn("wiki", "%s answered HTTP %ld; backing off", url, status);
            snprintf(fault_msg, sizeof fault_msg, "%.600s answered HTTP %ld%s", url, status,
                     l.retry_after_ms >= 0 ? " with Retry-After" : "");
            store_event(s->db, "wikimedia_bronze", "warn", "http_error", fault_msg, NULL);
        } else if (l.stalled) {
            s->stats->stalls++;
            failures++;
            log_warn("wiki", "no bytes from %s for %lld ms; reconnecting", url,
                     (long long)l.stall_ms);
            snprintf(fault_msg, sizeof fault_msg, "no bytes from %.600s for %lld ms after %lld events",
                     url, (long long)l.stall_ms, (long long)l.conn_events);
            store_event(s->db, "wikimedia_bronze", "warn", "stall", fault_msg, NULL);
        } else {
            if (l.conn_events > 0) failures = 0; else failures++;
            log_info("wiki", "connection ended after %lld events (%s); reconnecting",
                     (long long)l.conn_events,
                     cc == CURLE_OK ? "closed by the server" : curl_easy_strerror(cc));
            if (cc != CURLE_OK) {
                snprintf(fault_msg, sizeof fault_msg, "connection to %.600s lost after %lld events: %s",
                         url, (long long)l.conn_events, curl_easy_strerror(cc));
                store_event(s->db, "wikimedia_bronze", "warn", "disconnect", fault_msg, NULL);
            }
        }
        int64_t base = l.server_retry_ms >= 0 ? l.server_retry_ms : backoff_initial;
        delay = base;
        for (int i = 1; i < failures && delay < backoff_max; i++) delay *= 2;
        if (delay > backoff_max) delay = backoff_max;
        if (l.retry_after_ms > delay) delay = l.retry_after_ms;
        sleep_interruptible(&l, delay);
    }
    curl_easy_cleanup(l.curl);
    return rc;
}

/* ================================================================ entry */

int wiki_ingest_run(sqlite3 *db, const config *cfg, const wiki_ingest_options *opt,
                    wiki_ingest_stats *stats, char *err, size_t errlen)
{
    stop_requested = 0;
    memset(stats, 0, sizeof *stats);
    char key[PATH_MAX + 8];
    wiki_stream_key(opt->file, opt->url ? opt->url : WIKI_DEFAULT_URL, key, sizeof key);
    sink s;
    if (sink_open(&s, db, cfg, key, opt->hook, stats) != 0) {
        snprintf(err, errlen, "%s", s.err);
        sink_close(&s);
        return -1;
    }
    int rc = opt->file ? ingest_file(&s, opt, cfg, err, errlen)
                       : ingest_live(&s, opt, cfg, err, errlen);
    sink_close(&s);
    return rc;
}

/* ================================================================ events from another transport */

struct wiki_bronze_writer {
    sink s;
};

int wiki_bronze_open(sqlite3 *db, const config *cfg, const char *stream, wiki_ingest_stats *stats,
                     wiki_bronze_writer **out, char *err, size_t errlen)
{
    wiki_bronze_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(stats, 0, sizeof *stats);
    if (sink_open(&w->s, db, cfg, stream, 0, stats) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        sink_close(&w->s);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

store_lookup wiki_bronze_position(wiki_bronze_writer *w, char *out, size_t outlen)
{
    int found = sink_load_position(&w->s);
    if (found == 1) snprintf(out, outlen, "%s", w->s.position.data ? w->s.position.data : "");
    return found;
}

int wiki_bronze_event(wiki_bronze_writer *w, const char *data, size_t len, const char *position,
                      char *err, size_t errlen)
{
    if (sink_event(&w->s, data, len, NULL, 0, position, strlen(position), NULL) != 0 ||
        sink_maybe_commit(&w->s) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        return -1;
    }
    return 0;
}

int wiki_bronze_commit(wiki_bronze_writer *w, char *err, size_t errlen)
{
    if (sink_commit(&w->s) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        return -1;
    }
    return 0;
}

void wiki_bronze_close(wiki_bronze_writer *w)
{
    if (!w) return;
    sink_close(&w->s);
    free(w);
}
