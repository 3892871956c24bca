/* The HTTP server: libmicrohttpd with a pool of threads, each owning two read-only connections
 * to the lakehouse (one governed by a govern_session for the callers' SQL, one of the owner's
 * for authentication and the catalog), bearer-token authentication with a per-address limit on
 * failures, the route table, JSON errors and an audit log written by one thread in batches.
 *
 * A request is handled on the pool thread that accepted its connection; everything a handler
 * does is synchronous except streamed answers (CSV, ndjson, the gold stream), whose bodies are
 * produced by callbacks on that same thread. Those callbacks never rely on the worker's session
 * staying bound between calls: row streams borrow a connection of their own, the gold stream
 * rebinds on every call. */
#include "observe/observe.h"
#include "serve/serve_internal.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "format/utf8.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- per-thread workers ---- */
typedef struct worker {
    serve_server *srv;
    sqlite3 *db;               /* governed, read-only */
    govern_session *session;
    sqlite3 *sysdb;            /* the owner's, read-only */
    struct worker *next;
} worker;

/* ---- failed-authentication limiter ---- */
#define RL_SLOTS 1024
typedef struct rl_slot {
    char ip[48];
    int64_t window_start;      /* seconds (monotonic) */
    int failures;
} rl_slot;

/* ---- parked gold streams ---- */
typedef struct parked {
    struct MHD_Connection *conn;
    int64_t last_id;
    struct parked *next;
} parked;

struct serve_server {
    struct MHD_Daemon *daemon;
    const config *cfg;
    char home[4096];
    char db_path[4200];
    char web_dir[4300];
    char address[96];
    int port;
    serve_settings set;
    volatile int stopping;

    pthread_mutex_t workers_mu;
    worker *workers;

    pthread_mutex_t pool_mu;
    serve_stream_conn *pool_free;
    int pool_open;
    int sse_open;

    pthread_mutex_t rl_mu;
    rl_slot rl[RL_SLOTS];

    /* audit: a queue drained by one thread on its own read-write connection */
    pthread_t audit_thread;
    int audit_started;
    pthread_mutex_t audit_mu;
    pthread_cond_t audit_cv;
    serve_audit_rec *audit_head, *audit_tail;
    int audit_len;
    sqlite3 *audit_db;
    int64_t audit_retention_days, audit_max_rows, audit_flush_ms;

    /* gold stream hub */
    pthread_t hub_thread;
    int hub_started;
    pthread_mutex_t hub_mu;
    pthread_cond_t hub_cv;
    parked *parked_list;
    int64_t max_gold_id;
    sqlite3 *hub_db;
};

#define AUDIT_QUEUE_MAX 100000

/* ---- the request context (MHD's per-request pointer) ---- */
typedef struct req_ctx {
    serve_server *srv;
    struct MHD_Connection *conn;
    int64_t start_us;
    buf body;
    int too_big;
    int answered;
    char client[64];
    char ip[48];
    serve_audit_rec *audit;    /* NULL once handed to a stream or written */
    worker *w;
    const char *route;         /* the matched route's path, for the request metrics */
} req_ctx;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- helpers for handlers ---- */
const char *serve_query_param(const serve_request *req, const char *key)
{
    req_ctx *c = req->impl;
    return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *serve_header(const serve_request *req, const char *name)
{
    req_ctx *c = req->impl;
    return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
}

int serve_json(serve_response *resp, int status, json_t *value)
{
    resp->status = status;
    snprintf(resp->content_type, sizeof resp->content_type, "application/json");
    buf_reset(&resp->body);
    char *s = value ? json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(value);
    if (!s) return -1;
    buf_append_str(&resp->body, s);
    buf_append_str(&resp->body, "\n");
    free(s);
    return 0;
}

void serve_error(serve_response *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!utf8_valid(msg, strlen(msg), NULL)) snprintf(msg, sizeof msg, "%s", "(message not valid UTF-8)");
    serve_json(resp, status, json_pack("{s:s, s:s}", "error", msg, "code", code));
    snprintf(resp->audit_outcome, sizeof resp->audit_outcome, "%s", status >= 500 ? "error" : "refused");
    snprintf(resp->audit_reason, sizeof resp->audit_reason, "%d %s: %.200s", status, code, msg);
}

