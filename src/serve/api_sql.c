/* POST /api/sql: one read-only statement under the caller's rights.
 *
 * Body: {"sql": "...", "params": [...] or {"name": ...}, "format": "json"|"csv"|"ndjson",
 * "limit": N}. JSON answers carry the columns (name, type), the rows as arrays, row_count,
 * truncated (more rows than the limit) and elapsed_ms. CSV and ndjson stream on a connection
 * lent for the whole answer. Every query runs under serve.query_timeout_ms; a query stopped by it
 * is an error (408), never a partial result: a stream that fails after its first bytes are out
 * cuts the connection (and ndjson's last line says why). */
#include "serve/handlers.h"
#include "serve/serve_internal.h"

#include "core/timeutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum sql_format { FMT_JSON, FMT_CSV, FMT_NDJSON };

typedef struct sql_body {
    const char *sql;
    json_t *params;
    enum sql_format fmt;
    int64_t limit;
    int limit_given;
} sql_body;

static double elapsed_ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* 0 when the body is usable; otherwise resp holds the 400. */
static int parse_body(serve_request *req, serve_response *resp, json_t **root, sql_body *b)
{
    const serve_settings *set = serve_settings_of(req);
    memset(b, 0, sizeof *b);
    b->limit = set->default_limit;
    if (!req->body || !req->body_len) {
        serve_error(resp, 400, "bad_request", "the body must be a JSON object like {\"sql\": \"SELECT 1\"}");
        return -1;
    }
    json_error_t je;
    *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!*root) {
        serve_error(resp, 400, "bad_json", "the body is not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        return -1;
    }
    if (!json_is_object(*root)) {
        serve_error(resp, 400, "bad_request", "the body must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(*root, key, v) {
        if (!strcmp(key, "sql")) {
            if (!json_is_string(v) || !*json_string_value(v)) {
                serve_error(resp, 400, "bad_request", "\"sql\" must be a non-empty string");
                return -1;
            }
            if (strlen(json_string_value(v)) != json_string_length(v)) {
                serve_error(resp, 400, "bad_request", "\"sql\" contains a NUL character");
                return -1;
            }
            b->sql = json_string_value(v);
        } else if (!strcmp(key, "params")) {
            if (!json_is_array(v) && !json_is_object(v) && !json_is_null(v)) {
                serve_error(resp, 400, "bad_request", "\"params\" must be an array (?1, ?2 ...) or an object (:name)");
                return -1;
            }
            b->params = json_is_null(v) ? NULL : v;
        } else if (!strcmp(key, "format")) {
            const char *f = json_is_string(v) ? json_string_value(v) : "";
            if (!strcmp(f, "json")) b->fmt = FMT_JSON;
            else if (!strcmp(f, "csv")) b->fmt = FMT_CSV;
            else if (!strcmp(f, "ndjson")) b->fmt = FMT_NDJSON;
            else {
                serve_error(resp, 400, "bad_request", "\"format\" must be \"json\", \"csv\" or \"ndjson\"");
                return -1;
            }
        } else if (!strcmp(key, "limit")) {
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                serve_error(resp, 400, "bad_request", "\"limit\" must be an integer >= 0");
                return -1;
            }
            b->limit = json_integer_value(v);
            b->limit_given = 1;
            if (b->fmt == FMT_JSON && b->limit > set->max_limit) b->limit = set->max_limit;
        } else {
            serve_error(resp, 400, "bad_request", "unknown field \"%s\" (sql, params, format, limit)", key);
            return -1;
        }
    }
    if (!b->sql) {
        serve_error(resp, 400, "bad_request", "the body needs \"sql\"");
        return -1;
    }
    if (b->fmt == FMT_JSON && b->limit > set->max_limit) b->limit = set->max_limit;
    return 0;
}

