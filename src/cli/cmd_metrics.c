/* `metrics`: the metrics of the whole pipeline (every process of `run`, from the lakehouse) in
 * the Prometheus text format or as an OTLP/HTTP JSON body, and the OTLP push loop:
 *
 *   metrics [--format prometheus|otlp-json]
 *   metrics --push [--endpoint URL] [--interval S] [--once]   (otel.endpoint, otel.interval_seconds)
 *   metrics --listen [HOST:]PORT   a standalone exporter: GET /metrics and GET /readyz (the same
 *                                  as on the serve port, for a pipeline run without the API)
 *
 * A push that fails (collector down, refused, non-2xx) is counted in
 * wikigdelt_otlp_exports_total{outcome="failure"} and retried at the next interval; it never
 * stops anything. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "cli/metrics_push.h"
#include "core/settings.h"

#include "core/log.h"
#include "core/stop.h"
#include "observe/observe.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef WIKIGDELT_VERSION
#define WIKIGDELT_VERSION "0.1.0"
#endif

/* Set by metrics_push_stop to end the push thread of `run` and `demo` (not a signal flag: the
 * process's stop flag is core/stop.h). */
static atomic_int push_thread_quit;

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

/* One push: 0 when the collector answered 2xx. */
static int push_once(app *a, const char *url, char *err, size_t errlen)
{
    sqlite3 *db = app_db_readonly(a);
    if (!db) {
        snprintf(err, errlen, "cannot open the store");
        return -1;
    }
    buf body = BUF_INIT;
    int rc = obs_render_otlp_json(db, a->db_path, WIKIGDELT_VERSION, &body);
    store_close(db);
    if (rc != 0) {
        buf_free(&body);
        snprintf(err, errlen, "reading the metrics failed");
        return -1;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        buf_free(&body);
        snprintf(err, errlen, "curl init failed");
        return -1;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data ? body.data : "{}");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    buf_free(&body);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%.300s: %s", url, curl_easy_strerror(cc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "%.300s answered HTTP %ld", url, status);
        return -1;
    }
    return 0;
}

/* Its own connection: the push loop also runs as a thread of `run`, beside the supervisor's. */
static void count_outcome(app *a, int ok)
{
    sqlite3 *db = NULL;
    char err[WG_ERR_LEN];
    if (store_open(a->db_path, a->cfg, STORE_NO_MIGRATE, &db, err, sizeof err) != 0) return;
    obs_count("wikigdelt_otlp_exports_total", ok ? "outcome=\"success\"" : "outcome=\"failure\"", 1);
    if (store_begin(db) == 0) {
        if (obs_flush(db) == 0) store_commit(db);
        else store_rollback(db);
    }
    obs_thread_done();
    store_close(db);
}

/* ---- the standalone exporter: one polling thread, one read-only connection per request */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result exporter_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    app *a = cls;
    static int first_marker;
    if (*con_cls == NULL) {
        *con_cls = &first_marker;
        return MHD_YES;
    }
    int64_t t0 = now_us();
    buf body = BUF_INIT;
    const char *type = "text/plain; charset=utf-8", *route = "other";
    unsigned status = 200;
    int is_metrics = !strcmp(url, "/metrics"), is_ready = !strcmp(url, "/readyz");
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        status = 405;
        buf_append_str(&body, "only GET\n");
    } else if (!is_metrics && !is_ready) {
        status = 404;
        buf_append_str(&body, "not found: try /metrics or /readyz\n");
    } else {
        route = is_metrics ? "/metrics" : "/readyz";
        sqlite3 *db = NULL;
        char err[WG_ERR_LEN];
        if (store_open(a->db_path, a->cfg, STORE_READONLY, &db, err, sizeof err) != 0) {
            status = 503;
            buf_appendf(&body, "the store cannot be read: %s\n", err);
        } else if (is_metrics) {
            if (obs_render_prometheus(db, a->db_path, &body) != 0) {
                status = 503;
                buf_reset(&body);
                buf_appendf(&body, "%s\n", store_errtext(db, err, sizeof err, "metrics unavailable"));
            } else {
                type = "text/plain; version=0.0.4; charset=utf-8";
            }
        } else {
            char reason[WG_ERR_LEN];
            int r = obs_ready(db, a->cfg, a->home, reason, sizeof reason);
            status = r == 1 ? 200 : 503;
            buf_appendf(&body, "%s\n", r < 0 ? "the store could not be read" : reason);
        }
        if (db) store_close(db);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(body.len, body.data ? body.data : (void *)"",
                                                             MHD_RESPMEM_MUST_COPY);
    buf_free(&body);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    obs_http_request(route, (int)status, (double)(now_us() - t0) / 1e6);
    return ret;
}

static int exporter(app *a, const char *listen)
{
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(listen, ':');
    const char *port_text = colon ? colon + 1 : listen;
    if (colon) snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    char *end;
    long port = strtol(port_text, &end, 10);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return app_usage_error("metrics --listen takes [IPV4:]PORT, not %s", listen);
    addr.sin_port = htons((uint16_t)port);
    if (!app_db(a)) return 1; /* migrate once, so readers find the tables */
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
                                            NULL, exporter_answer, a, MHD_OPTION_SOCK_ADDR, &addr,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!d) return app_runtime_error("metrics: cannot listen on %s:%ld (port busy?)", host, port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("metrics: listening on http://%s:%d/metrics and /readyz\n", host, info ? info->port : (int)port);
    fflush(stdout);
    stop_install_signals();
    while (!stop_requested()) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    return 0;
}