void serve_set_header(serve_response *resp, const char *name, const char *value)
{
    if (resp->nheaders >= SERVE_MAX_HEADERS) return;
    snprintf(resp->headers[resp->nheaders][0], sizeof resp->headers[0][0], "%s", name);
    snprintf(resp->headers[resp->nheaders][1], sizeof resp->headers[0][1], "%s", value);
    resp->nheaders++;
}

void serve_audit_sql(serve_response *resp, const char *sql)
{
    free(resp->audit_sql);
    resp->audit_sql = sql ? strdup(sql) : NULL;
}

const serve_settings *serve_settings_of(const serve_request *req) { return &((req_ctx *)req->impl)->srv->set; }
serve_server *serve_server_of(const serve_request *req) { return ((req_ctx *)req->impl)->srv; }
serve_audit_rec *serve_request_audit(const serve_request *req) { return ((req_ctx *)req->impl)->audit; }
sqlite3 *serve_request_sysdb(const serve_request *req) { return ((req_ctx *)req->impl)->w->sysdb; }
const char *serve_web_dir(const serve_server *s) { return s->web_dir; }
void *serve_request_connection(const serve_request *req) { return ((req_ctx *)req->impl)->conn; }
int serve_port(const serve_server *s) { return s->port; }
const char *serve_bound_address(const serve_server *s) { return s->address; }
int serve_stopping(const serve_server *s) { return s->stopping; }

/* ---- workers ---- */
static __thread worker *tls_worker;

static worker *worker_get(serve_server *s, char *err, size_t errlen)
{
    if (tls_worker && tls_worker->srv == s) return tls_worker;
    worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->srv = s;
    if (store_open(s->db_path, s->cfg, STORE_READONLY, &w->db, err, errlen) != 0 ||
        store_open(s->db_path, s->cfg, STORE_READONLY, &w->sysdb, err, errlen) != 0 ||
        !(w->session = govern_session_new(w->db, err, errlen))) {
        store_close(w->db);
        store_close(w->sysdb);
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&s->workers_mu);
    w->next = s->workers;
    s->workers = w;
    pthread_mutex_unlock(&s->workers_mu);
    tls_worker = w;
    return w;
}

int serve_current_worker(serve_server *s, sqlite3 **db, govern_session **session)
{
    char err[WG_ERR_LEN];
    worker *w = worker_get(s, err, sizeof err);
    if (!w) return -1;
    *db = w->db;
    *session = w->session;
    return 0;
}

/* ---- stream connections ---- */
serve_stream_conn *serve_stream_conn_acquire(serve_server *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->pool_mu);
    serve_stream_conn *c = s->pool_free;
    if (c) {
        s->pool_free = c->next;
        pthread_mutex_unlock(&s->pool_mu);
        return c;
    }
    if (s->pool_open >= s->set.max_streams) {
        pthread_mutex_unlock(&s->pool_mu);
        snprintf(err, errlen, "all %d streamed answers are in use (serve.max_streams)", s->set.max_streams);
        return NULL;
    }
    s->pool_open++;
    pthread_mutex_unlock(&s->pool_mu);
    c = calloc(1, sizeof *c);
    if (c && store_open(s->db_path, s->cfg, STORE_READONLY, &c->db, err, errlen) == 0 &&
        (c->session = govern_session_new(c->db, err, errlen)))
        return c;
    if (c) store_close(c->db);
    free(c);
    pthread_mutex_lock(&s->pool_mu);
    s->pool_open--;
    pthread_mutex_unlock(&s->pool_mu);
    return NULL;
}