static int bind_value(sqlite3_stmt *st, int idx, json_t *v, char *err, size_t errlen, const char *what)
{
    int rc;
    switch (json_typeof(v)) {
    case JSON_STRING: rc = sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v), SQLITE_TRANSIENT); break;
    case JSON_INTEGER: rc = sqlite3_bind_int64(st, idx, json_integer_value(v)); break;
    case JSON_REAL: rc = sqlite3_bind_double(st, idx, json_real_value(v)); break;
    case JSON_TRUE: rc = sqlite3_bind_int(st, idx, 1); break;
    case JSON_FALSE: rc = sqlite3_bind_int(st, idx, 0); break;
    case JSON_NULL: rc = sqlite3_bind_null(st, idx); break;
    default:
        snprintf(err, errlen, "parameter %s must be a string, number, boolean or null", what);
        return -1;
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "parameter %s: %s", what, sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

static int bind_params(sqlite3_stmt *st, json_t *params, char *err, size_t errlen)
{
    if (!params) return 0;
    int nparam = sqlite3_bind_parameter_count(st);
    char what[96];
    if (json_is_array(params)) {
        if ((int)json_array_size(params) > nparam) {
            snprintf(err, errlen, "%zu parameters given, the statement has %d", json_array_size(params), nparam);
            return -1;
        }
        size_t i;
        json_t *v;
        json_array_foreach(params, i, v) {
            snprintf(what, sizeof what, "%zu", i + 1);
            if (bind_value(st, (int)i + 1, v, err, errlen, what) != 0) return -1;
        }
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v) {
        int idx = 0;
        if (key[0] == ':' || key[0] == '@' || key[0] == '$') {
            idx = sqlite3_bind_parameter_index(st, key);
        } else {
            static const char prefixes[] = ":@$";
            for (int p = 0; p < 3 && !idx; p++) {
                char name[128];
                snprintf(name, sizeof name, "%c%s", prefixes[p], key);
                idx = sqlite3_bind_parameter_index(st, name);
            }
        }
        if (!idx) {
            snprintf(err, errlen, "the statement has no parameter named :%.80s", key);
            return -1;
        }
        snprintf(what, sizeof what, ":%.80s", key);
        if (bind_value(st, idx, v, err, errlen, what) != 0) return -1;
    }
    return 0;
}

/* Maps a refused prepare onto its status. */
static void prepare_error(serve_response *resp, govern_result gr, const char *err)
{
    switch (gr) {
    case GOVERN_BAD_SQL: serve_error(resp, 400, "bad_sql", "%s", err); break;
    case GOVERN_DENIED: serve_error(resp, 403, "forbidden", "%s", err); break;
    case GOVERN_TIMEOUT: serve_error(resp, 408, "timeout", "%s", err); break;
    case GOVERN_NOT_FOUND: serve_error(resp, 400, "bad_sql", "%s", err); break;
    default: serve_error(resp, 500, "internal", "%s", err); break;
    }
}

/* Maps a failed step onto its status. */
static void step_error(serve_response *resp, sqlite3 *db, govern_session *s, int rc, const serve_settings *set)
{
    char err[WG_ERR_LEN];
    govern_result gr = govern_step_result(s, rc, err, sizeof err);
    if (gr == GOVERN_TIMEOUT)
        serve_error(resp, 408, "timeout", "the query ran past the time limit of %lld ms (serve.query_timeout_ms) and was stopped",
                    (long long)set->query_timeout_ms);
    else if (gr == GOVERN_DENIED)
        serve_error(resp, 403, "forbidden", "%s", err);
    else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED || (rc & 0xff) == SQLITE_NOMEM ||
             (rc & 0xff) == SQLITE_INTERRUPT)
        serve_error(resp, 503, "unavailable", "%s", store_errtext(db, err, sizeof err, "running the query"));
    else
        serve_error(resp, 400, "sql_error", "%s", err);
}

static const char *storage_name(int t)
{
    switch (t) {
    case SQLITE_INTEGER: return "INTEGER";
    case SQLITE_FLOAT: return "REAL";
    case SQLITE_TEXT: return "TEXT";
    case SQLITE_BLOB: return "BLOB";
    default: return NULL;
    }
}

