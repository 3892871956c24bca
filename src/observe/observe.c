/* Flow progress, record latency and the lakehouse-backed metrics (see observe.h). */
#include "observe/observe.h"

#include "core/grow.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ fine latency buckets */

#define FINE_BASE 0.001
#define FINE_RATIO 1.1
#define FINE_MAX 300 /* up to 2.6e9 s: a replayed 2015 recording is ~3.5e8 s old */

int obs_fine_bucket(double s)
{
    if (!(s > FINE_BASE)) return 0;
    int b = (int)floor(log(s / FINE_BASE) / log(FINE_RATIO));
    if (b < 0) b = 0;
    if (b >= FINE_MAX) b = FINE_MAX - 1;
    return b;
}

double obs_fine_value(int b)
{
    return FINE_BASE * pow(FINE_RATIO, b + 0.5);
}

double obs_percentile(const double *sorted, size_t n, double q)
{
    if (n == 0) return NAN;
    size_t rank = (size_t)ceil(q * (double)n);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

/* ================================================================ histogram bounds */

static const double latency_bounds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30,
                                        60, 120, 300, 600, 1800, 3600, 14400, 86400};
#define NLAT (sizeof latency_bounds / sizeof latency_bounds[0])

/* ================================================================ pending in-memory counters */

typedef struct pending_metric {
    char name[96];
    char labels[160];
    double value;
    int gauge;
} pending_metric;

#define MAX_PENDING 64
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pending_metric pending[MAX_PENDING];
static int pending_n;

static void pending_put(const char *name, const char *labels, double v, int gauge)
{
    pthread_mutex_lock(&pending_lock);
    int i;
    for (i = 0; i < pending_n; i++)
        if (!strcmp(pending[i].name, name) && !strcmp(pending[i].labels, labels)) break;
    if (i == pending_n && pending_n < MAX_PENDING) {
        snprintf(pending[i].name, sizeof pending[i].name, "%s", name);
        snprintf(pending[i].labels, sizeof pending[i].labels, "%s", labels ? labels : "");
        pending[i].value = 0;
        pending[i].gauge = gauge;
        pending_n++;
    }
    if (i < pending_n) pending[i].value = gauge ? v : pending[i].value + v;
    pthread_mutex_unlock(&pending_lock);
}

void obs_count(const char *name, const char *labels, double delta) { pending_put(name, labels ? labels : "", delta, 0); }
void obs_gauge(const char *name, const char *labels, double value) { pending_put(name, labels ? labels : "", value, 1); }

/* ================================================================ store writes */

/* Prepared statements of the writes, kept per thread for its last connection: a batch makes a
 * dozen counter updates, and preparing each one again cost more than running it. */
enum { ST_COUNTER, ST_GAUGE, ST_HIST_GET, ST_HIST_PUT, ST_N };
static _Thread_local sqlite3 *cache_db;
static _Thread_local sqlite3_stmt *cache_st[ST_N];

void obs_thread_done(void)
{
    for (int i = 0; i < ST_N; i++) {
        sqlite3_finalize(cache_st[i]);
        cache_st[i] = NULL;
    }
    cache_db = NULL;
}

static sqlite3_stmt *prepared(sqlite3 *db, int which, const char *sql)
{
    if (db != cache_db) {
        obs_thread_done();
        cache_db = db;
    }
    if (!cache_st[which] &&
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cache_st[which], NULL) != SQLITE_OK) {
        cache_st[which] = NULL;
        return NULL;
    }
    return cache_st[which];
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int metric_add(sqlite3 *db, const char *name, const char *labels, double v, int gauge)
{
    const char *sql = gauge
        ? "INSERT INTO obs_metrics(name, labels, value, updated_at) VALUES (?1, ?2, ?3,"
          " strftime('%Y-%m-%d %H:%M:%f','now')) ON CONFLICT(name, labels) DO UPDATE SET"
          " value = excluded.value, updated_at = excluded.updated_at"
        : "INSERT INTO obs_metrics(name, labels, value, updated_at) VALUES (?1, ?2, ?3,"
          " strftime('%Y-%m-%d %H:%M:%f','now')) ON CONFLICT(name, labels) DO UPDATE SET"
          " value = value + excluded.value, updated_at = excluded.updated_at";
    sqlite3_stmt *st = prepared(db, gauge ? ST_GAUGE : ST_COUNTER, sql);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, labels, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, v);
    return step_done(st);
}

