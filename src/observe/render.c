/* Rendering the metrics: Prometheus text exposition (GET /metrics) and OTLP/HTTP JSON; the
 * serving process's own HTTP request counters; readiness. */
#include "core/settings.h"
#include "observe/observe.h"

#include "core/grow.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

typedef struct family {
    const char *name;
    const char *type; /* counter, gauge, histogram */
    const char *help;
    const char *unit; /* OTLP unit (UCUM) */
} family;

static const family families[] = {
    {"wikigdelt_flow_input_rows_total", "counter", "Rows a flow read from its input.", "1"},
    {"wikigdelt_flow_output_rows_total", "counter", "Rows a flow wrote to its output.", "1"},
    {"wikigdelt_flow_batches_total", "counter", "Batches a flow committed.", "1"},
    {"wikigdelt_flow_errors_total", "counter", "Batches of a flow that failed.", "1"},
    {"wikigdelt_flow_bytes_total", "counter", "Bytes a source flow downloaded.", "By"},
    {"wikigdelt_flow_late_rows_total", "counter", "Rows that arrived after their window closed.", "1"},
    {"wikigdelt_flow_lag_seconds", "gauge", "How far a flow's last batch was behind its source's own time.", "s"},
    {"wikigdelt_flow_last_batch_timestamp_seconds", "gauge", "Unix time of a flow's last batch.", "s"},
    {"wikigdelt_flow_batch_duration_seconds", "histogram", "Duration of a flow's batches.", "s"},
    {"wikigdelt_expectation_checked_rows_total", "counter", "Rows a data-quality rule checked.", "1"},
    {"wikigdelt_expectation_failures_total", "counter", "Rows that failed a data-quality rule, by rule and action.", "1"},
    {"wikigdelt_record_latency_seconds", "histogram", "End-to-end latency of a record, from its source time or our receipt to the commit of its silver or gold row.", "s"},
    {"wikigdelt_source_fetches_total", "counter", "HTTP fetches of a source by status code (0: no answer).", "1"},
    {"wikigdelt_source_reconnects_total", "counter", "Reconnections of a streaming source.", "1"},
    {"wikigdelt_sse_lag_seconds", "gauge", "Age of the newest SSE event's meta.dt when it was committed.", "s"},
    {"wikigdelt_embedding_cache_hits_total", "counter", "Embedding cache hits.", "1"},
    {"wikigdelt_embedding_cache_misses_total", "counter", "Embedding cache misses.", "1"},
    {"wikigdelt_embedding_texts_total", "counter", "Texts embedded with the model.", "1"},
    {"wikigdelt_embedding_seconds_total", "counter", "Time spent embedding texts.", "s"},
    {"wikigdelt_gold_pairs_total", "counter", "Correlated pairs the gold flow emitted.", "1"},
    {"wikigdelt_bursts_total", "counter", "Breaking-news bursts detected.", "1"},
    {"wikigdelt_otlp_exports_total", "counter", "OTLP metric pushes by outcome.", "1"},
    {"wikigdelt_http_requests_total", "counter", "HTTP API requests by route and status.", "1"},
    {"wikigdelt_http_request_duration_seconds", "histogram", "HTTP API request latency by route.", "s"},
    {"wikigdelt_sqlite_database_bytes", "gauge", "Size of the SQLite database file.", "By"},
    {"wikigdelt_sqlite_wal_bytes", "gauge", "Size of the SQLite write-ahead log.", "By"},
};
#define NFAM (sizeof families / sizeof families[0])

static const double hist_bounds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30,
                                     60, 120, 300, 600, 1800, 3600, 14400, 86400};
#define NB (sizeof hist_bounds / sizeof hist_bounds[0])

/* ================================================================ in-process HTTP metrics */

typedef struct http_series {
    char route[64];
    int status;
    int64_t count;
} http_series;

typedef struct http_hist {
    char route[64];
    int64_t counts[NB + 1];
    double sum;
    int64_t count;
} http_hist;

#define MAX_HTTP 64
static pthread_mutex_t http_lock = PTHREAD_MUTEX_INITIALIZER;
static http_series http_counts[MAX_HTTP];
static int http_n;
static http_hist http_hists[MAX_HTTP];
static int http_hn;

