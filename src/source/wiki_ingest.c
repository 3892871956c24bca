/* Wikimedia recentchange source: file replay and the libcurl SSE client with reconnect,
 * backoff and stall detection, both writing through the bronze writer (wiki_bronze.c). */
#include "source/wiki_ingest.h"
#include "core/settings.h"
#include "source/wiki_bronze_int.h"
#include "format/utf8.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "observe/observe.h"
#include "source/sse.h"
#include "format/wiki_fields.h"
#include "source/wiki_record.h"
#include "store/store.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void wiki_stream_key(const char *file, const char *url, char *out, size_t outlen)
{
    if (file) {
        char real[PATH_MAX];
        snprintf(out, outlen, "file:%s", realpath(file, real) ? real : file);
        return;
    }
    /* the query (since=..., test faults) is not part of the stream's identity */
    size_t n = strcspn(url, "?#");
    snprintf(out, outlen, "%.*s", (int)n, url);
}

typedef struct file_ctx {
    wiki_sink *s;
    int64_t max_events;
    int64_t deadline_ms;
} file_ctx;

static int file_on_record(void *ctx, const wiki_record *rec)
{
    file_ctx *f = ctx;
    wiki_sink *s = f->s;
    char pos[32];
    int n = snprintf(pos, sizeof pos, "%llu", (unsigned long long)rec->end_offset);
    int rc;
    if (rec->error) {
        wiki_sink_set_position(s, pos, (size_t)n, NULL, 0);
        rc = wiki_sink_quarantine(s, rec->error, rec->data, rec->len, SIZE_MAX, rec->sse_id,
                             rec->sse_id_len);
    } else {
        rc = wiki_sink_event(s, rec->data, rec->len, rec->sse_id, rec->sse_id_len, pos, (size_t)n,
                        rec->parsed);
    }
    if (rc != 0) return -1;
    if (f->max_events && s->taken >= f->max_events) return 1;
    if (stop_requested()) return 1;
    if (f->deadline_ms && time_monotonic_ms() >= f->deadline_ms) return 1;
    return 0;
}

static int ingest_file(wiki_sink *s, const wiki_ingest_options *opt, const config *cfg, char *err,
                       size_t errlen)
{
    store_lookup found = wiki_sink_load_position(s);
    if (found == STORE_LOOKUP_ERROR) {
        store_fail(s->db, err, errlen, "reading wikimedia_stream_state");
        return -1;
    }
    uint64_t start = found == STORE_FOUND ? strtoull(s->position.data, NULL, 10) : 0;
    if (found == STORE_FOUND) log_info("wiki", "resuming %s at byte %llu", opt->file, (unsigned long long)start);
    file_ctx f = {s, opt->max_events, 0};
    if (opt->duration_s > 0) f.deadline_ms = time_monotonic_ms() + (int64_t)(opt->duration_s * 1000);
    size_t max_event = (size_t)setting_int(cfg, "wiki.max_event_bytes");
    wiki_format fmt = 0;
    int rc = wiki_recording_read(opt->file, start, max_event, file_on_record, &f, &fmt, err, errlen);
    if (rc < 0 && s->failed) snprintf(err, errlen, "%s", s->err);
    if (rc >= 0 && wiki_sink_commit(s) != 0) {
        snprintf(err, errlen, "%s", s->err);
        return -1;
    }
    if (rc >= 0)
        log_info("wiki", "replayed %s (%s): %lld events, %lld quarantined", opt->file,
                 wiki_format_name(fmt), (long long)s->stats->events,
                 (long long)s->stats->quarantined);
    return rc < 0 ? -1 : 0;
}

/* ================================================================ live SSE client */

typedef struct live {
    wiki_sink *s;
    sse_parser parser;
    CURL *curl;
    int64_t max_events;
    int64_t deadline_ms;
    int64_t stall_ms;
    int64_t last_byte_ms;
    int64_t server_retry_ms;   /* from the stream's `retry` field; -1 none */
    int64_t retry_after_ms;    /* from a Retry-After header; -1 none */
    int64_t conn_events;       /* events on the current connection */
    int stopped;               /* we ended the transfer: limits reached or stop requested */
    int stalled;
    int failed;
} live;

