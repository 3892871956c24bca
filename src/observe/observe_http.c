/* GET /metrics and GET /readyz on the serve port (two lines in src/serve/routes.c). */
#include "observe/observe_http.h"

#include "observe/observe.h"

#include <stdio.h>
#include <string.h>

int observe_metrics_handler(serve_request *req, serve_response *resp)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/wikigdelt.db", req->home ? req->home : ".");
    if (!req->db || obs_render_prometheus(req->db, path, &resp->body) != 0) {
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
    char reason[512];
    int r = req->db ? obs_ready(req->db, req->cfg, req->home, reason, sizeof reason) : -1;
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