void serve_stream_conn_release(serve_server *s, serve_stream_conn *c)
{
    if (!c) return;
    govern_session_deadline(c->session, 0);
    pthread_mutex_lock(&s->pool_mu);
    c->next = s->pool_free;
    s->pool_free = c;
    pthread_mutex_unlock(&s->pool_mu);
}

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

/* ---- audit ---- */
static void audit_rec_free(serve_audit_rec *r)
{
    if (!r) return;
    free(r->sql);
    free(r);
}

static void audit_enqueue(serve_server *s, serve_audit_rec *r)
{
    pthread_mutex_lock(&s->audit_mu);
    r->next = NULL;
    if (s->audit_tail) s->audit_tail->next = r;
    else s->audit_head = r;
    s->audit_tail = r;
    s->audit_len++;
    pthread_cond_signal(&s->audit_cv);
    pthread_mutex_unlock(&s->audit_mu);
}

static void audit_write_batch(serve_server *s, serve_audit_rec *batch)
{
    if (!batch) return;
    int in_tx = store_begin(s->audit_db) == 0;
    for (serve_audit_rec *r = batch; r; r = r->next) {
        govern_audit_entry e = {r->principal[0] ? r->principal : NULL, r->client, r->route, r->sql,
                                r->outcome, r->reason[0] ? r->reason : NULL, r->rows, r->duration_ms};
        if (govern_audit_write(s->audit_db, &e) != 0)
            log_warn("serve", "audit write failed: %s", sqlite3_errmsg(s->audit_db));
    }
    if (in_tx) store_commit(s->audit_db);
    while (batch) {
        serve_audit_rec *n = batch->next;
        audit_rec_free(batch);
        batch = n;
    }
}

static void *audit_main(void *arg)
{
    serve_server *s = arg;
    int64_t last_prune = 0;
    for (;;) {
        pthread_mutex_lock(&s->audit_mu);
        while (!s->audit_head && !s->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 5;
            pthread_cond_timedwait(&s->audit_cv, &s->audit_mu, &ts);
            if (!s->audit_head) break;
        }
        serve_audit_rec *batch = s->audit_head;
        s->audit_head = s->audit_tail = NULL;
        s->audit_len = 0;
        int stop = s->stopping;
        pthread_mutex_unlock(&s->audit_mu);
        audit_write_batch(s, batch);
        int64_t now = time_monotonic_ms();
        if (now - last_prune > 3600 * 1000 || last_prune == 0) {
            if (store_begin(s->audit_db) == 0) {
                govern_audit_prune(s->audit_db, s->audit_retention_days, s->audit_max_rows);
                store_commit(s->audit_db);
            }
            last_prune = now;
        }
        if (stop) {
            pthread_mutex_lock(&s->audit_mu);
            int empty = !s->audit_head;
            pthread_mutex_unlock(&s->audit_mu);
            if (empty) break;
        }
        /* Batch: let more requests finish before the next transaction, so the audit log takes
         * the write lock a few times a second at most, whatever the request rate. */
        if (!stop) usleep((useconds_t)(s->audit_flush_ms * 1000));
    }
    return NULL;
}

static int audit_full(serve_server *s)
{
    pthread_mutex_lock(&s->audit_mu);
    int full = s->audit_len >= AUDIT_QUEUE_MAX;
    pthread_mutex_unlock(&s->audit_mu);
    return full;
}

/* ---- gold stream hub ---- */
int64_t serve_sse_max_id(serve_server *s)
{
    pthread_mutex_lock(&s->hub_mu);
    int64_t id = s->max_gold_id;
    pthread_mutex_unlock(&s->hub_mu);
    return id;
}

int serve_sse_slot(serve_server *s, int delta)
{
    pthread_mutex_lock(&s->pool_mu);
    int ok = 0;
    if (delta > 0 && s->sse_open >= s->set.max_sse) ok = -1;
    else s->sse_open += delta;
    pthread_mutex_unlock(&s->pool_mu);
    return ok;
}

