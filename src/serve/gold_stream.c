/* GET /api/stream/gold?since=ID: new correlated_gold_events rows as Server-Sent Events, each
 * with `id:` = the row id, so a client that reconnects with Last-Event-ID resumes after the
 * last row it saw. The rows are read under the caller's rights like /api/sql (a principal who
 * may not read the table gets 403; one whose grant is revoked mid-stream gets an error event and
 * the end of the stream).
 *
 * A stream with nothing to send parks its HTTP connection (suspended in libmicrohttpd, no thread
 * held) until the server's hub sees a higher id commit or a keep-alive comment is due. Every
 * callback rebinds the worker's session to the stream's principal before it reads. */
#include "serve/handlers.h"
#include "serve/serve_internal.h"

#include "core/timeutil.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLD_STREAM_SQL "SELECT * FROM correlated_gold_events WHERE id > ?1 ORDER BY id LIMIT 200"

typedef struct gold_stream {
    serve_server *srv;
    void *conn;
    govern_principal principal;
    int64_t last_id;
    buf pending;
    size_t pos;
    int64_t rows;
    int ended;
    int64_t last_send_ms;
    int64_t keepalive_ms;
    int64_t timeout_ms;
    serve_audit_rec *audit;
} gold_stream;

static void event_error(gold_stream *gs, const char *code, const char *msg)
{
    buf_append_str(&gs->pending, "event: error\ndata: {\"error\":");
    json_append_string(&gs->pending, msg, strlen(msg));
    buf_appendf(&gs->pending, ",\"code\":\"%s\"}\n\n", code);
    gs->ended = 1;
    if (gs->audit) {
        snprintf(gs->audit->outcome, sizeof gs->audit->outcome, "error");
        snprintf(gs->audit->reason, sizeof gs->audit->reason, "stream ended: %.200s", msg);
    }
}

/* Appends the rows after last_id; returns how many. */
static int fetch(gold_stream *gs)
{
    sqlite3 *db;
    govern_session *sess;
    char err[WG_ERR_LEN];
    if (serve_current_worker(gs->srv, &db, &sess) != 0) {
        event_error(gs, "unavailable", "the lakehouse cannot be opened");
        return 0;
    }
    if (govern_session_bind(sess, &gs->principal, err, sizeof err) != 0) {
        event_error(gs, "internal", err);
        return 0;
    }
    sqlite3_stmt *st = NULL;
    govern_result gr = govern_prepare(sess, GOLD_STREAM_SQL, &st, err, sizeof err);
    if (gr != GOVERN_OK) {
        event_error(gs, gr == GOVERN_DENIED ? "forbidden" : "internal", err);
        return 0;
    }
    sqlite3_bind_int64(st, 1, gs->last_id);
    govern_session_deadline(sess, gs->timeout_ms);
    int ncol = sqlite3_column_count(st), n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = gs->last_id;
        for (int c = 0; c < ncol; c++)
            if (!strcmp(sqlite3_column_name(st, c), "id")) id = sqlite3_column_int64(st, c);
        buf_appendf(&gs->pending, "id: %lld\nevent: gold\ndata: {", (long long)id);
        for (int c = 0; c < ncol; c++) {
            const char *name = sqlite3_column_name(st, c);
            if (c) buf_append(&gs->pending, ",", 1);
            json_append_string(&gs->pending, name, strlen(name));
            buf_append(&gs->pending, ":", 1);
            json_append_column(&gs->pending, st, c);
        }
        buf_append_str(&gs->pending, "}\n\n");
        if (id > gs->last_id) gs->last_id = id;
        n++;
    }
    if (rc != SQLITE_DONE) {
        char why[WG_ERR_LEN];
        event_error(gs, "sql_error", store_errtext(db, why, sizeof why, "reading the gold rows"));
    }
    govern_session_deadline(sess, 0);
    sqlite3_finalize(st);
    gs->rows += n;
    if (gs->audit) gs->audit->rows = gs->rows;
    return n;
}

