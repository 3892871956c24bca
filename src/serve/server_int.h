/* Private to the HTTP server's own files (server*.c): the server, its workers and the request
 * context. server.c starts and stops it and lends connections; server_request.c answers requests
 * (routes, authentication and its limiter, responses); server_audit.c writes the audit log;
 * server_hub.c wakes parked gold streams. Handlers use serve_internal.h, never this. */
#ifndef WG_SERVE_SERVER_INT_H
#define WG_SERVE_SERVER_INT_H

#include "serve/serve_internal.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

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

static inline int64_t serve_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* server.c: the calling thread's worker, opened on first use (NULL with err on failure). */
worker *serve_worker_get(serve_server *s, char *err, size_t errlen);

/* server_request.c: libmicrohttpd's callbacks. */
enum MHD_Result serve_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls);
void serve_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe);
size_t serve_unescape_url(void *cls, struct MHD_Connection *conn, char *s);
void serve_mhd_log(void *cls, const char *fmt, va_list ap);

/* server_audit.c: the queue of finished requests' records and the thread that writes them. */
void serve_audit_free(serve_audit_rec *r);
void serve_audit_enqueue(serve_server *s, serve_audit_rec *r);
int serve_audit_full(serve_server *s);
void *serve_audit_main(void *arg);

/* server_hub.c: the gold stream hub's thread and its wake-up. */
int64_t serve_hub_max_gold_id(serve_server *s);
void serve_hub_wake(serve_server *s, int all);
void *serve_hub_main(void *arg);

#endif