/* Adds observations (already bucketed: counts[NLAT + 1], the last one +Inf) to a histogram. */
static int hist_add(sqlite3 *db, const char *name, const char *labels, const int64_t *counts,
                    double sum, int64_t count)
{
    if (count == 0) return 0;
    int64_t old[NLAT + 1];
    memset(old, 0, sizeof old);
    double old_sum = 0;
    int64_t old_count = 0;
    sqlite3_stmt *st = prepared(db, ST_HIST_GET, "SELECT counts, sum, count FROM obs_histograms WHERE name=?1 AND labels=?2");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, labels, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; c && *c && i <= NLAT; i++) {
            char *end;
            old[i] = strtoll(c, &end, 10);
            c = *end == ',' ? end + 1 : end;
        }
        old_sum = sqlite3_column_double(st, 1);
        old_count = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    char text[NLAT * 22 + 32];
    size_t n = 0;
    for (size_t i = 0; i <= NLAT; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%lld", i ? "," : "",
                              (long long)(old[i] + counts[i]));
    st = prepared(db, ST_HIST_PUT,
                  "INSERT OR REPLACE INTO obs_histograms(name, labels, counts, sum, count,"
                  " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%d %H:%M:%f','now'))");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, labels, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 4, old_sum + sum);
    sqlite3_bind_int64(st, 5, old_count + count);
    return step_done(st);
}

static void bucketize(const double *v, size_t n, int64_t counts[NLAT + 1], double *sum)
{
    memset(counts, 0, sizeof(int64_t) * (NLAT + 1));
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = 0;
        while (b < NLAT && v[i] > latency_bounds[b]) b++;
        counts[b]++;
        *sum += v[i];
    }
}


int obs_flush(sqlite3 *db)
{
    pthread_mutex_lock(&pending_lock);
    int n = pending_n, rc = 0;
    pending_metric copy[MAX_PENDING];
    memcpy(copy, pending, sizeof(pending_metric) * (size_t)n);
    pending_n = 0;
    pthread_mutex_unlock(&pending_lock);
    for (int i = 0; i < n; i++)
        if (metric_add(db, copy[i].name, copy[i].labels, copy[i].value, copy[i].gauge) != 0) rc = -1;
    return rc;
}

/* ================================================================ latency of committed records */

/* A measured latency and how many records it stands for (1, or more when a large batch was
 * sampled: observe.latency_sample rows per measurement, each weighing rows / sampled). */
typedef struct obs_value {
    double v, w;
} obs_value;

typedef struct series {
    obs_value *v;
    size_t n, cap;
} series;

static void series_push(series *s, double x)
{
    if (!(x == x)) return; /* NaN: the time did not parse */
    if (x < 0) x = 0;      /* clocks of the source ahead of ours */
    if (grow_array(&s->v, &s->cap, s->n, sizeof *s->v, 256)) return;
    s->v[s->n].v = x;
    s->v[s->n++].w = 1;
}

static int cmp_value(const void *a, const void *b)
{
    double x = ((const obs_value *)a)->v, y = ((const obs_value *)b)->v;
    return (x > y) - (x < y);
}

/* Rounds weighted counts to integers that sum to the rounded total (largest remainder). */
static int64_t round_counts(const double *w, int64_t *out, size_t n)
{
    double total = 0;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        total += w[i];
        out[i] = (int64_t)floor(w[i] + 1e-9);
        sum += out[i];
    }
    int64_t want = llround(total);
    while (sum < want) {
        size_t best = 0;
        double frac = -1;
        for (size_t i = 0; i < n; i++) {
            double f = w[i] - (double)out[i];
            if (f > frac) frac = f, best = i;
        }
        out[best]++;
        sum++;
    }
    return want;
}

