/* `status` per flow, from the flow_progress rows of the event log over a sliding window. */
#include "core/settings.h"
#include "observe/observe.h"

#include "core/timeutil.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FINE_N 300

typedef struct flow_view {
    char flow[64];
    int64_t batches, errors, in, out;
    double first_age, duration_sum;
    /* last batch */
    char last_ts[32], last_error[WG_ERR_LEN];
    int64_t last_in, last_out;
    double last_duration, last_age, lag;
    int has_lag;
    char watermark[40];
    /* latency: [stream][from] fine histograms, stage of this flow */
    char stage[8];
    int64_t fine[2][2][FINE_N];
} flow_view;

static const char *const streams[2] = {"gdelt", "wiki"};
static const char *const froms[2] = {"source", "receipt"};

static double fine_pct(const int64_t *fine, double q, int64_t *n_out)
{
    int64_t n = 0;
    for (int i = 0; i < FINE_N; i++) n += fine[i];
    *n_out = n;
    if (n == 0) return NAN;
    int64_t rank = (int64_t)ceil(q * (double)n), cum = 0;
    if (rank < 1) rank = 1;
    for (int i = 0; i < FINE_N; i++) {
        cum += fine[i];
        if (cum >= rank) return obs_fine_value(i);
    }
    return obs_fine_value(FINE_N - 1);
}

static void merge_latency(flow_view *v, json_t *d)
{
    json_t *lat = json_object_get(d, "latency");
    const char *stage = json_string_value(json_object_get(d, "latency_stage"));
    if (!json_is_object(lat)) return;
    if (stage) snprintf(v->stage, sizeof v->stage, "%s", stage);
    for (int s = 0; s < 2; s++) {
        json_t *per = json_object_get(lat, streams[s]);
        for (int f = 0; per && f < 2; f++) {
            json_t *fine = json_object_get(json_object_get(per, froms[f]), "fine");
            size_t i;
            json_t *pair;
            json_array_foreach(fine, i, pair) {
                json_int_t b = json_integer_value(json_array_get(pair, 0));
                json_int_t c = json_integer_value(json_array_get(pair, 1));
                if (b >= 0 && b < FINE_N && c > 0) v->fine[s][f][b] += c;
            }
        }
    }
}