static int answer_json(serve_request *req, serve_response *resp, sqlite3_stmt *st, const sql_body *b,
                       const struct timespec *t0)
{
    const serve_settings *set = serve_settings_of(req);
    int ncol = sqlite3_column_count(st);
    const char **types = calloc((size_t)ncol + 1, sizeof *types);
    buf rows = BUF_INIT;
    int64_t n = 0;
    int truncated = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n >= b->limit || (int64_t)rows.len > set->max_response_bytes) {
            truncated = 1;
            break;
        }
        buf_append_str(&rows, n ? ",[" : "[");
        for (int c = 0; c < ncol; c++) {
            if (c) buf_append(&rows, ",", 1);
            json_append_column(&rows, st, c);
            if (!types[c]) types[c] = storage_name(sqlite3_column_type(st, c));
        }
        buf_append(&rows, "]", 1);
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        step_error(resp, req->db, req->session, rc, set);
        free(types);
        buf_free(&rows);
        return 0;
    }
    buf *o = &resp->body;
    buf_reset(o);
    buf_append_str(o, "{\"columns\":[");
    for (int c = 0; c < ncol; c++) {
        const char *name = sqlite3_column_name(st, c);
        const char *decl = sqlite3_column_decltype(st, c);
        buf_append_str(o, c ? ",{\"name\":" : "{\"name\":");
        json_append_string(o, name ? name : "", name ? strlen(name) : 0);
        buf_append_str(o, ",\"type\":");
        const char *t = decl && *decl ? decl : types[c];
        if (t) json_append_string(o, t, strlen(t));
        else buf_append_str(o, "null");
        buf_append(o, "}", 1);
    }
    buf_append_str(o, "],\"rows\":[");
    if (rows.len) buf_append(o, rows.data, rows.len);
    buf_appendf(o, "],\"row_count\":%lld,\"truncated\":%s,\"limit\":%lld,\"elapsed_ms\":%.3f}\n", (long long)n,
                truncated ? "true" : "false", (long long)b->limit, elapsed_ms_since(t0));
    resp->status = 200;
    snprintf(resp->content_type, sizeof resp->content_type, "application/json");
    resp->audit_rows = n;
    if (truncated) snprintf(resp->audit_reason, sizeof resp->audit_reason, "truncated at %lld rows", (long long)n);
    free(types);
    buf_free(&rows);
    return 0;
}

/* ---- streamed answers ---- */
typedef struct row_stream {
    serve_server *srv;
    serve_stream_conn *conn;
    sqlite3_stmt *st;
    enum sql_format fmt;
    int ncol;
    buf *keys;               /* ndjson: the column names as JSON strings */
    int64_t rows, limit;
    int limit_given;
    int done;                /* no more rows */
    int failed;              /* after the pending bytes, cut the connection */
    char error[WG_ERR_LEN];
    buf pending;
    size_t pos;
    serve_audit_rec *audit;
    int64_t query_timeout_ms;
} row_stream;

static void csv_append(buf *b, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') quote = 1;
    if (!quote) {
        buf_append(b, s, n);
        return;
    }
    buf_append(b, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            buf_append(b, s + start, i + 1 - start);
            buf_append(b, "\"", 1);
            start = i + 1;
        }
    }
    buf_append(b, s + start, n - start);
    buf_append(b, "\"", 1);
}

static void stream_header(row_stream *rs)
{
    if (rs->fmt != FMT_CSV) return;
    for (int c = 0; c < rs->ncol; c++) {
        if (c) buf_append(&rs->pending, ",", 1);
        const char *name = sqlite3_column_name(rs->st, c);
        csv_append(&rs->pending, name ? name : "", name ? strlen(name) : 0);
    }
    buf_append(&rs->pending, "\r\n", 2);
}