/* ---- the push loop as a thread of `run` (otel.endpoint set) */

static char push_url[2048];
static double push_interval;
static pthread_t push_thread;
static int push_started;

static void make_url(const char *endpoint, char *url, size_t len)
{
    size_t el = strlen(endpoint);
    if (el >= 11 && !strcmp(endpoint + el - 11, "/v1/metrics"))
        snprintf(url, len, "%s", endpoint);
    else
        snprintf(url, len, "%s%sv1/metrics", endpoint, el && endpoint[el - 1] == '/' ? "" : "/");
}

static void *push_main(void *arg)
{
    app *a = arg;
    while (!atomic_load(&push_thread_quit) && !stop_requested()) {
        char err[WG_ERR_LEN] = "";
        int ok = push_once(a, push_url, err, sizeof err) == 0;
        if (!ok) log_warn("otel", "OTLP push failed (counted, retried in %.1f s): %s", push_interval, err);
        count_outcome(a, ok);
        for (double w = 0; w < push_interval && !atomic_load(&push_thread_quit) && !stop_requested(); w += 0.1) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    obs_thread_done();
    return NULL;
}

int metrics_push_start(app *a)
{
    const char *endpoint = config_get_str(a->cfg, "otel.endpoint", NULL);
    if (!endpoint || !*endpoint) return 0;
    push_interval = setting_double(a->cfg, "otel.interval_seconds");
    if (!(push_interval >= 0.1 && push_interval <= 86400)) push_interval = 15;
    make_url(endpoint, push_url, sizeof push_url);
    if (pthread_create(&push_thread, NULL, push_main, a) != 0) return -1;
    push_started = 1;
    log_info("otel", "pushing metrics to %s every %.1f s", push_url, push_interval);
    return 0;
}

void metrics_push_stop(void)
{
    if (!push_started) return;
    atomic_store(&push_thread_quit, 1);
    pthread_join(push_thread, NULL);
    push_started = 0;
    atomic_store(&push_thread_quit, 0);
}

typedef struct metrics_args {
    app *a;
    const char *format, *endpoint;
    double interval;
    int push, once;
} metrics_args;

static int metrics_opt(cli_parser *p, int key, void *ctx)
{
    metrics_args *m = ctx;
    switch (key) {
    case O_FORMAT: m->format = p->arg; break;
    case O_PUSH: m->push = 1; break;
    case O_ONCE: m->once = 1; break;
    case O_ENDPOINT: m->endpoint = p->arg; break;
    case O_INTERVAL: m->interval = atof(p->arg); break;
    case O_LISTEN: return exporter(m->a, p->arg);   /* serves until stopped */
    }
    return CLI_GO;
}

int cmd_metrics(app *a, int argc, char **argv)
{
    metrics_args m = {a, "prometheus", config_get_str(a->cfg, "otel.endpoint", NULL),
                      setting_double(a->cfg, "otel.interval_seconds"), 0, 0};
    int parsed = cli_parse(&cli_metrics, argc, argv, metrics_opt, &m, NULL);
    if (parsed != CLI_GO) return parsed;
    const char *format = m.format, *endpoint = m.endpoint;
    double interval = m.interval;
    int push = m.push, once = m.once;
    if (!push) {
        if (strcmp(format, "prometheus") && strcmp(format, "otlp-json"))
            return app_usage_error("metrics: --format takes prometheus or otlp-json, not %s", format);
        sqlite3 *db = app_db_readonly(a);
        if (!db) return 1;
        buf out = BUF_INIT;
        int rc = !strcmp(format, "prometheus") ? obs_render_prometheus(db, a->db_path, &out)
                                                : obs_render_otlp_json(db, a->db_path, WIKIGDELT_VERSION, &out);
        store_close(db);
        if (rc != 0) {
            buf_free(&out);
            return app_runtime_error("metrics: reading the metrics tables failed");
        }
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        if (!strcmp(format, "otlp-json")) printf("\n");
        buf_free(&out);
        return 0;
    }
    if (!endpoint || !*endpoint)
        return app_usage_error("metrics --push: set otel.endpoint (e.g. http://127.0.0.1:4318) or --endpoint");
    if (!(interval >= 0.1 && interval <= 86400))
        return app_usage_error("metrics --push: --interval takes seconds between 0.1 and 86400");
    char url[2048];
    make_url(endpoint, url, sizeof url);
    stop_install_signals();
    int failures = 0;
    while (!stop_requested()) {
        char err[WG_ERR_LEN] = "";
        int ok = push_once(a, url, err, sizeof err) == 0;
        if (!ok) {
            failures++;
            log_warn("otel", "OTLP push failed (counted, retried in %.1f s): %s", interval, err);
        }
        count_outcome(a, ok);
        if (once) return ok ? 0 : 1;
        for (double w = 0; w < interval && !stop_requested(); w += 0.1) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    (void)failures;
    return 0;
}