static int live_should_stop(live *l)
{
    if (stop_requested()) return 1;
    if (l->max_events && l->s->taken >= l->max_events) return 1;
    if (l->deadline_ms && time_monotonic_ms() >= l->deadline_ms) return 1;
    return 0;
}

static int live_on_event(void *ctx, const sse_event *ev)
{
    live *l = ctx;
    l->conn_events++;
    /* without an id the resume token stays the previous one: the best the server allows */
    if (wiki_sink_hold(l->s, ev->data, ev->data_len, ev->id, ev->id_len, NULL) != 0 ||
        wiki_sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return -1;
    }
    if (live_should_stop(l)) {
        l->stopped = 1;
        return 1;
    }
    return 0;
}

static int live_on_error(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                         size_t prefix_len, const char *id, size_t id_len, uint64_t offset)
{
    (void)kind;
    (void)offset;
    live *l = ctx;
    if (wiki_sink_hold(l->s, prefix, prefix_len, id, id_len, reason) != 0 ||
        wiki_sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return -1;
    }
    return 0;
}

static void live_on_comment(void *ctx, const char *text, size_t len)
{
    (void)text;
    (void)len;
    live *l = ctx;
    l->s->stats->heartbeats++;
}

static void live_on_retry(void *ctx, int64_t ms)
{
    live *l = ctx;
    l->server_retry_ms = ms;
}

static size_t live_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    live *l = userdata;
    size_t n = size * nmemb;
    l->last_byte_ms = time_monotonic_ms();
    obs_count("wikigdelt_flow_bytes_total", "flow=\"wikimedia_bronze\"", (double)n);
    int rc = sse_feed(&l->parser, data, n, NULL);
    if (rc != 0) return 0; /* aborts the transfer: stop or failure, flags say which */
    if (wiki_sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return 0;
    }
    return n;
}

static size_t live_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    live *l = userdata;
    size_t n = size * nmemb;
    if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        long secs = strtol(data + 12, NULL, 10);
        if (secs > 0 && secs < 86400) l->retry_after_ms = secs * 1000;
    }
    return n;
}

/* Called by libcurl about once a second and on every transfer: stalls, time-based commits, stop. */
static int live_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    live *l = userdata;
    if (wiki_sink_flush_if_due(l->s) != 0) {
        l->failed = 1;
        return 1;
    }
    if (live_should_stop(l)) {
        l->stopped = 1;
        return 1;
    }
    if (time_monotonic_ms() - l->last_byte_ms > l->stall_ms) {
        l->stalled = 1;
        return 1;
    }
    return 0;
}

static void sleep_interruptible(live *l, int64_t ms)
{
    int64_t until = time_monotonic_ms() + ms;
    while (!live_should_stop(l) && time_monotonic_ms() < until) usleep(20 * 1000);
}