/* Steps rows into pending until it holds target bytes or the rows end (or fail). */
static void stream_fill(row_stream *rs, size_t target, const serve_settings *set)
{
    while (!rs->done && rs->pending.len - rs->pos < target) {
        int rc = sqlite3_step(rs->st);
        if (rc == SQLITE_DONE) {
            rs->done = 1;
            break;
        }
        if (rc != SQLITE_ROW) {
            rs->done = rs->failed = 1;
            if (govern_session_timed_out(rs->conn->session))
                snprintf(rs->error, sizeof rs->error, "the query ran past the time limit of %lld ms (serve.query_timeout_ms) and was stopped",
                         (long long)rs->query_timeout_ms);
            else
                store_fail(rs->conn->db, rs->error, sizeof rs->error, "running the query");
            break;
        }
        if (rs->rows >= rs->limit) {
            rs->done = 1;
            if (!rs->limit_given) {
                rs->failed = 1;
                snprintf(rs->error, sizeof rs->error, "more than %lld rows (serve.max_stream_rows); add a LIMIT", (long long)rs->limit);
            }
            break;
        }
        if (rs->fmt == FMT_CSV) {
            for (int c = 0; c < rs->ncol; c++) {
                if (c) buf_append(&rs->pending, ",", 1);
                int t = sqlite3_column_type(rs->st, c);
                if (t == SQLITE_NULL) continue;
                if (t == SQLITE_BLOB) {
                    buf_appendf(&rs->pending, "<blob %d bytes>", sqlite3_column_bytes(rs->st, c));
                    continue;
                }
                if (t == SQLITE_FLOAT) {
                    json_append_column(&rs->pending, rs->st, c);
                    continue;
                }
                const char *s = (const char *)sqlite3_column_text(rs->st, c);
                csv_append(&rs->pending, s ? s : "", (size_t)sqlite3_column_bytes(rs->st, c));
            }
            buf_append(&rs->pending, "\r\n", 2);
        } else {
            buf_append(&rs->pending, "{", 1);
            for (int c = 0; c < rs->ncol; c++) {
                if (c) buf_append(&rs->pending, ",", 1);
                buf_append(&rs->pending, rs->keys[c].data, rs->keys[c].len);
                buf_append(&rs->pending, ":", 1);
                json_append_column(&rs->pending, rs->st, c);
            }
            buf_append(&rs->pending, "}\n", 2);
        }
        rs->rows++;
    }
    (void)set;
    if (rs->audit) {
        rs->audit->rows = rs->rows;
        if (rs->failed) {
            snprintf(rs->audit->outcome, sizeof rs->audit->outcome, "error");
            snprintf(rs->audit->reason, sizeof rs->audit->reason, "stream stopped: %.200s", rs->error);
        }
    }
}

static void row_stream_free(void *ctx)
{
    row_stream *rs = ctx;
    if (!rs) return;
    sqlite3_finalize(rs->st);
    if (rs->conn) serve_stream_conn_release(rs->srv, rs->conn);
    rs->conn = NULL;
    if (rs->keys) {
        for (int c = 0; c < rs->ncol; c++) buf_free(&rs->keys[c]);
        free(rs->keys);
    }
    buf_free(&rs->pending);
    free(rs);
}

/* Gives the borrowed connection back as soon as the rows are over, not when libmicrohttpd gets
 * round to freeing the answer. */
static void row_stream_release(row_stream *rs)
{
    sqlite3_finalize(rs->st);
    rs->st = NULL;
    if (rs->conn) serve_stream_conn_release(rs->srv, rs->conn);
    rs->conn = NULL;
}

static ssize_t row_stream_read(void *ctx, char *out, size_t max)
{
    row_stream *rs = ctx;
    if (rs->pos >= rs->pending.len) {
        buf_reset(&rs->pending);
        rs->pos = 0;
        if (rs->failed || rs->done) row_stream_release(rs);
        if (rs->failed) return SERVE_STREAM_ERROR;
        if (rs->done) return SERVE_STREAM_END;
        stream_fill(rs, 32 * 1024, NULL);
        if (rs->failed && rs->fmt == FMT_NDJSON) {
            buf_append_str(&rs->pending, "{\"error\":");
            json_append_string(&rs->pending, rs->error, strlen(rs->error));
            buf_append_str(&rs->pending, ",\"code\":\"stream_stopped\"}\n");
        }
        if (rs->done) row_stream_release(rs);
        if (rs->pos >= rs->pending.len) return rs->failed ? SERVE_STREAM_ERROR : SERVE_STREAM_END;
    }
    size_t n = rs->pending.len - rs->pos;
    if (n > max) n = max;
    memcpy(out, rs->pending.data + rs->pos, n);
    rs->pos += n;
    return (ssize_t)n;
}

