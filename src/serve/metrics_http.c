/* GET /metrics and GET /readyz on the serve port (two lines in src/serve/routes.c). */
#include "serve/metrics_http.h"

#include "observe/observe.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* The worker's connection is governed (a public route has no principal to read as): the system
 * tables these routes read come through a read-only connection of their own. */
static sqlite3 *open_store(serve_request *req, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/wikigdelt.db", req->home ? req->home : ".");
    sqlite3 *db = NULL;
    char err[WG_ERR_LEN];
    if (store_open(path, req->cfg, STORE_READONLY, &db, err, sizeof err) != 0) return NULL;
    return db;
}

int observe_metrics_handler(serve_request *req, serve_response *resp)
{
    char path[4300];
    sqlite3 *db = open_store(req, path, sizeof path);
    int rc = db ? obs_render_prometheus(db, path, &resp->body) : -1;
    if (db) store_close(db);
    if (rc != 0) {
        resp->status = 503;
        snprintf(resp->content_type, sizeof resp->content_type, "text/plain; charset=utf-8");
        buf_reset(&resp->body);
        buf_append_str(&resp->body, "metrics unavailable: the store could not be read\n");
        return 0;
    }
    resp->status = 200;
    snprintf(resp->content_type, sizeof resp->content_type, "text/plain; version=0.0.4; charset=utf-8");
    return 0;
}

int observe_readyz_handler(serve_request *req, serve_response *resp)
{
    char reason[512], path[4300];
    sqlite3 *db = open_store(req, path, sizeof path);
    int r = db ? obs_ready(db, req->cfg, req->home, reason, sizeof reason) : -1;
    if (db) store_close(db);
    if (r < 0) snprintf(reason, sizeof reason, "the store could not be read");
    resp->status = r == 1 ? 200 : 503;
    snprintf(resp->content_type, sizeof resp->content_type, "application/json");
    buf_reset(&resp->body);
    /* reason is our own text, but may quote a flow's error: escape it */
    buf_appendf(&resp->body, "{\"ready\": %s, \"reason\": \"", r == 1 ? "true" : "false");
    for (const char *p = reason; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') buf_appendf(&resp->body, "\\%c", c);
        else if (c < 0x20) buf_appendf(&resp->body, "\\u%04x", c);
        else buf_append(&resp->body, p, 1);
    }
    buf_append_str(&resp->body, "\"}\n");
    return 0;
}