static int ingest_live(wiki_sink *s, const wiki_ingest_options *opt, const config *cfg, char *err,
                       size_t errlen)
{
    const char *url = opt->url ? opt->url : WIKI_DEFAULT_URL;
    live l;
    memset(&l, 0, sizeof l);
    l.s = s;
    l.max_events = opt->max_events;
    if (opt->duration_s > 0) l.deadline_ms = time_monotonic_ms() + (int64_t)(opt->duration_s * 1000);
    l.stall_ms = setting_int(cfg, "wiki.stall_timeout_ms");
    l.server_retry_ms = -1;
    int64_t backoff_initial = setting_int(cfg, "wiki.backoff_initial_ms");
    int64_t backoff_max = setting_int(cfg, "wiki.backoff_max_ms");
    int64_t connect_timeout = setting_int(cfg, "wiki.connect_timeout_ms");
    size_t max_line = (size_t)setting_int(cfg, "wiki.max_line_bytes");
    size_t max_event = (size_t)setting_int(cfg, "wiki.max_event_bytes");
    /* Wikimedia's User-Agent policy: name the client and give a way to reach its operator */
    char ua[512];
    const char *contact = config_get_str(cfg, "wiki.contact", NULL);
    const char *custom = config_get_str(cfg, "wiki.user_agent", NULL);
    if (custom)
        snprintf(ua, sizeof ua, "%s", custom);
    else
        snprintf(ua, sizeof ua,
                 "wikigdelt/0.1 (news and Wikipedia edits correlation pipeline; contact: %s) "
                 "libcurl/%s",
                 contact ? contact : "operator did not set wiki.contact",
                 curl_version_info(CURLVERSION_NOW)->version);
    if (!custom && !contact && strncmp(url, "http://127.0.0.1", 16) != 0)
        log_warn("wiki", "set wiki.contact (an email address or URL): Wikimedia asks every "
                         "client's User-Agent to say how to reach its operator");

    if (wiki_sink_load_position(s) == STORE_LOOKUP_ERROR) {
        store_fail(s->db, err, errlen, "reading wikimedia_stream_state");
        return -1;
    }
    l.curl = curl_easy_init();
    if (!l.curl) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    int failures = 0, rc = 0;
    sse_callbacks cb = {live_on_event, live_on_comment, live_on_retry, live_on_error};
    while (!live_should_stop(&l)) {
        buf full = BUF_INIT;
        buf_append_str(&full, url);
        int have_id = s->position.len > 0;
        if (!have_id && opt->since) {
            char *esc = curl_easy_escape(l.curl, opt->since, 0);
            buf_appendf(&full, "%ssince=%s", strchr(url, '?') ? "&" : "?", esc ? esc : "");
            curl_free(esc);
        }
        struct curl_slist *headers = curl_slist_append(NULL, "Accept: text/event-stream");
        if (have_id) {
            buf h = BUF_INIT;
            buf_appendf(&h, "Last-Event-ID: %s", s->position.data);
            headers = curl_slist_append(headers, h.data);
            buf_free(&h);
        }
        if (sse_init(&l.parser, &cb, &l, max_line, max_event, 0) != 0 ||
            (s->position.len && sse_set_last_id(&l.parser, s->position.data, s->position.len))) {
            snprintf(err, errlen, "out of memory");
            curl_slist_free_all(headers);
            buf_free(&full);
            rc = -1;
            break;
        }
        curl_easy_reset(l.curl);
        curl_easy_setopt(l.curl, CURLOPT_URL, full.data);
        curl_easy_setopt(l.curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(l.curl, CURLOPT_USERAGENT, ua);
        curl_easy_setopt(l.curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(l.curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(l.curl, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(l.curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(l.curl, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(l.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_timeout);
        curl_easy_setopt(l.curl, CURLOPT_WRITEFUNCTION, live_write);
        curl_easy_setopt(l.curl, CURLOPT_WRITEDATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_HEADERFUNCTION, live_header);
        curl_easy_setopt(l.curl, CURLOPT_HEADERDATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_XFERINFOFUNCTION, live_progress);
        curl_easy_setopt(l.curl, CURLOPT_XFERINFODATA, &l);
        curl_easy_setopt(l.curl, CURLOPT_NOPROGRESS, 0L);
        l.last_byte_ms = time_monotonic_ms();
        l.retry_after_ms = -1;
        l.conn_events = 0;
        l.stalled = 0;
        s->stats->connections++;
        log_info("wiki", "connecting to %s%s%.60s", full.data, have_id ? " with Last-Event-ID " : "",
                 have_id ? s->position.data : "");
        CURLcode cc = curl_easy_perform(l.curl);
        long status = 0;
        curl_easy_getinfo(l.curl, CURLINFO_RESPONSE_CODE, &status);
        char obs_labels[64];
        snprintf(obs_labels, sizeof obs_labels, "source=\"wiki\",code=\"%ld\"", status);
        obs_count("wikigdelt_source_fetches_total", obs_labels, 1);
        /* Complete events received before the connection ended are committed before
         * reconnecting, so Last-Event-ID is exactly what is stored; a half-received event is
         * dropped with the parser and sent again by the server. */
        sse_free(&l.parser);
        curl_slist_free_all(headers);
        buf_free(&full);
        if (l.failed || s->failed || wiki_sink_flush(s) != 0) {
            snprintf(err, errlen, "%s", s->err[0] ? s->err : "ingest failed");
            rc = -1;
            break;
        }
        if (l.stopped || live_should_stop(&l)) break;
        obs_count("wikigdelt_source_reconnects_total", "source=\"wiki\"", 1);
        int64_t delay;
        if (cc == CURLE_HTTP_RETURNED_ERROR && status != 429 && status != 408 && status < 500) {
            snprintf(err, errlen, "%s answered HTTP %ld; check the URL (retrying cannot help)",
                     url, status);
            rc = -1;
            break;
        }
        /* every fault survived is counted in the event log (kind http_error, stall, disconnect) */
        char fault_msg[1024];
        if (cc == CURLE_HTTP_RETURNED_ERROR) {
            s->stats->http_errors++;
            failures++;
            log_warn("wiki", "%s answered HTTP %ld; backing off", url, status);
            snprintf(fault_msg, sizeof fault_msg, "%.600s answered HTTP %ld%s", url, status,
                     l.retry_after_ms >= 0 ? " with Retry-After" : "");
            store_event(s->db, "wikimedia_bronze", "warn", "http_error", fault_msg, NULL);
        } else if (l.stalled) {
            s->stats->stalls++;
            failures++;
            log_warn("wiki", "no bytes from %s for %lld ms; reconnecting", url,
                     (long long)l.stall_ms);
            snprintf(fault_msg, sizeof fault_msg, "no bytes from %.600s for %lld ms after %lld events",
                     url, (long long)l.stall_ms, (long long)l.conn_events);
            store_event(s->db, "wikimedia_bronze", "warn", "stall", fault_msg, NULL);
        } else {
            if (l.conn_events > 0) failures = 0; else failures++;
            log_info("wiki", "connection ended after %lld events (%s); reconnecting",
                     (long long)l.conn_events,
                     cc == CURLE_OK ? "closed by the server" : curl_easy_strerror(cc));
            if (cc != CURLE_OK) {
                snprintf(fault_msg, sizeof fault_msg, "connection to %.600s lost after %lld events: %s",
                         url, (long long)l.conn_events, curl_easy_strerror(cc));
                store_event(s->db, "wikimedia_bronze", "warn", "disconnect", fault_msg, NULL);
            }
        }
        int64_t base = l.server_retry_ms >= 0 ? l.server_retry_ms : backoff_initial;
        delay = base;
        for (int i = 1; i < failures && delay < backoff_max; i++) delay *= 2;
        if (delay > backoff_max) delay = backoff_max;
        if (l.retry_after_ms > delay) delay = l.retry_after_ms;
        sleep_interruptible(&l, delay);
    }
    curl_easy_cleanup(l.curl);
    return rc;
}

/* ================================================================ entry */

int wiki_ingest_run(sqlite3 *db, const config *cfg, const wiki_ingest_options *opt,
                    wiki_ingest_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    char key[PATH_MAX + 8];
    wiki_stream_key(opt->file, opt->url ? opt->url : WIKI_DEFAULT_URL, key, sizeof key);
    wiki_sink s;
    if (wiki_sink_open(&s, db, cfg, key, opt->hook, stats) != 0) {
        snprintf(err, errlen, "%s", s.err);
        wiki_sink_close(&s);
        return -1;
    }
    int rc = opt->file ? ingest_file(&s, opt, cfg, err, errlen)
                       : ingest_live(&s, opt, cfg, err, errlen);
    wiki_sink_close(&s);
    return rc;
}

