/* Answering a request (server_int.h): the route table's match, bearer-token authentication with
 * a per-address limit on failures, the handler's response sent whole or streamed, the request
 * metrics and the audit record; also the URL unescaping and log hook libmicrohttpd calls. */
#include "serve/server_int.h"

#include "observe/observe.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "format/utf8.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- failed-authentication limiter ---- */
static rl_slot *rl_find(serve_server *s, const char *ip, int create)
{
    uint32_t h = 2166136261u;
    for (const char *p = ip; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    int64_t now = time_monotonic_ms() / 1000;
    for (int probe = 0; probe < 8; probe++) {
        rl_slot *slot = &s->rl[(h + (uint32_t)probe) % RL_SLOTS];
        if (!strcmp(slot->ip, ip)) return slot;
        if (create && (!slot->ip[0] || now - slot->window_start >= s->set.auth_fail_window_s)) {
            snprintf(slot->ip, sizeof slot->ip, "%s", ip);
            slot->window_start = now;
            slot->failures = 0;
            return slot;
        }
    }
    /* The neighbourhood is full of live entries: take the home slot over. */
    if (!create) return NULL;
    rl_slot *slot = &s->rl[h % RL_SLOTS];
    snprintf(slot->ip, sizeof slot->ip, "%s", ip);
    slot->window_start = now;
    slot->failures = 0;
    return slot;
}

/* Seconds the address must wait, or 0 when it may try. */
static int64_t rl_blocked(serve_server *s, const char *ip)
{
    pthread_mutex_lock(&s->rl_mu);
    int64_t wait = 0, now = time_monotonic_ms() / 1000;
    rl_slot *slot = rl_find(s, ip, 0);
    if (slot && now - slot->window_start < s->set.auth_fail_window_s && slot->failures >= s->set.auth_fail_limit)
        wait = s->set.auth_fail_window_s - (now - slot->window_start);
    pthread_mutex_unlock(&s->rl_mu);
    return wait > 0 ? wait : (wait < 0 ? 1 : 0);
}

static void rl_failure(serve_server *s, const char *ip)
{
    pthread_mutex_lock(&s->rl_mu);
    int64_t now = time_monotonic_ms() / 1000;
    rl_slot *slot = rl_find(s, ip, 1);
    if (now - slot->window_start >= s->set.auth_fail_window_s) {
        slot->window_start = now;
        slot->failures = 0;
    }
    slot->failures++;
    pthread_mutex_unlock(&s->rl_mu);
}

/* ---- dispatch ---- */
static const serve_route *route_find(const char *method, const char *path, int *method_mismatch)
{
    *method_mismatch = 0;
    for (size_t i = 0; i < serve_route_count; i++) {
        const serve_route *r = &serve_routes[i];
        size_t n = strlen(r->path);
        int match = r->path[n - 1] == '*' ? (strncmp(path, r->path, n - 1) == 0 && path[n - 1] != '\0')
                                          : strcmp(path, r->path) == 0;
        if (!match) continue;
        int mok = r->method ? (!strcmp(method, r->method) || (!strcmp(r->method, "GET") && !strcmp(method, "HEAD")))
                            : (!strcmp(method, "GET") || !strcmp(method, "POST") || !strcmp(method, "HEAD"));
        if (mok) return r;
        *method_mismatch = 1;
    }
    return NULL;
}

static const char *bearer_token(struct MHD_Connection *conn, const char *path)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h) {
        while (*h == ' ') h++;
        if (strncasecmp(h, "Bearer ", 7) != 0) return "";
        h += 7;
        while (*h == ' ') h++;
        return h;
    }
    /* Browsers' EventSource cannot send headers: the streams also take the token as a parameter. */
    if (!strncmp(path, "/api/stream/", 12))
        return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token");
    return NULL;
}

typedef struct stream_wrap {
    serve_server *srv;
    serve_stream_fn fn;
    void *ctx;
    void (*ctx_free)(void *);
    serve_audit_rec *audit;
} stream_wrap;

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    stream_wrap *w = cls;
    ssize_t n = w->fn(w->ctx, out, max);
    if (n == SERVE_STREAM_END) return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static void stream_done(void *cls)
{
    stream_wrap *w = cls;
    if (w->ctx_free) w->ctx_free(w->ctx);
    if (w->audit) {
        w->audit->duration_ms = (double)(serve_now_us() - w->audit->start_us) / 1000.0;
        serve_audit_enqueue(w->srv, w->audit);
    }
    free(w);
}