static int answer_stream(serve_request *req, serve_response *resp, const sql_body *b)
{
    const serve_settings *set = serve_settings_of(req);
    serve_server *srv = serve_server_of(req);
    char err[WG_ERR_LEN];
    serve_stream_conn *conn = serve_stream_conn_acquire(srv, err, sizeof err);
    if (!conn) {
        serve_error(resp, 503, "overloaded", "%s", err);
        serve_set_header(resp, "Retry-After", "2");
        return 0;
    }
    row_stream *rs = calloc(1, sizeof *rs);
    rs->srv = srv;
    rs->conn = conn;
    rs->fmt = b->fmt;
    rs->limit = b->limit_given ? b->limit : set->max_stream_rows;
    rs->limit_given = b->limit_given;
    rs->query_timeout_ms = set->query_timeout_ms;
    if (govern_session_bind(conn->session, req->principal, err, sizeof err) != 0) {
        serve_error(resp, 500, "internal", "cannot bind the session: %s", err);
        row_stream_free(rs);
        return 0;
    }
    govern_result gr = govern_prepare(conn->session, b->sql, &rs->st, err, sizeof err);
    if (gr != GOVERN_OK) {
        prepare_error(resp, gr, err);
        row_stream_free(rs);
        return 0;
    }
    if (bind_params(rs->st, b->params, err, sizeof err) != 0) {
        serve_error(resp, 400, "bad_params", "%s", err);
        row_stream_free(rs);
        return 0;
    }
    rs->ncol = sqlite3_column_count(rs->st);
    if (rs->fmt == FMT_NDJSON) {
        rs->keys = calloc((size_t)rs->ncol + 1, sizeof *rs->keys);
        for (int c = 0; c < rs->ncol; c++) {
            const char *name = sqlite3_column_name(rs->st, c);
            json_append_string(&rs->keys[c], name ? name : "", name ? strlen(name) : 0);
        }
    }
    govern_session_deadline(conn->session, set->query_timeout_ms);
    stream_header(rs);
    /* The first 64 KiB decide the status: an error before them is a proper error answer. */
    stream_fill(rs, 64 * 1024, set);
    if (rs->failed) {
        if (govern_session_timed_out(conn->session))
            serve_error(resp, 408, "timeout", "%s", rs->error);
        else if (!strncmp(rs->error, "more than", 9))
            serve_error(resp, 400, "row_limit", "%s", rs->error);
        else
            serve_error(resp, 400, "sql_error", "%s", rs->error);
        row_stream_free(rs);
        return 0;
    }
    resp->status = 200;
    snprintf(resp->content_type, sizeof resp->content_type, "%s",
             rs->fmt == FMT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson");
    if (rs->done) {
        buf_reset(&resp->body);
        buf_append(&resp->body, rs->pending.data ? rs->pending.data : "", rs->pending.len);
        resp->audit_rows = rs->rows;
        row_stream_free(rs);
        return 0;
    }
    rs->audit = serve_request_audit(req);
    resp->stream = row_stream_read;
    resp->stream_ctx = rs;
    resp->stream_free = row_stream_free;
    return 0;
}

int serve_api_sql(serve_request *req, serve_response *resp)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const serve_settings *set = serve_settings_of(req);
    json_t *root = NULL;
    sql_body b;
    if (req->body) serve_audit_sql(resp, req->body_len > 4096 ? "(body over 4096 bytes)" : req->body);
    if (parse_body(req, resp, &root, &b) != 0) {
        json_decref(root);
        return 0;
    }
    serve_audit_sql(resp, b.sql);
    int rc = 0;
    if (b.fmt != FMT_JSON) {
        rc = answer_stream(req, resp, &b);
        json_decref(root);
        return rc;
    }
    sqlite3_stmt *st = NULL;
    char err[WG_ERR_LEN];
    govern_result gr = govern_prepare(req->session, b.sql, &st, err, sizeof err);
    if (gr != GOVERN_OK) {
        prepare_error(resp, gr, err);
    } else if (bind_params(st, b.params, err, sizeof err) != 0) {
        serve_error(resp, 400, "bad_params", "%s", err);
    } else {
        govern_session_deadline(req->session, set->query_timeout_ms);
        rc = answer_json(req, resp, st, &b, &t0);
        govern_session_deadline(req->session, 0);
    }
    sqlite3_finalize(st);
    json_decref(root);
    return rc;
}
