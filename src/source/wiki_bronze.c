/* Wikimedia recentchange source, the bronze writer: micro-batches of events into
 * wikimedia_bronze with the resume token in the same transaction, the ingest-stage quarantine,
 * the events held in memory between live commits, and the wiki_bronze_* API for other
 * transports (the Kafka source). */
#include "core/settings.h"
#include "source/wiki_bronze_int.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "format/utf8.h"
#include "format/wiki_fields.h"
#include "observe/observe.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ the bronze writer */



int wiki_sink_open(wiki_sink *s, sqlite3 *db, const config *cfg, const char *stream,
                     const wiki_bronze_hook *hook,
                     wiki_ingest_stats *stats)
{
    memset(s, 0, sizeof *s);
    s->db = db;
    s->cfg = cfg;
    snprintf(s->stream, sizeof s->stream, "%s", stream);
    s->batch_events = setting_int(cfg, "wiki.batch_events");
    s->batch_ms = setting_int(cfg, "wiki.batch_ms");
    if (s->batch_events < 1) s->batch_events = 1;
    if (s->batch_ms < 1) s->batch_ms = 1;
    s->stats = stats;
    /* Checkpoint less often than SQLite's default 1000 pages (4 MB): an ingest writes ~1.4 KB
     * per event, so the default checkpoints (copies, reads back and fsyncs) after nearly every
     * batch, and the event_id index's pages are copied once per batch instead of once per
     * checkpoint. 10000 pages (40 MB of WAL) gave ~15% more replay throughput. */
    store_tune_bulk(db, setting_int(cfg, "wiki.cache_mb"),
                    setting_int(cfg, "wiki.wal_autocheckpoint"));
    s->hook = hook;
    const store_stmt_def stmts[] = {
        {&s->ins_bronze,
         "INSERT INTO wikimedia_bronze(stream, position, sse_id, meta_id, meta_dt,"
         " topic, partition, kafka_offset, received_at, raw)"
         " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"},
        {&s->ins_quarantine,
         "INSERT INTO wikimedia_quarantine(stage, bronze_id, stream, position,"
         " sse_id, reason, raw, raw_bytes, received_at)"
         " VALUES ('ingest', NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&s->upsert_state,
         "INSERT INTO wikimedia_stream_state(stream, position, last_sse_id, events,"
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

void wiki_sink_close(wiki_sink *s)
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

store_lookup wiki_sink_load_position(wiki_sink *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT position, last_sse_id FROM wikimedia_stream_state WHERE stream=?1",
                           -1, &st, NULL) != SQLITE_OK)
        return STORE_LOOKUP_ERROR;
    sqlite3_bind_text(st, 1, s->stream, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    store_lookup found = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        buf_reset(&s->position);
        buf_append_str(&s->position, (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            buf_reset(&s->last_sse_id);
            buf_append_str(&s->last_sse_id, (const char *)sqlite3_column_text(st, 1));
        }
        found = STORE_FOUND;
    } else if (rc != SQLITE_DONE) {
        found = STORE_LOOKUP_ERROR;
    }
    sqlite3_finalize(st);
    return found;
}

/* Rolls the open batch back and marks the sink failed (s->err says why). */
static void wiki_sink_abort(wiki_sink *s)
{
    store_rollback(s->db);
    s->in_tx = 0;
    s->failed = 1;
    if (s->hook) s->hook->rollback(s->hook->ctx);
}

int wiki_sink_commit(wiki_sink *s)
{
    if (!s->in_tx) return 0;
    if (s->hook && s->hook->flush(s->hook->ctx, s->err, sizeof s->err) != 0) {
        wiki_sink_abort(s);
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
        wiki_sink_abort(s);
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

static int wiki_sink_begin_if_needed(wiki_sink *s)
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
            wiki_sink_abort(s);
            return -1;
        }
    }
    return 0;
}

/* Commits when the batch is full or old enough. */
int wiki_sink_maybe_commit(wiki_sink *s)
{
    if (!s->in_tx || s->flushing) return 0;
    if (s->pending >= s->batch_events || time_monotonic_ms() - s->batch_started_ms >= s->batch_ms)
        return wiki_sink_commit(s);
    return 0;
}

static const char *wiki_sink_now(wiki_sink *s)
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

void wiki_sink_set_position(wiki_sink *s, const char *position, size_t len, const char *sse_id,
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

int wiki_sink_quarantine(wiki_sink *s, const char *reason, const char *raw, size_t len,
                           size_t raw_bytes, const char *sse_id, size_t sse_id_len)
{
    if (wiki_sink_begin_if_needed(s) != 0) return -1;
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
    sqlite3_bind_text(st, 7, wiki_sink_now(s), -1, SQLITE_STATIC);
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
    return wiki_sink_maybe_commit(s);
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
int wiki_sink_event(wiki_sink *s, const char *data, size_t len, const char *sse_id, size_t sse_id_len,
                      const char *position, size_t position_len, json_t *parsed)
{
    wiki_sink_set_position(s, position, position_len, sse_id, sse_id_len);
    size_t bad;
    if (parsed) {
        /* produced by the wikiticker mapping: valid by construction */
    } else if (!utf8_valid(data, len, &bad)) {
        char reason[96];
        snprintf(reason, sizeof reason, "invalid UTF-8 at byte %zu of the event", bad);
        return wiki_sink_quarantine(s, reason, data, len, len, sse_id, sse_id_len);
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
            return wiki_sink_quarantine(s, reason, data, len, len, sse_id, sse_id_len);
        }
        wiki_fields_from_json(f, ev);
    }
    if (wiki_sink_begin_if_needed(s) != 0) {
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
    sqlite3_bind_text(st, 9, wiki_sink_now(s), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, data, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        json_decref(ev);
        store_fail(s->db, s->err, sizeof s->err, "inserting into wikimedia_bronze");
        wiki_sink_abort(s);
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
            wiki_sink_abort(s);
            if (rc == WIKI_ROW_RULE_FAILED) store_event(s->db, s->hook->name, "error", "expectation_failed", err, NULL);
            return -1;
        }
    }
    json_decref(ev);
    s->pending++;
    s->pending_events++;
    if (!s->flushing) s->taken++;
    return wiki_sink_maybe_commit(s);
}

/* Live mode: keeps a copy of the event (or of a dropped event's prefix) for the next batch. */
int wiki_sink_hold(wiki_sink *s, const char *data, size_t len, const char *sse_id, size_t sse_id_len,
                     const char *reason)
{
    if (s->held_count == s->held_cap) {
        size_t cap = s->held_cap ? s->held_cap * 2 : 256;
        wiki_held_event *h = realloc(s->held, cap * sizeof *h);
        if (!h) goto oom;
        s->held = h;
        s->held_cap = cap;
    }
    wiki_held_event *e = &s->held[s->held_count];
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
int wiki_sink_flush(wiki_sink *s)
{
    int rc = 0;
    s->flushing = 1;
    size_t i;
    for (i = 0; i < s->held_count && rc == 0; i++) {
        wiki_held_event *e = &s->held[i];
        s->held_received_ms = e->received_ms;
        if (e->reason)
            rc = wiki_sink_quarantine(s, e->reason, e->data, e->len, SIZE_MAX, e->sse_id, e->sse_id_len);
        else
            rc = wiki_sink_event(s, e->data, e->len, e->sse_id, e->sse_id_len, e->sse_id,
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
    return wiki_sink_commit(s);
}

int wiki_sink_flush_if_due(wiki_sink *s)
{
    if (s->held_count == 0) return 0;
    if ((int64_t)s->held_count >= s->batch_events ||
        time_monotonic_ms() - s->held_since_ms >= s->batch_ms)
        return wiki_sink_flush(s);
    return 0;
}

/* ================================================================ file replay */

/* ================================================================ events from another transport */

struct wiki_bronze_writer {
    wiki_sink s;
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
    if (wiki_sink_open(&w->s, db, cfg, stream, 0, stats) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        wiki_sink_close(&w->s);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

store_lookup wiki_bronze_position(wiki_bronze_writer *w, char *out, size_t outlen)
{
    store_lookup found = wiki_sink_load_position(&w->s);
    if (found == STORE_FOUND) snprintf(out, outlen, "%s", w->s.position.data ? w->s.position.data : "");
    return found;
}

int wiki_bronze_event(wiki_bronze_writer *w, const char *data, size_t len, const char *position,
                      char *err, size_t errlen)
{
    if (wiki_sink_event(&w->s, data, len, NULL, 0, position, strlen(position), NULL) != 0 ||
        wiki_sink_maybe_commit(&w->s) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        return -1;
    }
    return 0;
}

int wiki_bronze_commit(wiki_bronze_writer *w, char *err, size_t errlen)
{
    if (wiki_sink_commit(&w->s) != 0) {
        snprintf(err, errlen, "%s", w->s.err);
        return -1;
    }
    return 0;
}

void wiki_bronze_close(wiki_bronze_writer *w)
{
    if (!w) return;
    wiki_sink_close(&w->s);
    free(w);
}