void obs_http_request(const char *route_in, int status, double seconds)
{
    /* a label value: no quote, backslash or newline (routes are the table's paths anyway) */
    char route[64];
    snprintf(route, sizeof route, "%s", route_in ? route_in : "other");
    for (char *p = route; *p; p++)
        if (*p == '"' || *p == '\\' || *p == '\n') *p = '_';
    pthread_mutex_lock(&http_lock);
    int i;
    for (i = 0; i < http_n; i++)
        if (http_counts[i].status == status && !strcmp(http_counts[i].route, route)) break;
    if (i == http_n && http_n < MAX_HTTP) {
        snprintf(http_counts[i].route, sizeof http_counts[i].route, "%s", route);
        http_counts[i].status = status;
        http_n++;
    }
    if (i < http_n) http_counts[i].count++;
    for (i = 0; i < http_hn; i++)
        if (!strcmp(http_hists[i].route, route)) break;
    if (i == http_hn && http_hn < MAX_HTTP) {
        memset(&http_hists[i], 0, sizeof http_hists[i]);
        snprintf(http_hists[i].route, sizeof http_hists[i].route, "%s", route);
        http_hn++;
    }
    if (i < http_hn) {
        size_t b = 0;
        while (b < NB && seconds > hist_bounds[b]) b++;
        http_hists[i].counts[b]++;
        http_hists[i].sum += seconds;
        http_hists[i].count++;
    }
    pthread_mutex_unlock(&http_lock);
}

/* ================================================================ one list of samples */

typedef struct sample {
    const char *family;   /* static */
    char labels[320];
    double value;         /* counter or gauge */
    int64_t counts[NB + 1]; /* histogram, not cumulative */
    double sum;
    int64_t count;
    int64_t updated_ms;
} sample;

typedef struct samples {
    sample *v;
    size_t n, cap;
} samples;