static enum MHD_Result send_response(req_ctx *c, serve_response *r, int is_api)
{
    struct MHD_Response *mr;
    if (r->stream) {
        stream_wrap *w = calloc(1, sizeof *w);
        if (!w) return MHD_NO;
        *w = (stream_wrap){c->srv, r->stream, r->stream_ctx, r->stream_free, c->audit};
        c->audit = NULL; /* the stream writes it when it ends */
        mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, w, stream_done);
        if (!mr) {
            stream_done(w);
            return MHD_NO;
        }
    } else {
        size_t len = r->body.len;
        char *data = buf_detach(&r->body);
        mr = MHD_create_response_from_buffer(len, data ? data : (char *)"", data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!mr) {
            free(data);
            return MHD_NO;
        }
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type[0] ? r->content_type : "application/json");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    int cache_set = 0;
    for (int i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(mr, r->headers[i][0], r->headers[i][1]);
        if (!strcasecmp(r->headers[i][0], "Cache-Control")) cache_set = 1;
    }
    if (is_api && !cache_set) MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c->conn, (unsigned)(r->status ? r->status : 200), mr);
    MHD_destroy_response(mr);
    return ret;
}

static void response_clear(serve_response *r)
{
    buf_free(&r->body);
    free(r->audit_sql);
    r->audit_sql = NULL;
}

/* Copies what the response says about the request into its audit record. */
static void audit_fill(req_ctx *c, serve_response *r)
{
    serve_audit_rec *a = c->audit;
    if (!a) return;
    a->status = r->status ? r->status : 200;
    if (r->audit_sql) {
        free(a->sql);
        a->sql = r->audit_sql;
        r->audit_sql = NULL;
    }
    if (r->audit_outcome[0]) snprintf(a->outcome, sizeof a->outcome, "%s", r->audit_outcome);
    else snprintf(a->outcome, sizeof a->outcome, "%s", a->status >= 500 ? "error" : a->status >= 400 ? "refused" : "allowed");
    if (r->audit_reason[0]) snprintf(a->reason, sizeof a->reason, "%s", r->audit_reason);
    if (!a->rows) a->rows = r->audit_rows;
}

static enum MHD_Result answer(req_ctx *c, serve_response *r, int is_api)
{
    c->answered = 1;
    obs_http_request(c->route ? c->route : is_api ? "other" : "static", r->status ? r->status : 200, (double)(serve_now_us() - c->start_us) / 1e6);
    audit_fill(c, r);
    enum MHD_Result ret = send_response(c, r, is_api);
    response_clear(r);
    return ret;
}

static enum MHD_Result handle(req_ctx *c, const char *url, const char *method)
{
    serve_server *s = c->srv;
    serve_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 200;
    int is_api = !strncmp(url, "/api/", 5);
    const char *q = strchr(url, '?');
    snprintf(c->audit->route, sizeof c->audit->route, "%s %.*s", method, (int)(q ? (size_t)(q - url) : strlen(url)), url);