static ssize_t gold_stream_read(void *ctx, char *out, size_t max)
{
    gold_stream *gs = ctx;
    for (int attempt = 0; gs->pos >= gs->pending.len; attempt++) {
        buf_reset(&gs->pending);
        gs->pos = 0;
        if (gs->ended || serve_stopping(gs->srv)) return SERVE_STREAM_END;
        if (fetch(gs) > 0 || gs->pending.len) break;
        int64_t now = time_monotonic_ms();
        if (now - gs->last_send_ms >= gs->keepalive_ms) {
            buf_append_str(&gs->pending, ": keep-alive\n\n");
            break;
        }
        int parked = serve_sse_park(gs->srv, gs->conn, gs->last_id);
        if (parked == 1) return 0;
        if (parked < 0) return SERVE_STREAM_END;
        /* The hub saw a higher id that this read did not: a commit between the two; try again,
         * but never spin. */
        if (attempt >= 2) {
            int64_t max_id = serve_sse_max_id(gs->srv);
            if (max_id > gs->last_id) gs->last_id = max_id;
        }
    }
    size_t n = buf_copy_out(&gs->pending, &gs->pos, out, max);
    gs->last_send_ms = time_monotonic_ms();
    return (ssize_t)n;
}

static void gold_stream_free(void *ctx)
{
    gold_stream *gs = ctx;
    serve_sse_unpark(gs->srv, gs->conn);
    serve_sse_slot(gs->srv, -1);
    buf_free(&gs->pending);
    free(gs);
}

static int parse_id(const char *s, int64_t *out)
{
    if (!s || !*s) return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end || v < 0) return -1;
    *out = v;
    return 1;
}

int serve_api_stream_gold(serve_request *req, serve_response *resp)
{
    serve_server *srv = serve_server_of(req);
    const serve_settings *set = serve_settings_of(req);
    int64_t since = -1;
    const char *lei = serve_header(req, "Last-Event-ID");
    const char *sp = serve_query_param(req, "since");
    int r = parse_id(lei, &since);
    if (r == 0) r = parse_id(sp, &since);
    if (r < 0) {
        serve_error(resp, 400, "bad_request", "since / Last-Event-ID must be a row id (an integer >= 0)");
        return 0;
    }
    char audit_text[128];
    snprintf(audit_text, sizeof audit_text, "stream correlated_gold_events since %lld", (long long)since);
    serve_audit_sql(resp, audit_text);
    /* The same rights as /api/sql: the caller must be able to read the table. */
    sqlite3_stmt *st = NULL;
    char err[WG_ERR_LEN];
    govern_result gr = govern_prepare(req->session, GOLD_STREAM_SQL, &st, err, sizeof err);
    sqlite3_finalize(st);
    if (gr != GOVERN_OK) {
        if (gr == GOVERN_DENIED) serve_error(resp, 403, "forbidden", "%s", err);
        else serve_error(resp, 500, "internal", "%s", err);
        return 0;
    }
    if (since < 0) {
        /* No position given: only rows that commit from now on. */
        sqlite3 *sys = serve_request_sysdb(req);
        since = 0;
        if (sqlite3_prepare_v2(sys, "SELECT COALESCE(MAX(id), 0) FROM correlated_gold_events", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            since = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (serve_sse_slot(srv, 1) != 0) {
        serve_error(resp, 503, "overloaded", "all %d event streams are in use (serve.max_sse)", set->max_sse);
        serve_set_header(resp, "Retry-After", "5");
        return 0;
    }
    gold_stream *gs = calloc(1, sizeof *gs);
    if (!gs) {
        serve_sse_slot(srv, -1);
        return -1;
    }
    gs->srv = srv;
    gs->conn = serve_request_connection(req);
    gs->principal = *req->principal;
    gs->last_id = since;
    gs->keepalive_ms = set->sse_keepalive_ms;
    gs->timeout_ms = set->query_timeout_ms;
    gs->last_send_ms = time_monotonic_ms();
    gs->audit = serve_request_audit(req);
    buf_append_str(&gs->pending, "retry: 3000\n\n");
    resp->status = 200;
    snprintf(resp->content_type, sizeof resp->content_type, "text/event-stream; charset=utf-8");
    serve_set_header(resp, "Cache-Control", "no-cache");
    serve_set_header(resp, "X-Accel-Buffering", "no");
    resp->stream = gold_stream_read;
    resp->stream_ctx = gs;
    resp->stream_free = gold_stream_free;
    return 0;
}