int serve_sse_park(serve_server *s, void *conn, int64_t last_id)
{
    pthread_mutex_lock(&s->hub_mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->hub_mu);
        return -1;
    }
    if (s->max_gold_id > last_id) {
        pthread_mutex_unlock(&s->hub_mu);
        return 0;
    }
    parked *p = malloc(sizeof *p);
    if (!p) {
        pthread_mutex_unlock(&s->hub_mu);
        return -1;
    }
    p->conn = conn;
    p->last_id = last_id;
    p->next = s->parked_list;
    s->parked_list = p;
    MHD_suspend_connection(conn);
    pthread_mutex_unlock(&s->hub_mu);
    return 1;
}

void serve_sse_unpark(serve_server *s, void *conn)
{
    pthread_mutex_lock(&s->hub_mu);
    for (parked **pp = &s->parked_list; *pp; pp = &(*pp)->next) {
        if ((*pp)->conn == conn) {
            parked *p = *pp;
            *pp = p->next;
            free(p);
            break;
        }
    }
    pthread_mutex_unlock(&s->hub_mu);
}

/* Resumes the parked streams that have rows to send, or all of them (keep-alive, stopping). */
static void hub_wake(serve_server *s, int all)
{
    for (parked **pp = &s->parked_list; *pp;) {
        parked *p = *pp;
        if (all || p->last_id < s->max_gold_id) {
            *pp = p->next;
            MHD_resume_connection(p->conn);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

static int64_t query_max_gold_id(serve_server *s)
{
    if (!s->hub_db) {
        char err[WG_ERR_LEN];
        if (store_open(s->db_path, s->cfg, STORE_READONLY, &s->hub_db, err, sizeof err) != 0) {
            s->hub_db = NULL;
            return -1;
        }
    }
    sqlite3_stmt *st;
    int64_t id = -1;
    if (sqlite3_prepare_v2(s->hub_db, "SELECT COALESCE(MAX(id), 0) FROM correlated_gold_events", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return id;
}

static void *hub_main(void *arg)
{
    serve_server *s = arg;
    int64_t last_keepalive = time_monotonic_ms();
    pthread_mutex_lock(&s->hub_mu);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (s->set.sse_poll_ms % 1000) * 1000000;
        ts.tv_sec += s->set.sse_poll_ms / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&s->hub_cv, &s->hub_mu, &ts);
        if (s->stopping) break;
        pthread_mutex_unlock(&s->hub_mu);
        int64_t id = query_max_gold_id(s);
        pthread_mutex_lock(&s->hub_mu);
        if (id > s->max_gold_id) s->max_gold_id = id;
        int64_t now = time_monotonic_ms();
        int keepalive = now - last_keepalive >= s->set.sse_keepalive_ms;
        if (keepalive) last_keepalive = now;
        hub_wake(s, keepalive);
    }
    hub_wake(s, 1);
    pthread_mutex_unlock(&s->hub_mu);
    return NULL;
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
        w->audit->duration_ms = (double)(now_us() - w->audit->start_us) / 1000.0;
        audit_enqueue(w->srv, w->audit);
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
    obs_http_request(c->route ? c->route : is_api ? "other" : "static", r->status ? r->status : 200, (double)(now_us() - c->start_us) / 1e6);
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
    c->w = worker_get(s, err, sizeof err);
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
    if (audit_full(s)) {
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
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
        c->start_us = now_us();
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

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    serve_server *s = cls;
    req_ctx *c = *con_cls;
    if (!c) return;
    if (c->audit) {
        if (!c->audit->route[0]) {
            audit_rec_free(c->audit); /* never dispatched (client went away) */
        } else {
            c->audit->duration_ms = (double)(now_us() - c->start_us) / 1000.0;
            audit_enqueue(s, c->audit);
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
static size_t unescape_url(void *cls, struct MHD_Connection *conn, char *s)
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

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    log_warn("serve", "http: %s", msg);
}

/* ---- start / stop ---- */
static int parse_address(const char *addr, int port_override, struct sockaddr_storage *ss, socklen_t *len,
                         char *err, size_t errlen)
{
    char host[80];
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr) {
        snprintf(err, errlen, "serve.address must be HOST:PORT (like 127.0.0.1:8080), not '%s'", addr);
        return -1;
    }
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof host) hl = sizeof host - 1;
    memcpy(host, addr, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) {
        snprintf(err, errlen, "serve.address '%s': the port must be 0-65535", addr);
        return -1;
    }
    if (port_override >= 0) port = port_override;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (host[n - 1] != ']') {
            snprintf(err, errlen, "serve.address '%s': an IPv6 address goes in brackets", addr);
            return -1;
        }
        host[n - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1) {
            snprintf(err, errlen, "serve.address '%s': not an IPv6 address", addr);
            return -1;
        }
        *len = sizeof *s6;
        return 0;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
        snprintf(err, errlen, "serve.address '%s': not an IPv4 address (or [IPv6])", addr);
        return -1;
    }
    *len = sizeof *s4;
    return 0;
}

static void find_web_dir(serve_server *s)
{
    const char *set = config_get_str(s->cfg, "serve.web_dir", NULL);
    if (set) {
        snprintf(s->web_dir, sizeof s->web_dir, "%s", set);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    s->web_dir[0] = '\0';
    if (n <= 0) return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return;
    *slash = '\0';
    /* build/wikigdelt -> build/web; PREFIX/bin/wikigdelt -> PREFIX/share/wikigdelt/web */
    const char *const candidates[] = {"%s/web", "%s/../share/wikigdelt/web"};
    for (size_t i = 0; i < 2; i++) {
        char p[4200];
        snprintf(p, sizeof p, candidates[i], exe);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            char *real = realpath(p, NULL);
            snprintf(s->web_dir, sizeof s->web_dir, "%s", real ? real : p);
            free(real);
            return;
        }
    }
}

serve_server *serve_start(const config *cfg, const char *home, const char *db_path, int port_override,
                          char *err, size_t errlen)
{
    serve_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    snprintf(s->home, sizeof s->home, "%s", home);
    snprintf(s->db_path, sizeof s->db_path, "%s", db_path);
    serve_settings *t = &s->set;
    t->max_body_bytes = config_get_int(cfg, "serve.max_body_bytes", 1 << 20);
    t->query_timeout_ms = config_get_int(cfg, "serve.query_timeout_ms", 10000);
    t->default_limit = config_get_int(cfg, "serve.default_limit", 1000);
    t->max_limit = config_get_int(cfg, "serve.max_limit", 100000);
    t->max_stream_rows = config_get_int(cfg, "serve.max_stream_rows", 5000000);
    t->max_response_bytes = config_get_int(cfg, "serve.max_response_bytes", 64 << 20);
    t->max_streams = (int)config_get_int(cfg, "serve.max_streams", 8);
    t->max_sse = (int)config_get_int(cfg, "serve.max_sse", 64);
    t->sse_poll_ms = config_get_int(cfg, "serve.sse_poll_ms", 500);
    t->sse_keepalive_ms = config_get_int(cfg, "serve.sse_keepalive_ms", 15000);
    t->auth_fail_limit = (int)config_get_int(cfg, "serve.auth_fail_limit", 20);
    t->auth_fail_window_s = config_get_int(cfg, "serve.auth_fail_window_s", 60);
    if (t->max_body_bytes < 1024) t->max_body_bytes = 1024;
    if (t->sse_poll_ms < 20) t->sse_poll_ms = 20;
    if (t->auth_fail_window_s < 1) t->auth_fail_window_s = 1;
    if (t->max_streams < 1) t->max_streams = 1;
    s->audit_retention_days = config_get_int(cfg, "govern.audit.retention_days", GOVERN_AUDIT_RETENTION_DAYS);
    s->audit_max_rows = config_get_int(cfg, "govern.audit.max_rows", GOVERN_AUDIT_MAX_ROWS);
    s->audit_flush_ms = config_get_int(cfg, "serve.audit_flush_ms", 200);
    if (s->audit_flush_ms < 1) s->audit_flush_ms = 1;
    if (s->audit_flush_ms > 5000) s->audit_flush_ms = 5000;
    int threads = (int)config_get_int(cfg, "serve.threads", 4);
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    int max_conn = (int)config_get_int(cfg, "serve.max_connections", 1000);
    find_web_dir(s);

    pthread_mutex_init(&s->workers_mu, NULL);
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_mutex_init(&s->rl_mu, NULL);
    pthread_mutex_init(&s->audit_mu, NULL);
    pthread_cond_init(&s->audit_cv, NULL);
    pthread_mutex_init(&s->hub_mu, NULL);
    pthread_cond_init(&s->hub_cv, NULL);

    if (store_open(db_path, cfg, STORE_NO_MIGRATE, &s->audit_db, err, errlen) != 0) {
        s->audit_db = NULL;
        serve_stop(s);
        return NULL;
    }
    s->max_gold_id = query_max_gold_id(s);
    if (s->max_gold_id < 0) s->max_gold_id = 0;

    const char *addr = config_get_str(cfg, "serve.address", "127.0.0.1:8080");
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_address(addr, port_override, &ss, &sl, err, errlen) != 0) {
        serve_stop(s);
        return NULL;
    }
    if (pthread_create(&s->audit_thread, NULL, audit_main, s) == 0) s->audit_started = 1;
    if (pthread_create(&s->hub_thread, NULL, hub_main, s) == 0) s->hub_started = 1;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config_get_int(cfg, "serve.idle_timeout_s", 60),
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_UNESCAPE_CALLBACK, unescape_url, NULL,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s: %s", addr, errno ? strerror(errno) : "libmicrohttpd refused the settings");
        serve_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    char host[80];
    if (ss.ss_family == AF_INET6) {
        char h6[64];
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, h6, sizeof h6);
        snprintf(host, sizeof host, "[%s]", h6);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    }
    snprintf(s->address, sizeof s->address, "%s:%d", host, s->port);
    return s;
}

void serve_stop(serve_server *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->hub_mu);
    s->stopping = 1;
    hub_wake(s, 1);
    pthread_cond_broadcast(&s->hub_cv);
    pthread_mutex_unlock(&s->hub_mu);
    if (s->hub_started) pthread_join(s->hub_thread, NULL);
    if (s->daemon) MHD_stop_daemon(s->daemon);
    pthread_mutex_lock(&s->audit_mu);
    pthread_cond_broadcast(&s->audit_cv);
    pthread_mutex_unlock(&s->audit_mu);
    if (s->audit_started) pthread_join(s->audit_thread, NULL);
    while (s->workers) {
        worker *w = s->workers;
        s->workers = w->next;
        govern_session_free(w->session);
        store_close(w->db);
        store_close(w->sysdb);
        free(w);
    }
    while (s->pool_free) {
        serve_stream_conn *c = s->pool_free;
        s->pool_free = c->next;
        govern_session_free(c->session);
        store_close(c->db);
        free(c);
    }
    store_close(s->hub_db);
    store_close(s->audit_db);
    pthread_mutex_destroy(&s->workers_mu);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_mutex_destroy(&s->rl_mu);
    pthread_mutex_destroy(&s->audit_mu);
    pthread_cond_destroy(&s->audit_cv);
    pthread_mutex_destroy(&s->hub_mu);
    pthread_cond_destroy(&s->hub_cv);
    free(s);
}