static int load(sqlite3 *db, double window, flow_view **out, int *nout)
{
    sqlite3_stmt *st;
    /* newest first, so the first row of a flow is its last batch */
    if (sqlite3_prepare_v2(db,
                           "SELECT flow, ts, level, details, (julianday('now') - julianday(ts)) * 86400"
                           " FROM event_log WHERE kind = 'flow_progress'"
                           " AND ts >= strftime('%Y-%m-%d %H:%M:%f', 'now', ?1) ORDER BY id DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    char mod[32];
    snprintf(mod, sizeof mod, "-%.0f seconds", window);
    sqlite3_bind_text(st, 1, mod, -1, SQLITE_TRANSIENT);
    flow_view *v = NULL;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *flow = (const char *)sqlite3_column_text(st, 0);
        int i;
        for (i = 0; i < n; i++)
            if (!strcmp(v[i].flow, flow)) break;
        json_t *d = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
        if (i == n) {
            flow_view *nv = realloc(v, sizeof *v * (size_t)(n + 1));
            if (!nv) {
                json_decref(d);
                break;
            }
            v = nv;
            memset(&v[n], 0, sizeof v[n]);
            snprintf(v[n].flow, sizeof v[n].flow, "%s", flow);
            snprintf(v[n].last_ts, sizeof v[n].last_ts, "%s", (const char *)sqlite3_column_text(st, 1));
            v[n].last_age = sqlite3_column_double(st, 4);
            v[n].last_in = json_integer_value(json_object_get(d, "input_rows"));
            v[n].last_out = json_integer_value(json_object_get(d, "output_rows"));
            v[n].last_duration = json_number_value(json_object_get(d, "duration_seconds"));
            json_t *lag = json_object_get(d, "lag_seconds");
            v[n].has_lag = json_is_number(lag);
            v[n].lag = json_number_value(lag);
            const char *wm = json_string_value(json_object_get(d, "watermark"));
            snprintf(v[n].watermark, sizeof v[n].watermark, "%s", wm ? wm : "");
            const char *e = json_string_value(json_object_get(d, "error"));
            snprintf(v[n].last_error, sizeof v[n].last_error, "%s", e ? e : "");
            i = n++;
        }
        flow_view *x = &v[i];
        x->batches++;
        x->first_age = sqlite3_column_double(st, 4);
        const char *level = (const char *)sqlite3_column_text(st, 2);
        if (level && !strcmp(level, "error")) x->errors++;
        x->in += json_integer_value(json_object_get(d, "input_rows"));
        x->out += json_integer_value(json_object_get(d, "output_rows"));
        x->duration_sum += json_number_value(json_object_get(d, "duration_seconds"));
        merge_latency(x, d);
        json_decref(d);
    }
    sqlite3_finalize(st);
    *out = v;
    *nout = n;
    return 0;
}

int obs_status(sqlite3 *db, const config *cfg, int json, FILE *out)
{
    double window = setting_double(cfg, "observe.window_seconds");
    if (!(window > 0)) window = 900;
    flow_view *v = NULL;
    int n = 0;
    if (load(db, window, &v, &n) != 0) return -1;
    json_t *root = json ? json_object() : NULL;
    json_t *flows = json ? json_array() : NULL;
    if (!json) fprintf(out, "flows (last %.0f s of flow_progress):\n", window);
    if (!json && n == 0) fprintf(out, "  (no batch in the window)\n");
    for (int i = 0; i < n; i++) {
        flow_view *x = &v[i];
        /* rates over the span the window's batches cover (at least 1 s) */
        double span = x->first_age > 1 ? x->first_age : 1;
        if (span > window) span = window;
        double in_rate = (double)x->in / span, out_rate = (double)x->out / span;
        json_t *jf = NULL;
        if (json) {
            jf = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:{s:s, s:f, s:I, s:I, s:f, s:s?, s:s?}}",
                           "flow", x->flow, "batches", (json_int_t)x->batches, "errors",
                           (json_int_t)x->errors, "input_rows", (json_int_t)x->in, "output_rows",
                           (json_int_t)x->out, "input_rows_per_second", in_rate,
                           "output_rows_per_second", out_rate, "last_batch", "ts", x->last_ts,
                           "age_seconds", x->last_age, "input_rows", (json_int_t)x->last_in,
                           "output_rows", (json_int_t)x->last_out, "duration_seconds",
                           x->last_duration, "watermark", x->watermark[0] ? x->watermark : NULL,
                           "error", x->last_error[0] ? x->last_error : NULL);
            json_object_set_new(jf, "lag_seconds", x->has_lag ? json_real(x->lag) : json_null());
        } else {
            fprintf(out, "\n  %s\n", x->flow);
            fprintf(out, "    last batch   %s (%.0f s ago): %lld in, %lld out, %.3f s%s%s\n", x->last_ts,
                    x->last_age, (long long)x->last_in, (long long)x->last_out, x->last_duration,
                    x->last_error[0] ? ", error: " : "", x->last_error);
            if (x->has_lag || x->watermark[0]) {
                fprintf(out, "    lag          ");
                if (x->has_lag) fprintf(out, "%.1f s behind the source", x->lag);
                if (x->watermark[0]) fprintf(out, "%swatermark %s", x->has_lag ? ", " : "", x->watermark);
                fprintf(out, "\n");
            }
            fprintf(out, "    window       %lld batches, %lld errors, %.1f rows/s in, %.1f rows/s out\n",
                    (long long)x->batches, (long long)x->errors, in_rate, out_rate);
        }
        json_t *jl = NULL;
        for (int s = 0; s < 2; s++)
            for (int f = 0; f < 2; f++) {
                int64_t cnt;
                double p50 = fine_pct(x->fine[s][f], 0.50, &cnt);
                if (cnt == 0) continue;
                double p95 = fine_pct(x->fine[s][f], 0.95, &cnt);
                double p99 = fine_pct(x->fine[s][f], 0.99, &cnt);
                if (json) {
                    if (!jl) jl = json_object();
                    char key[32];
                    snprintf(key, sizeof key, "%s_from_%s", streams[s], froms[f]);
                    json_object_set_new(jl, key, json_pack("{s:I, s:f, s:f, s:f}", "n", (json_int_t)cnt,
                                                           "p50", p50, "p95", p95, "p99", p99));
                } else {
                    fprintf(out, "    latency      %s from %-7s to %-6s p50 %.3g s, p95 %.3g s, p99 %.3g s (%lld records)\n",
                            streams[s], froms[f], x->stage, p50, p95, p99, (long long)cnt);
                }
            }
        if (json) {
            if (jl) {
                json_object_set_new(jl, "stage", json_string(x->stage));
                json_object_set_new(jf, "latency_seconds", jl);
            }
            json_array_append_new(flows, jf);
        }
    }
    if (json) {
        json_object_set_new(root, "window_seconds", json_real(window));
        json_object_set_new(root, "flows", flows);
        char *text = json_dumps(root, JSON_INDENT(2));
        fprintf(out, "%s\n", text);
        free(text);
        json_decref(root);
    }
    free(v);
    return 0;
}

/* ---- the live progress line of run/demo */

typedef struct progress_prev {
    char flow[64];
    double out;
} progress_prev;

int obs_progress(sqlite3 *db, double elapsed_s, double since_last_s, int tty, FILE *out)
{
    static progress_prev prev[16];
    static int nprev;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT substr(labels, 7, length(labels) - 7), value FROM obs_metrics"
                           " WHERE name = 'wikigdelt_flow_output_rows_total' AND labels LIKE 'flow=\"%'"
                           " ORDER BY CASE substr(labels, 7, length(labels) - 7) WHEN 'gdelt_bronze' THEN 1"
                           " WHEN 'wikimedia_bronze' THEN 2 WHEN 'gdelt_silver' THEN 3"
                           " WHEN 'wikimedia_silver' THEN 4 WHEN 'gold' THEN 5 ELSE 6 END",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    char line[1024];
    int n = snprintf(line, sizeof line, "[%4.0fs]", elapsed_s);
    while (sqlite3_step(st) == SQLITE_ROW && n > 0 && (size_t)n < sizeof line) {
        const char *flow = (const char *)sqlite3_column_text(st, 0);
        double v = sqlite3_column_double(st, 1), rate = 0;
        int i;
        for (i = 0; i < nprev; i++)
            if (!strcmp(prev[i].flow, flow)) break;
        if (i < nprev && since_last_s > 0) rate = (v - prev[i].out) / since_last_s;
        if (i == nprev && nprev < 16) snprintf(prev[nprev++].flow, sizeof prev[0].flow, "%s", flow);
        if (i < nprev) prev[i].out = v;
        n += snprintf(line + n, sizeof line - (size_t)n, " | %s %.0f (%.0f/s)", flow, v, rate);
    }
    sqlite3_finalize(st);
    if (n <= 0) return -1;
    if (tty) fprintf(out, "\r\033[K%.*s", 200, line);
    else fprintf(out, "progress %s\n", line);
    fflush(out);
    return 0;
}