/* Weighted: returns the count (rounded total weight). */
static int64_t bucketize_weighted(const obs_value *v, size_t n, int64_t counts[NLAT + 1], double *sum)
{
    double w[NLAT + 1];
    memset(w, 0, sizeof w);
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = 0;
        while (b < NLAT && v[i].v > latency_bounds[b]) b++;
        w[b] += v[i].w;
        *sum += v[i].v * v[i].w;
    }
    return round_counts(w, counts, NLAT + 1);
}

/* [stream][from]: stream 0 gdelt, 1 wiki; from 0 source time, 1 receipt. */
typedef struct latency_set {
    series s[2][2];
} latency_set;

static const char *const stream_names[2] = {"gdelt", "wiki"};
static const char *const from_names[2] = {"source", "receipt"};

#define JD_EPOCH "2440587.5"
/* Seconds between ?1 (epoch seconds, now) and a text time; NULL when it does not parse. */
#define AGE(x) "(?1 - (julianday(" x ") - " JD_EPOCH ") * 86400.0)"
#define GDELT_SLOT(f)                                                                          \
    "(substr(" f ",1,4)||'-'||substr(" f ",5,2)||'-'||substr(" f ",7,2)||' '||substr(" f        \
    ",9,2)||':'||substr(" f ",11,2)||':'||substr(" f ",13,2))"

typedef struct latency_query {
    const char *mark;   /* checkpoint name of the last row measured */
    const char *count;  /* ?1 mark: COUNT(*), MAX(id) of the new rows */
    const char *sql;    /* ?1 now, ?2 mark, ?3 last id, ?4 every k-th: id, stream (0/1), age from
                           source, age from receipt */
} latency_query;

static const latency_query gdelt_silver_q = {
    "observe.latency.gdelt_silver",
    "SELECT COUNT(*), MAX(silver_id) FROM gdelt_silver WHERE silver_id > ?1",
    "SELECT s.silver_id, 0, " AGE(GDELT_SLOT("b.source_file")) ", " AGE("b.ingested_at")
    " FROM gdelt_silver s JOIN gdelt_bronze b ON b.bronze_id = s.bronze_id"
    " WHERE s.silver_id > ?2 AND s.silver_id <= ?3 AND (s.silver_id - ?2) % ?4 = 0"};
static const latency_query wiki_silver_q = {
    "observe.latency.wikimedia_silver",
    "SELECT COUNT(*), MAX(silver_id) FROM wikimedia_silver WHERE silver_id > ?1",
    "SELECT s.silver_id, 1, " AGE("b.meta_dt") ", " AGE("b.received_at")
    " FROM wikimedia_silver s JOIN wikimedia_bronze b ON b.bronze_id = s.bronze_id"
    " WHERE s.silver_id > ?2 AND s.silver_id <= ?3 AND (s.silver_id - ?2) % ?4 = 0"};
static const latency_query gold_events_q = {
    "observe.latency.gold_events",
    "SELECT COUNT(*), MAX(gdelt_silver_id) FROM gold_events WHERE gdelt_silver_id > ?1",
    "SELECT g.gdelt_silver_id, 0, " AGE(GDELT_SLOT("b.source_file")) ", " AGE("b.ingested_at")
    " FROM gold_events g JOIN gdelt_silver s ON s.silver_id = g.gdelt_silver_id"
    " JOIN gdelt_bronze b ON b.bronze_id = s.bronze_id"
    " WHERE g.gdelt_silver_id > ?2 AND g.gdelt_silver_id <= ?3 AND (g.gdelt_silver_id - ?2) % ?4 = 0"};