    char err[WG_ERR_LEN];
    c->w = serve_worker_get(s, err, sizeof err);
    if (!c->w) {
        serve_error(&resp, 503, "unavailable", "cannot open the lakehouse: %s", err);
        serve_set_header(&resp, "Retry-After", "5");
        return answer(c, &resp, 1);
    }
    if (c->too_big) {
        serve_error(&resp, 413, "body_too_large", "the request body is larger than %lld bytes (serve.max_body_bytes)",
                    (long long)s->set.max_body_bytes);
        return answer(c, &resp, 1);
    }
    if (serve_audit_full(s)) {
        serve_error(&resp, 503, "overloaded", "the audit log is behind; try again shortly");
        serve_set_header(&resp, "Retry-After", "1");
        return answer(c, &resp, 1);
    }
    int mismatch;
    const serve_route *route = route_find(method, url, &mismatch);
    c->route = route ? route->path : NULL;
    serve_request req = {method, url, c->body.len ? c->body.data : NULL, c->body.len, c->client, NULL, NULL,
                         c->w->db, s->cfg, s->home, c};
    if (!route) {
        if (mismatch) {
            serve_error(&resp, 405, "method_not_allowed", "%s is not allowed on %s", method, url);
            return answer(c, &resp, 1);
        }
        if (!is_api && (!strcmp(method, "GET") || !strcmp(method, "HEAD"))) {
            if (serve_static(&req, &resp, s->web_dir) != 0)
                serve_error(&resp, 500, "internal", "cannot serve %s", url);
            return answer(c, &resp, 0);
        }
        serve_error(&resp, 404, "not_found", "no route %s %s", method, url);
        return answer(c, &resp, 1);
    }
    govern_principal principal;
    if (route->access == SERVE_AUTH) {
        int64_t wait = rl_blocked(s, c->ip);
        if (wait > 0) {
            char ra[32];
            snprintf(ra, sizeof ra, "%lld", (long long)wait);
            serve_error(&resp, 429, "rate_limited", "too many failed authentications from %s; retry in %lld s", c->ip, (long long)wait);
            serve_set_header(&resp, "Retry-After", ra);
            return answer(c, &resp, 1);
        }
        const char *token = bearer_token(c->conn, url);
        if (!token || !*token) {
            rl_failure(s, c->ip);
            serve_error(&resp, 401, "missing_token", "this route needs a bearer token (Authorization: Bearer TOKEN)");
            serve_set_header(&resp, "WWW-Authenticate", "Bearer realm=\"wikigdelt\"");
            return answer(c, &resp, 1);
        }
        govern_result gr = govern_authenticate(c->w->sysdb, token, &principal, err, sizeof err);
        if (gr == GOVERN_NOT_FOUND) {
            rl_failure(s, c->ip);
            serve_error(&resp, 401, "bad_token", "the bearer token is not valid (unknown, rotated or removed)");
            serve_set_header(&resp, "WWW-Authenticate", "Bearer realm=\"wikigdelt\", error=\"invalid_token\"");
            return answer(c, &resp, 1);
        }
        if (gr != GOVERN_OK) {
            serve_error(&resp, 500, "internal", "authentication failed: %s", err);
            return answer(c, &resp, 1);
        }
        snprintf(c->audit->principal, sizeof c->audit->principal, "%s", principal.name);
        if (govern_session_bind(c->w->session, &principal, err, sizeof err) != 0) {
            serve_error(&resp, 500, "internal", "cannot bind the session: %s", err);
            return answer(c, &resp, 1);
        }
        req.principal = &principal;
        req.session = c->w->session;
    }
    int rc = route->handler(&req, &resp);
    if (rc != 0) {
        if (resp.stream && resp.stream_free) resp.stream_free(resp.stream_ctx);
        resp.stream = NULL;
        serve_error(&resp, 500, "internal", "the handler of %s failed", route->path);
    }
    if (req.session) govern_session_deadline(req.session, 0);
    return answer(c, &resp, is_api);
}

enum MHD_Result serve_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    serve_server *s = cls;
    req_ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        c->audit = calloc(1, sizeof *c->audit);
        if (!c->audit) {
            free(c);
            return MHD_NO;
        }
        c->srv = s;
        c->conn = conn;
        c->start_us = serve_now_us();
        c->audit->start_us = c->start_us;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(c->ip, sizeof c->ip, "?");
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            int port = 0;
            if (sa->sa_family == AF_INET) {
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->ip, sizeof c->ip);
                port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
            } else if (sa->sa_family == AF_INET6) {
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->ip, sizeof c->ip);
                port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
            }
            snprintf(c->client, sizeof c->client, "%s:%d", c->ip, port);
        }
        snprintf(c->audit->client, sizeof c->audit->client, "%s", c->client);
        *con_cls = c;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > (unsigned long long)s->set.max_body_bytes) c->too_big = 1;
        }
        if (c->too_big) return handle(c, url, method); /* answer now; the body is never read */
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!c->too_big) {
            if (c->body.len + *upload_data_size > (size_t)s->set.max_body_bytes) {
                c->too_big = 1;
                buf_free(&c->body);
            } else {
                buf_append(&c->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->answered) return MHD_YES;
    return handle(c, url, method);
}

void serve_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    serve_server *s = cls;
    req_ctx *c = *con_cls;
    if (!c) return;
    if (c->audit) {
        if (!c->audit->route[0]) {
            serve_audit_free(c->audit); /* never dispatched (client went away) */
        } else {
            c->audit->duration_ms = (double)(serve_now_us() - c->start_us) / 1000.0;
            serve_audit_enqueue(s, c->audit);
        }
    }
    buf_free(&c->body);
    free(c);
    *con_cls = NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* libmicrohttpd's URL decoding, except that %00 becomes 0x01 instead of ending the string
 * early: "/index.html%00.png" must not quietly turn into "/index.html"; every path check then
 * refuses the control character. */
size_t serve_unescape_url(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi, lo;
        if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
            int v = hi * 16 + lo;
            *w++ = (char)(v ? v : 1);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

void serve_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    log_warn("serve", "http: %s", msg);
}
