/* The HTTP server (`wikigdelt serve`, and a supervised part of `run` and `demo`): libmicrohttpd
 * with a thread pool, one read-only SQLite connection per worker bound to the caller's principal
 * through a govern_session, JSON errors, static files for the web pages.
 *
 * Routes are listed in one table in src/serve/routes.c; a module that answers HTTP (the SQL API,
 * the assistant, metrics) adds one line there and implements a serve_handler_fn. Handlers fill a
 * serve_response; the server sends it, counts it and audits it. */
#ifndef WG_SERVE_H
#define WG_SERVE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

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
    sqlite3 *db;                      /* the worker's read-only connection */
    const config *cfg;
    const char *home;                 /* the pipeline home */
    void *impl;                       /* the server's own (query string, headers) */
} serve_request;

typedef struct serve_response {
    int status;                       /* 200 unless set */
    char content_type[96];            /* "application/json" unless set */
    buf body;
    char audit_sql[1];                /* reserved */
} serve_response;

/* A handler answers 0 when it filled resp (any status), -1 on an internal failure (500). */
typedef int (*serve_handler_fn)(serve_request *req, serve_response *resp);

enum { SERVE_PUBLIC = 0, SERVE_AUTH = 1 };

/* A query-string parameter ("?since=12"), or NULL. */
const char *serve_query_param(const serve_request *req, const char *key);
/* A request header, or NULL. */
const char *serve_header(const serve_request *req, const char *name);
/* Fills resp with {"error": message, "code": code} and the status. */
void serve_error(serve_response *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