/* A pair is the gold row of the record that completed it: the one received last. */
static const latency_query gold_pairs_q = {
    "observe.latency.correlated_gold_events",
    "SELECT COUNT(*), MAX(id) FROM correlated_gold_events WHERE id > ?1",
    "SELECT c.id, CASE WHEN julianday(wb.received_at) >= julianday(gb.ingested_at) THEN 1 ELSE 0 END,"
    " CASE WHEN julianday(wb.received_at) >= julianday(gb.ingested_at) THEN " AGE("wb.meta_dt")
    " ELSE " AGE(GDELT_SLOT("gb.source_file")) " END,"
    " CASE WHEN julianday(wb.received_at) >= julianday(gb.ingested_at) THEN " AGE("wb.received_at")
    " ELSE " AGE("gb.ingested_at") " END"
    " FROM correlated_gold_events c"
    " JOIN gdelt_silver gs ON gs.silver_id = c.gdelt_silver_id"
    " JOIN gdelt_bronze gb ON gb.bronze_id = gs.bronze_id"
    " JOIN wikimedia_silver ws ON ws.silver_id = c.wiki_last_silver_id"
    " JOIN wikimedia_bronze wb ON wb.bronze_id = ws.bronze_id"
    " WHERE c.id > ?2 AND c.id <= ?3 AND (c.id - ?2) % ?4 = 0"};

/* Measures the rows committed since the query's mark: all of them up to `sample` rows, else
 * every k-th (ids are dense) with weight rows / sampled, so counts stay the records' counts. */
static int measure(sqlite3 *db, const latency_query *q, double now, int64_t sample, latency_set *ls,
                   int64_t *rows)
{
    int64_t mark = -1;
    if (store_checkpoint_get_int(db, q->mark, -1, &mark) != 0) return -1;
    if (mark < 0) mark = 0; /* the migration sets it; a store without it starts from the beginning */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q->count, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(st, 1, mark);
    int64_t n = 0, last = mark;
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        last = sqlite3_column_type(st, 1) == SQLITE_NULL ? mark : sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (n == 0) return 0;
    *rows += n;
    int64_t k = sample > 0 && last - mark > sample ? (last - mark + sample - 1) / sample : 1;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_double(st, 1, now);
    sqlite3_bind_int64(st, 2, mark);
    sqlite3_bind_int64(st, 3, last);
    sqlite3_bind_int64(st, 4, k);
    size_t first[2][2];
    for (int a = 0; a < 2; a++)
        for (int f = 0; f < 2; f++) first[a][f] = ls->s[a][f].n;
    int64_t sampled = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sampled++;
        int stream = sqlite3_column_int(st, 1) ? 1 : 0;
        for (int f = 0; f < 2; f++)
            if (sqlite3_column_type(st, 2 + f) != SQLITE_NULL)
                series_push(&ls->s[stream][f], sqlite3_column_double(st, 2 + f));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    if (sampled > 0 && sampled != n) {
        double w = (double)n / (double)sampled;
        for (int a = 0; a < 2; a++)
            for (int f = 0; f < 2; f++)
                for (size_t i = first[a][f]; i < ls->s[a][f].n; i++) ls->s[a][f].v[i].w = w;
    }
    if (store_checkpoint_set_int(db, q->mark, last) != 0) return -1;
    return 0;
}

/* ================================================================ one batch */

static int64_t calls_since_prune;

/* Weighted nearest rank over values sorted by v (all weights 1: obs_percentile). */
static double weighted_pct(const obs_value *v, size_t n, double total, double q)
{
    double target = q * total, cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += v[i].w;
        if (cum >= target - 1e-9) return v[i].v;
    }
    return v[n - 1].v;
}

