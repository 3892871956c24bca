/* What the server's own modules share beyond serve.h: the worker of the calling thread, the
 * pool of connections for streamed answers, the audit record of a request and the gold stream's
 * suspend/resume hub. Not for handlers outside src/serve. */
#ifndef WG_SERVE_INTERNAL_H
#define WG_SERVE_INTERNAL_H

#include "serve/serve.h"

#include <pthread.h>

/* The audit record of one request; the server writes it when the answer is complete. */
typedef struct serve_audit_rec {
    char principal[GOVERN_NAME_MAX];
    char client[64];
    char route[160];
    char *sql;
    char outcome[16];
    char reason[256];
    int64_t rows;
    int64_t start_us;
    double duration_ms;
    int status;
    struct serve_audit_rec *next;
} serve_audit_rec;

/* A read-only governed connection lent to a streamed answer for its whole life. */
typedef struct serve_stream_conn {
    sqlite3 *db;
    govern_session *session;
    struct serve_stream_conn *next;
} serve_stream_conn;

typedef struct serve_settings {
    int64_t max_body_bytes;
    int64_t query_timeout_ms;
    int64_t default_limit;
    int64_t max_limit;
    int64_t max_stream_rows;
    int64_t max_response_bytes;
    int max_streams;
    int max_sse;
    int64_t sse_poll_ms;
    int64_t sse_keepalive_ms;
    int auth_fail_limit;
    int64_t auth_fail_window_s;
} serve_settings;

const serve_settings *serve_settings_of(const serve_request *req);
serve_server *serve_server_of(const serve_request *req);
/* The request's audit record (a streamed answer updates its rows and outcome as it goes). */
serve_audit_rec *serve_request_audit(const serve_request *req);
/* The owner's read-only connection of the calling worker (no authorizer): authentication,
 * catalog. */
sqlite3 *serve_request_sysdb(const serve_request *req);
/* The libmicrohttpd connection of the request (for the gold stream's parking). */
void *serve_request_connection(const serve_request *req);
const char *serve_web_dir(const serve_server *s);

/* Lends a governed connection for a stream (NULL when all serve.max_streams are in use). */
serve_stream_conn *serve_stream_conn_acquire(serve_server *s, char *err, size_t errlen);
void serve_stream_conn_release(serve_server *s, serve_stream_conn *c);

/* The calling worker thread's governed connection and session (for a stream callback, which
 * runs on the thread that owns the HTTP connection). */
int serve_current_worker(serve_server *s, sqlite3 **db, govern_session **session);

/* The gold stream hub: a stream with nothing to send parks its HTTP connection until a row with
 * an id above last_id commits (or a keep-alive is due). Returns 1 when parked (the callback must
 * return 0), 0 when rows are already there (fetch again), -1 when the server is stopping. */
int serve_sse_park(serve_server *s, void *conn, int64_t last_id);
void serve_sse_unpark(serve_server *s, void *conn);
int64_t serve_sse_max_id(serve_server *s);
int serve_sse_slot(serve_server *s, int delta); /* 0 ok, -1 when serve.max_sse are open */
int serve_stopping(const serve_server *s);

/* JSON text helpers (json_text.c). */
void json_append_string(buf *b, const char *s, size_t n);
void json_append_column(buf *b, sqlite3_stmt *st, int col);
/* 1 if text is all valid UTF-8. */
int utf8_valid(const char *s, size_t n);

/* Static files of the web pages (static_files.c). */
int serve_static(serve_request *req, serve_response *resp, const char *web_dir);

#endif
