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
#include "core/settings.h"
#include "serve/server_int.h"
#include "observe/observe.h"

#include "core/log.h"
#include "core/timeutil.h"
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

worker *serve_worker_get(serve_server *s, char *err, size_t errlen)
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
    worker *w = serve_worker_get(s, err, sizeof err);
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
    t->max_body_bytes = setting_int(cfg, "serve.max_body_bytes");
    t->query_timeout_ms = setting_int(cfg, "serve.query_timeout_ms");
    t->default_limit = setting_int(cfg, "serve.default_limit");
    t->max_limit = setting_int(cfg, "serve.max_limit");
    t->max_stream_rows = setting_int(cfg, "serve.max_stream_rows");
    t->max_response_bytes = setting_int(cfg, "serve.max_response_bytes");
    t->max_streams = (int)setting_int(cfg, "serve.max_streams");
    t->max_sse = (int)setting_int(cfg, "serve.max_sse");
    t->sse_poll_ms = setting_int(cfg, "serve.sse_poll_ms");
    t->sse_keepalive_ms = setting_int(cfg, "serve.sse_keepalive_ms");
    t->auth_fail_limit = (int)setting_int(cfg, "serve.auth_fail_limit");
    t->auth_fail_window_s = setting_int(cfg, "serve.auth_fail_window_s");
    if (t->max_body_bytes < 1024) t->max_body_bytes = 1024;
    if (t->sse_poll_ms < 20) t->sse_poll_ms = 20;
    if (t->auth_fail_window_s < 1) t->auth_fail_window_s = 1;
    if (t->max_streams < 1) t->max_streams = 1;
    s->audit_retention_days = setting_int(cfg, "govern.audit.retention_days");
    s->audit_max_rows = setting_int(cfg, "govern.audit.max_rows");
    s->audit_flush_ms = setting_int(cfg, "serve.audit_flush_ms");
    if (s->audit_flush_ms < 1) s->audit_flush_ms = 1;
    if (s->audit_flush_ms > 5000) s->audit_flush_ms = 5000;
    int threads = (int)setting_int(cfg, "serve.threads");
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    int max_conn = (int)setting_int(cfg, "serve.max_connections");
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
    s->max_gold_id = serve_hub_max_gold_id(s);
    if (s->max_gold_id < 0) s->max_gold_id = 0;

    const char *addr = setting_str(cfg, "serve.address");
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_address(addr, port_override, &ss, &sl, err, errlen) != 0) {
        serve_stop(s);
        return NULL;
    }
    if (pthread_create(&s->audit_thread, NULL, serve_audit_main, s) == 0) s->audit_started = 1;
    if (pthread_create(&s->hub_thread, NULL, serve_hub_main, s) == 0) s->hub_started = 1;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, serve_on_request, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, serve_mhd_log, NULL,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)setting_int(cfg, "serve.idle_timeout_s"),
                                 MHD_OPTION_NOTIFY_COMPLETED, serve_on_completed, s,
                                 MHD_OPTION_UNESCAPE_CALLBACK, serve_unescape_url, NULL,
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
    serve_hub_wake(s, 1);
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