static json_t *latency_json(series *s)
{
    json_t *o = json_object();
    qsort(s->v, s->n, sizeof(obs_value), cmp_value);
    double total = 0;
    for (size_t i = 0; i < s->n; i++) total += s->v[i].w;
    /* sparse fine histogram [[bucket, count], ...] so `status` can merge batches of a window */
    size_t nb = 0;
    int buckets[512];
    double w[512];
    for (size_t i = 0; i < s->n && nb < 512;) {
        int b = obs_fine_bucket(s->v[i].v);
        double sum = 0;
        while (i < s->n && obs_fine_bucket(s->v[i].v) == b) sum += s->v[i++].w;
        buckets[nb] = b;
        w[nb++] = sum;
    }
    int64_t counts[512];
    int64_t n = round_counts(w, counts, nb);
    json_object_set_new(o, "n", json_integer((json_int_t)n));
    if (total < (double)s->n - 0.5 || total > (double)s->n + 0.5)
        json_object_set_new(o, "sampled", json_integer((json_int_t)s->n));
    json_object_set_new(o, "p50", json_real(weighted_pct(s->v, s->n, total, 0.50)));
    json_object_set_new(o, "p95", json_real(weighted_pct(s->v, s->n, total, 0.95)));
    json_object_set_new(o, "p99", json_real(weighted_pct(s->v, s->n, total, 0.99)));
    json_object_set_new(o, "max", json_real(s->v[s->n - 1].v));
    json_t *fine = json_array();
    for (size_t i = 0; i < nb; i++)
        if (counts[i] > 0) json_array_append_new(fine, json_pack("[iI]", buckets[i], (json_int_t)counts[i]));
    json_object_set_new(o, "fine", fine);
    return o;
}

static void label_escape(const char *v, char *out, size_t outlen)
{
    size_t n = 0;
    for (; v && *v && n + 3 < outlen; v++) {
        if (*v == '\\' || *v == '"') out[n++] = '\\', out[n++] = *v;
        else if (*v == '\n') out[n++] = '\\', out[n++] = 'n';
        else out[n++] = *v;
    }
    out[n] = '\0';
}

static int write_expectations(sqlite3 *db, const char *flow, const char *batch_id, json_t *details)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT rule, action, SUM(checked), SUM(failed) FROM expectation_counts"
                           /* +flow: look the batch up by expectation_counts_batch */
                           " WHERE batch_id = ?2 AND +flow = ?1 GROUP BY rule, action",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, batch_id, -1, SQLITE_STATIC);
    json_t *arr = json_array();
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *rule = (const char *)sqlite3_column_text(st, 0);
        const char *action = (const char *)sqlite3_column_text(st, 1);
        int64_t checked = sqlite3_column_int64(st, 2), failed = sqlite3_column_int64(st, 3);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I}", "rule", rule ? rule : "",
                                             "action", action ? action : "", "checked",
                                             (json_int_t)checked, "failed", (json_int_t)failed));
        char r[96], a[32], labels[256];
        label_escape(rule, r, sizeof r);
        label_escape(action, a, sizeof a);
        char fl[96];
        label_escape(flow, fl, sizeof fl);
        snprintf(labels, sizeof labels, "flow=\"%s\",rule=\"%s\",action=\"%s\"", fl, r, a);
        if (metric_add(db, "wikigdelt_expectation_checked_rows_total", labels, (double)checked, 0) != 0 ||
            (failed && metric_add(db, "wikigdelt_expectation_failures_total", labels, (double)failed, 0) != 0))
            rc = -1;
    }
    sqlite3_finalize(st);
    json_object_set_new(details, "expectations", arr);
    return rc;
}