static sample *samples_push(samples *s)
{
    if (grow_array(&s->v, &s->cap, s->n, sizeof *s->v, 64)) return NULL;
    sample *x = &s->v[s->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static const family *find_family(const char *name)
{
    for (size_t i = 0; i < NFAM; i++)
        if (!strcmp(families[i].name, name)) return &families[i];
    return NULL;
}

static int64_t parse_ms(const char *t)
{
    int64_t e;
    if (!t || time_parse_iso8601(t, &e) != 0) return time_now_ms();
    const char *dot = strchr(t, '.');
    int ms = dot ? atoi(dot + 1) : 0;
    return e * 1000 + (ms >= 0 && ms < 1000 ? ms : 0);
}

static int collect(sqlite3 *db, const char *db_path, samples *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name, labels, value, updated_at FROM obs_metrics ORDER BY name, labels",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const family *f = find_family((const char *)sqlite3_column_text(st, 0));
        if (!f || !strcmp(f->type, "histogram")) continue; /* unknown names are not rendered */
        sample *x = samples_push(out);
        if (!x) break;
        x->family = f->name;
        snprintf(x->labels, sizeof x->labels, "%s", (const char *)sqlite3_column_text(st, 1));
        x->value = sqlite3_column_double(st, 2);
        x->updated_ms = parse_ms((const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT name, labels, counts, sum, count, updated_at FROM obs_histograms"
                               " ORDER BY name, labels",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const family *f = find_family((const char *)sqlite3_column_text(st, 0));
        if (!f || strcmp(f->type, "histogram")) continue;
        sample *x = samples_push(out);
        if (!x) break;
        x->family = f->name;
        snprintf(x->labels, sizeof x->labels, "%s", (const char *)sqlite3_column_text(st, 1));
        const char *c = (const char *)sqlite3_column_text(st, 2);
        for (size_t i = 0; c && *c && i <= NB; i++) {
            char *end;
            x->counts[i] = strtoll(c, &end, 10);
            c = *end == ',' ? end + 1 : end;
        }
        x->sum = sqlite3_column_double(st, 3);
        x->count = sqlite3_column_int64(st, 4);
        x->updated_ms = parse_ms((const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_finalize(st);

    /* this process's HTTP requests */
    pthread_mutex_lock(&http_lock);
    for (int i = 0; i < http_n; i++) {
        sample *x = samples_push(out);
        if (!x) break;
        x->family = "wikigdelt_http_requests_total";
        snprintf(x->labels, sizeof x->labels, "route=\"%.63s\",status=\"%d\"", http_counts[i].route,
                 http_counts[i].status);
        x->value = (double)http_counts[i].count;
        x->updated_ms = time_now_ms();
    }
    for (int i = 0; i < http_hn; i++) {
        sample *x = samples_push(out);
        if (!x) break;
        x->family = "wikigdelt_http_request_duration_seconds";
        snprintf(x->labels, sizeof x->labels, "route=\"%.63s\"", http_hists[i].route);
        memcpy(x->counts, http_hists[i].counts, sizeof x->counts);
        x->sum = http_hists[i].sum;
        x->count = http_hists[i].count;
        x->updated_ms = time_now_ms();
    }
    pthread_mutex_unlock(&http_lock);

    /* file sizes */
    if (db_path) {
        struct stat sb;
        char wal[4200];
        snprintf(wal, sizeof wal, "%s-wal", db_path);
        sample *x = samples_push(out);
        if (x) {
            x->family = "wikigdelt_sqlite_database_bytes";
            x->value = stat(db_path, &sb) == 0 ? (double)sb.st_size : 0;
            x->updated_ms = time_now_ms();
        }
        x = samples_push(out);
        if (x) {
            x->family = "wikigdelt_sqlite_wal_bytes";
            x->value = stat(wal, &sb) == 0 ? (double)sb.st_size : 0;
            x->updated_ms = time_now_ms();
        }
    }
    return 0;
}

static void fmt_value(buf *out, double v)
{
    if (isinf(v)) buf_append_str(out, v > 0 ? "+Inf" : "-Inf");
    else if (isnan(v)) buf_append_str(out, "NaN");
    else if (v == floor(v) && fabs(v) < 1e15) buf_appendf(out, "%.0f", v);
    else {
        /* the shortest of %.15g / %.17g that reads back as the same double */
        char t[40];
        snprintf(t, sizeof t, "%.15g", v);
        if (strtod(t, NULL) != v) snprintf(t, sizeof t, "%.17g", v);
        buf_append_str(out, t);
    }
}

static void sample_name(buf *out, const char *name, const char *suffix, const char *labels,
                        const char *extra)
{
    buf_appendf(out, "%s%s", name, suffix);
    int has = labels && *labels, ex = extra && *extra;
    if (has || ex) buf_appendf(out, "{%s%s%s}", has ? labels : "", has && ex ? "," : "", ex ? extra : "");
    buf_append_str(out, " ");
}

int obs_render_prometheus(sqlite3 *db, const char *db_path, buf *out)
{
    samples s = {0};
    if (collect(db, db_path, &s) != 0) {
        free(s.v);
        return -1;
    }
    for (size_t f = 0; f < NFAM; f++) {
        int header = 0;
        for (size_t i = 0; i < s.n; i++) {
            sample *x = &s.v[i];
            if (strcmp(x->family, families[f].name)) continue;
            if (!header) {
                buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", families[f].name, families[f].help,
                            families[f].name, families[f].type);
                header = 1;
            }
            if (strcmp(families[f].type, "histogram")) {
                sample_name(out, x->family, "", x->labels, NULL);
                fmt_value(out, x->value);
                buf_append_str(out, "\n");
                continue;
            }
            int64_t cum = 0;
            for (size_t b = 0; b <= NB; b++) {
                cum += x->counts[b];
                char le[48];
                if (b < NB) {
                    buf tmp = BUF_INIT;
                    fmt_value(&tmp, hist_bounds[b]);
                    snprintf(le, sizeof le, "le=\"%s\"", tmp.data);
                    buf_free(&tmp);
                } else {
                    snprintf(le, sizeof le, "le=\"+Inf\"");
                }
                sample_name(out, x->family, "_bucket", x->labels, le);
                buf_appendf(out, "%lld\n", (long long)cum);
            }
            sample_name(out, x->family, "_sum", x->labels, NULL);
            fmt_value(out, x->sum);
            buf_append_str(out, "\n");
            sample_name(out, x->family, "_count", x->labels, NULL);
            buf_appendf(out, "%lld\n", (long long)x->count);
        }
    }
    free(s.v);
    return 0;
}

/* ================================================================ OTLP JSON */

static void json_str(buf *out, const char *s)
{
    buf_append_str(out, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') buf_appendf(out, "\\%c", c);
        else if (c < 0x20) buf_appendf(out, "\\u%04x", c);
        else buf_append(out, s, 1);
    }
    buf_append_str(out, "\"");
}

/* Exposition labels (k="v",k2="v2", values escaped) into OTLP attributes. */
static void otlp_attributes(buf *out, const char *labels)
{
    buf_append_str(out, "\"attributes\":[");
    const char *p = labels;
    int first = 1;
    while (p && *p) {
        const char *eq = strchr(p, '=');
        if (!eq || eq[1] != '"') break;
        char key[64], val[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
        size_t n = 0;
        const char *q = eq + 2;
        while (*q && *q != '"') {
            if (*q == '\\' && q[1]) {
                q++;
                if (n + 1 < sizeof val) val[n++] = *q == 'n' ? '\n' : *q;
            } else if (n + 1 < sizeof val) {
                val[n++] = *q;
            }
            q++;
        }
        val[n] = '\0';
        buf_appendf(out, "%s{\"key\":", first ? "" : ",");
        json_str(out, key);
        buf_append_str(out, ",\"value\":{\"stringValue\":");
        json_str(out, val);
        buf_append_str(out, "}}");
        first = 0;
        p = *q ? q + 1 : q;
        if (*p == ',') p++;
    }
    buf_append_str(out, "]");
}

int obs_render_otlp_json(sqlite3 *db, const char *db_path, const char *version, buf *out)
{
    samples s = {0};
    if (collect(db, db_path, &s) != 0) {
        free(s.v);
        return -1;
    }
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    long long now_ns = (long long)time_now_ms() * 1000000LL;
    static long long start_ns;
    if (!start_ns) start_ns = now_ns;
    buf_append_str(out, "{\"resourceMetrics\":[{\"resource\":{\"attributes\":["
                        "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"wikigdelt\"}},"
                        "{\"key\":\"service.version\",\"value\":{\"stringValue\":");
    json_str(out, version ? version : "dev");
    buf_append_str(out, "}},{\"key\":\"host.name\",\"value\":{\"stringValue\":");
    json_str(out, host);
    buf_append_str(out, "}}]},\"scopeMetrics\":[{\"scope\":{\"name\":\"wikigdelt\"},\"metrics\":[");
    int first_metric = 1;
    for (size_t f = 0; f < NFAM; f++) {
        const family *fam = &families[f];
        int any = 0;
        for (size_t i = 0; i < s.n; i++)
            if (!strcmp(s.v[i].family, fam->name)) any = 1;
        if (!any) continue;
        int hist = !strcmp(fam->type, "histogram"), counter = !strcmp(fam->type, "counter");
        /* OTLP names have no Prometheus suffix: the unit says seconds, the sum type says total */
        char oname[128];
        snprintf(oname, sizeof oname, "%s", fam->name);
        size_t ol = strlen(oname);
        if (counter && ol > 6 && !strcmp(oname + ol - 6, "_total")) oname[ol - 6] = '\0';
        buf_appendf(out, "%s{\"name\":", first_metric ? "" : ",");
        json_str(out, oname);
        buf_append_str(out, ",\"description\":");
        json_str(out, fam->help);
        buf_append_str(out, ",\"unit\":");
        json_str(out, fam->unit);
        if (hist)
            buf_append_str(out, ",\"histogram\":{\"aggregationTemporality\":2,\"dataPoints\":[");
        else if (counter)
            buf_append_str(out, ",\"sum\":{\"aggregationTemporality\":2,\"isMonotonic\":true,\"dataPoints\":[");
        else
            buf_append_str(out, ",\"gauge\":{\"dataPoints\":[");
        int first_point = 1;
        for (size_t i = 0; i < s.n; i++) {
            sample *x = &s.v[i];
            if (strcmp(x->family, fam->name)) continue;
            buf_appendf(out, "%s{", first_point ? "" : ",");
            otlp_attributes(out, x->labels);
            buf_appendf(out, ",\"startTimeUnixNano\":\"%lld\",\"timeUnixNano\":\"%lld\"", start_ns, now_ns);
            if (hist) {
                buf_appendf(out, ",\"count\":\"%lld\",\"sum\":", (long long)x->count);
                fmt_value(out, x->sum);
                buf_append_str(out, ",\"bucketCounts\":[");
                for (size_t b = 0; b <= NB; b++) buf_appendf(out, "%s\"%lld\"", b ? "," : "", (long long)x->counts[b]);
                buf_append_str(out, "],\"explicitBounds\":[");
                for (size_t b = 0; b < NB; b++) {
                    if (b) buf_append_str(out, ",");
                    fmt_value(out, hist_bounds[b]);
                }
                buf_append_str(out, "]}");
            } else {
                buf_append_str(out, ",\"asDouble\":");
                fmt_value(out, x->value);
                buf_append_str(out, "}");
            }
            first_point = 0;
        }
        buf_append_str(out, "]}}");
        first_metric = 0;
    }
    buf_append_str(out, "]}]}]}");
    free(s.v);
    return 0;
}

/* ================================================================ readiness */

static const struct {
    const char *flow;
    int64_t stale;
} sources[] = {{"gdelt_bronze", 1200}, {"wikimedia_bronze", 120}};

int obs_ready(sqlite3 *db, const config *cfg, const char *home, char *reason, size_t reasonlen)
{
    reason[0] = '\0';
    int64_t now = time_now_ms() / 1000;
    sqlite3_stmt *st;
    /* sources: a batch within their poll interval */
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        char key[96];
        snprintf(key, sizeof key, "observe.source_stale_seconds.%s", sources[i].flow);
        int64_t stale = config_get_int(cfg, key, sources[i].stale);
        if (stale <= 0) continue; /* this source is not expected */
        if (sqlite3_prepare_v2(db, "SELECT value FROM obs_metrics WHERE"
                                   " name = 'wikigdelt_flow_last_batch_timestamp_seconds' AND labels = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            return -1;
        char labels[128];
        snprintf(labels, sizeof labels, "flow=\"%s\"", sources[i].flow);
        sqlite3_bind_text(st, 1, labels, -1, SQLITE_STATIC);
        int found = sqlite3_step(st) == SQLITE_ROW;
        double last = found ? sqlite3_column_double(st, 0) : 0;
        sqlite3_finalize(st);
        if (!found) {
            snprintf(reason, reasonlen, "source %s has not committed a batch yet", sources[i].flow);
            return 0;
        }
        if (now - (int64_t)last > stale) {
            snprintf(reason, reasonlen, "source %s: last batch %lld s ago (more than %lld s)",
                     sources[i].flow, (long long)(now - (int64_t)last), (long long)stale);
            return 0;
        }
    }
    /* flows: the last batch did not fail, and none stalled while its input grew */
    int64_t stall = setting_int(cfg, "observe.stall_seconds");
    if (sqlite3_prepare_v2(db,
                           "SELECT e.flow, e.level, e.message, (julianday('now') - julianday(e.ts)) * 86400"
                           " FROM event_log e JOIN (SELECT flow, MAX(id) AS id FROM event_log"
                           " WHERE kind = 'flow_progress' GROUP BY flow) m ON m.id = e.id ORDER BY e.flow",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int ready = 1;
    double newest_source_age = 1e18;
    struct { char flow[64]; double age; } downstream[8];
    int nd = 0;
    while (ready && sqlite3_step(st) == SQLITE_ROW) {
        const char *flow = (const char *)sqlite3_column_text(st, 0);
        const char *level = (const char *)sqlite3_column_text(st, 1);
        double age = sqlite3_column_double(st, 3);
        if (level && !strcmp(level, "error")) {
            snprintf(reason, reasonlen, "flow %s failed its last batch: %s", flow,
                     (const char *)sqlite3_column_text(st, 2));
            ready = 0;
        } else if (strstr(flow, "_bronze")) {
            if (age < newest_source_age) newest_source_age = age;
        } else if (nd < 8) {
            snprintf(downstream[nd].flow, sizeof downstream[nd].flow, "%s", flow);
            downstream[nd++].age = age;
        }
    }
    sqlite3_finalize(st);
    if (!ready) return 0;
    for (int i = 0; i < nd; i++)
        if (stall > 0 && downstream[i].age > stall && newest_source_age + stall < downstream[i].age) {
            snprintf(reason, reasonlen, "flow %s stalled: last batch %.0f s ago while the sources kept writing",
                     downstream[i].flow, downstream[i].age);
            return 0;
        }
    /* disk */
    struct statvfs vf;
    int64_t min_free = setting_int(cfg, "observe.min_free_mb");
    if (home && statvfs(home, &vf) == 0) {
        double free_mb = (double)vf.f_bavail * (double)vf.f_frsize / 1048576.0;
        if (free_mb < (double)min_free) {
            snprintf(reason, reasonlen, "disk nearly full: %.0f MiB free under %s (less than %lld)",
                     free_mb, home, (long long)min_free);
            return 0;
        }
    }
    snprintf(reason, reasonlen, "ready");
    return 1;
}
