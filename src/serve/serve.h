/* The HTTP server (`wikigdelt serve`, and a supervised part of `run` and `demo`): libmicrohttpd
 * with a thread pool, one read-only SQLite connection per worker bound to the caller's principal
 * through a govern_session, JSON errors, static files for the web pages.
 *
 * Routes are listed in one table in src/serve/routes.c; a module that answers HTTP (the SQL API,
 * the assistant, metrics) adds one line there and implements a serve_handler_fn. Handlers fill a
 * serve_response; the server sends it, counts it and audits it. */
#ifndef WG_SERVE_H
#define WG_SERVE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/config.h"
#include "govern/govern.h"

typedef struct serve_request {
    const char *method;               /* "GET", "POST", ... */
    const char *path;                 /* "/api/sql" (no query string) */
    const char *body;                 /* NUL-terminated; NULL when empty */
    size_t body_len;
    const char *client;               /* "127.0.0.1:5123" */
    const govern_principal *principal;/* NULL on a public route */
    govern_session *session;          /* the worker's session, bound to principal (NULL on public) */
    sqlite3 *db;                      /* the worker's read-only connection (governed by session) */
    const config *cfg;
    const char *home;                 /* the pipeline home */
    void *impl;                       /* the server's own (query string, headers) */
} serve_request;

/* A streamed body: called until it returns SERVE_STREAM_END (or SERVE_STREAM_ERROR, which cuts
 * the connection so the client sees an incomplete answer, never a partial one passed as whole). */
enum { SERVE_STREAM_END = -1, SERVE_STREAM_ERROR = -2 };
typedef ssize_t (*serve_stream_fn)(void *ctx, char *out, size_t max);

#define SERVE_MAX_HEADERS 8

typedef struct serve_response {
    int status;                       /* 200 unless set */
    char content_type[96];            /* "application/json" unless set */
    buf body;
    /* What the audit log records for this request (serve_audit_sql / serve_error set them):
     * the SQL or other text, "allowed" / "refused" / "error", why, rows returned. */
    char *audit_sql;                  /* owned by the response */
    char audit_outcome[16];
    char audit_reason[256];
    int64_t audit_rows;
    /* Extra headers (serve_set_header). */
    int nheaders;
    char headers[SERVE_MAX_HEADERS][2][128];
    /* When set, the body is produced by stream(stream_ctx, ...) after the headers are sent, then
     * stream_free(stream_ctx). body is ignored. */
    serve_stream_fn stream;
    void *stream_ctx;
    void (*stream_free)(void *ctx);
} serve_response;

/* A handler answers 0 when it filled resp (any status), -1 on an internal failure (500). */
typedef int (*serve_handler_fn)(serve_request *req, serve_response *resp);

enum { SERVE_PUBLIC = 0, SERVE_AUTH = 1 };

/* One line of the route table (routes.c). path is exact ("/api/sql") or a prefix ending in '*'
 * ("/api/tables/" then a star matches "/api/tables/x"); method NULL accepts GET and POST. */
typedef struct serve_route {
    const char *method;
    const char *path;
    int access;                       /* SERVE_PUBLIC or SERVE_AUTH */
    serve_handler_fn handler;
} serve_route;
extern const serve_route serve_routes[];
extern const size_t serve_route_count;

/* ---- helpers for handlers ---- */
/* A query-string parameter ("?since=12"), or NULL. */
const char *serve_query_param(const serve_request *req, const char *key);
/* A request header, or NULL. */
const char *serve_header(const serve_request *req, const char *name);
/* Fills resp with {"error": message, "code": code} and the status; audits it as refused (4xx)
 * or error (5xx) with the message as the reason. */
void serve_error(serve_response *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Fills resp with the JSON value (reference stolen) and the status. */
int serve_json(serve_response *resp, int status, json_t *value);
/* Adds a response header (at most SERVE_MAX_HEADERS). */
void serve_set_header(serve_response *resp, const char *name, const char *value);
/* Records the SQL (or text) the audit log shows for this request. */
void serve_audit_sql(serve_response *resp, const char *sql);

/* ---- the server ---- */
typedef struct serve_server serve_server;
/* Starts listening on serve.address (default 127.0.0.1:8080; port_override >= 0 replaces the
 * port, 0 = any free port) with the settings under serve.*; db_path must be migrated. */
serve_server *serve_start(const config *cfg, const char *home, const char *db_path, int port_override,
                          char *err, size_t errlen);
int serve_port(const serve_server *s);
const char *serve_bound_address(const serve_server *s); /* "127.0.0.1:8080" */
void serve_stop(serve_server *s);

#endif