static int flow_batch(sqlite3 *db, const config *cfg, const obs_batch *b)
{
    int64_t end_ms = time_now_ms();
    double now = (double)end_ms / 1000.0;
    double duration = b->start_ms > 0 ? (double)(end_ms - b->start_ms) / 1000.0 : 0;
    if (duration < 0) duration = 0;
    char batch_id[128];
    if (b->batch_id)
        snprintf(batch_id, sizeof batch_id, "%s", b->batch_id);
    else
        snprintf(batch_id, sizeof batch_id, "%s:%lld", b->flow, (long long)b->start_ms);
    char start_text[TIME_TEXT_LEN], end_text[TIME_TEXT_LEN];
    time_format(b->start_ms / 1000, start_text);
    time_format(end_ms / 1000, end_text);
    char fl[96], labels[256];
    label_escape(b->flow, fl, sizeof fl);
    snprintf(labels, sizeof labels, "flow=\"%s\"", fl);

    json_t *d = json_object();
    json_object_set_new(d, "flow", json_string(b->flow));
    json_object_set_new(d, "batch_id", json_string(batch_id));
    char st_ms[32], en_ms[32];
    snprintf(st_ms, sizeof st_ms, "%s.%03d", start_text, (int)(b->start_ms % 1000));
    snprintf(en_ms, sizeof en_ms, "%s.%03d", end_text, (int)(end_ms % 1000));
    json_object_set_new(d, "batch_start", json_string(st_ms));
    json_object_set_new(d, "batch_end", json_string(en_ms));
    json_object_set_new(d, "input_rows", json_integer(b->input_rows));
    json_object_set_new(d, "duration_seconds", json_real(duration));
    json_object_set_new(d, "watermark", b->watermark ? json_string(b->watermark) : json_null());
    json_object_set_new(d, "lag_seconds", b->lag_seconds >= 0 ? json_real(b->lag_seconds) : json_null());
    if (b->bytes) json_object_set_new(d, "bytes", json_integer(b->bytes));
    if (b->late_rows) json_object_set_new(d, "late_rows", json_integer(b->late_rows));
    json_object_set_new(d, "error", b->error ? json_string(b->error) : json_null());

    int rc = 0;
    if (write_expectations(db, b->flow, batch_id, d) != 0) rc = -1;

    /* latency of the committed records */
    latency_set ls;
    memset(&ls, 0, sizeof ls);
    int64_t measured = 0, pairs = 0; /* pairs: counted by the caller from its statistics */
    int64_t sample = setting_int(cfg, "observe.latency_sample");
    if (b->latency == OBS_LAT_GDELT_SILVER) rc |= measure(db, &gdelt_silver_q, now, sample, &ls, &measured);
    if (b->latency == OBS_LAT_WIKI_SILVER) rc |= measure(db, &wiki_silver_q, now, sample, &ls, &measured);
    if (b->latency == OBS_LAT_GOLD) {
        rc |= measure(db, &gold_events_q, now, sample, &ls, &measured);
        rc |= measure(db, &gold_pairs_q, now, sample, &ls, &pairs);
    }
    (void)pairs;
    /* output_rows < 0: the rows this batch committed, as the measurement found them */
    int64_t output_rows = b->output_rows >= 0 ? b->output_rows : measured;
    json_object_set_new(d, "output_rows", json_integer(output_rows));
    const char *stage = b->latency == OBS_LAT_GOLD ? "gold" : "silver";
    json_t *lat = json_object();
    for (int s = 0; s < 2; s++) {
        json_t *per = NULL;
        for (int f = 0; f < 2; f++) {
            series *se = &ls.s[s][f];
            if (se->n == 0) continue;
            int64_t counts[NLAT + 1];
            double sum;
            int64_t count = bucketize_weighted(se->v, se->n, counts, &sum);
            char hl[256];
            snprintf(hl, sizeof hl, "stream=\"%s\",stage=\"%s\",from=\"%s\"", stream_names[s], stage,
                     from_names[f]);
            if (hist_add(db, "wikigdelt_record_latency_seconds", hl, counts, sum, count) != 0)
                rc = -1;
            if (!per) per = json_object();
            json_object_set_new(per, from_names[f], latency_json(se));
        }
        if (per) json_object_set_new(lat, stream_names[s], per);
        free(ls.s[s][0].v);
        free(ls.s[s][1].v);
    }
    if (json_object_size(lat)) {
        json_object_set_new(d, "latency_stage", json_string(stage));
        json_object_set_new(d, "latency", lat);
    } else {
        json_decref(lat);
    }

    /* counters */
    rc |= metric_add(db, "wikigdelt_flow_input_rows_total", labels, (double)b->input_rows, 0);
    rc |= metric_add(db, "wikigdelt_flow_output_rows_total", labels, (double)output_rows, 0);
    rc |= metric_add(db, "wikigdelt_flow_batches_total", labels, 1, 0);
    if (b->error) rc |= metric_add(db, "wikigdelt_flow_errors_total", labels, 1, 0);
    if (b->bytes) rc |= metric_add(db, "wikigdelt_flow_bytes_total", labels, (double)b->bytes, 0);
    /* late rows are counted per stream by the caller (wikigdelt_flow_late_rows_total{flow,stream});
       one label set per family, so sums by flow stay right */
    if (b->lag_seconds >= 0) rc |= metric_add(db, "wikigdelt_flow_lag_seconds", labels, b->lag_seconds, 1);
    rc |= metric_add(db, "wikigdelt_flow_last_batch_timestamp_seconds", labels, now, 1);
    {
        double one = duration;
        int64_t counts[NLAT + 1];
        double sum;
        bucketize(&one, 1, counts, &sum);
        rc |= hist_add(db, "wikigdelt_flow_batch_duration_seconds", labels, counts, sum, 1);
    }
    rc |= obs_flush(db);

    char *text = json_dumps(d, JSON_COMPACT);
    char msg[256];
    snprintf(msg, sizeof msg, "%s batch %s: %lld in, %lld out, %.3f s%s%s", b->flow, batch_id,
             (long long)b->input_rows, (long long)output_rows, duration, b->error ? ": " : "",
             b->error ? b->error : "");
    if (store_event(db, b->flow, b->error ? "error" : "info", "flow_progress", msg, text) != 0) rc = -1;
    log_set_context(b->flow, batch_id);
    log_debug("observe", "%s", msg);
    log_set_context(NULL, NULL);
    free(text);
    json_decref(d);

    /* retention: prune old progress rows now and then */
    if (calls_since_prune++ % 200 == 0) {
        int64_t hours = setting_int(cfg, "observe.retention_hours");
        if (hours > 0) {
            char cutoff[TIME_TEXT_LEN];
            time_format(end_ms / 1000 - hours * 3600, cutoff);
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(db, "DELETE FROM event_log WHERE kind = 'flow_progress' AND ts < ?1",
                                   -1, &st, NULL) == SQLITE_OK) {
                sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
                sqlite3_step(st);
                sqlite3_finalize(st);
            }
        }
    }
    return rc;
}

static int enabled(const config *cfg)
{
    return setting_bool(cfg, "observe.enabled");
}

int obs_flow_batch(sqlite3 *db, const config *cfg, const obs_batch *b)
{
    if (!enabled(cfg)) return 0;
    /* a savepoint, so a failed metrics write leaves the caller's batch as it was */
    char why[WG_ERR_LEN];
    if (sqlite3_exec(db, "SAVEPOINT obs", NULL, NULL, NULL) != SQLITE_OK) {
        log_warn("observe", "%s", store_errtext(db, why, sizeof why, "%s: cannot record flow progress", b->flow));
        return 0;
    }
    if (flow_batch(db, cfg, b) != 0) {
        log_warn("observe", "%s", store_errtext(db, why, sizeof why, "%s: flow progress not recorded", b->flow));
        sqlite3_exec(db, "ROLLBACK TO obs", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "RELEASE obs", NULL, NULL, NULL);
    return 0;
}

int obs_flow_batch_tx(sqlite3 *db, const config *cfg, const obs_batch *b)
{
    if (!enabled(cfg)) return 0;
    char why[WG_ERR_LEN];
    if (store_begin(db) != 0) {
        log_warn("observe", "%s", store_errtext(db, why, sizeof why, "%s: cannot record flow progress", b->flow));
        return 0;
    }
    obs_flow_batch(db, cfg, b);
    if (store_commit(db) != 0) {
        log_warn("observe", "%s", store_errtext(db, why, sizeof why, "%s: flow progress commit failed", b->flow));
        store_rollback(db);
    }
    return 0;
}
