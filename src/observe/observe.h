/* Observability: per-batch flow progress in the event log, end-to-end latency of records,
 * metrics kept in the lakehouse and rendered in the Prometheus text exposition format.
 *
 * `run` is several processes, so metrics live in the store: every flow calls obs_flow_batch()
 * once per batch, inside the batch's own transaction (or, for the gold flows, in a short one of
 * their caller's), and the counters move with the data they count. Whichever process serves
 * HTTP renders them (obs_render_prometheus); its own HTTP request counters are in memory.
 *
 * Tables (component "observe"): obs_metrics (counters and gauges, one row per name and label
 * set) and obs_histograms (bucket counts, sum, count). Flow progress rows are event_log rows
 * with kind = 'flow_progress' and a JSON details column; see docs/observe.md. */
#ifndef WG_OBSERVE_H
#define WG_OBSERVE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/config.h"

/* Which records' end-to-end latency a batch measures (the rows it committed). */
enum obs_latency {
    OBS_LAT_NONE = 0,
    OBS_LAT_GDELT_SILVER, /* new gdelt_silver rows: from the file slot and from bronze receipt */
    OBS_LAT_WIKI_SILVER,  /* new wikimedia_silver rows: from meta.dt and from SSE receipt */
    OBS_LAT_GOLD          /* new gold_events rows (gdelt) and correlated_gold_events (the record
                             that arrived last, gdelt or wiki) */
};

typedef struct obs_batch {
    const char *flow;        /* gdelt_bronze, wikimedia_bronze, gdelt_silver, wikimedia_silver,
                                gold, bursts */
    const char *batch_id;    /* NULL: made from the flow and the start time */
    int64_t start_ms;        /* wall clock at the batch's start (time_now_ms) */
    int64_t input_rows, output_rows;
    const char *watermark;   /* event-time high-water mark of the batch, or NULL */
    double lag_seconds;      /* how far behind the source (now - newest source time); < 0 unknown */
    int64_t bytes;           /* bytes downloaded for this batch (sources) */
    int64_t late_rows;       /* rows that arrived after their window closed */
    const char *error;       /* NULL when the batch succeeded */
    enum obs_latency latency;
} obs_batch;

/* Records one batch: a flow_progress event_log row, the flow's counters, its expectation outcomes
 * (expectation_counts rows of the same flow and batch id) and the latency of the records it
 * committed. Call it inside the batch's transaction, before commit. Never fails the batch: a
 * problem is logged and 0 returned (observability must not stop the pipeline). Settings:
 * observe.enabled (default 1), observe.retention_hours (default 168) prunes old progress rows. */
int obs_flow_batch(sqlite3 *db, const config *cfg, const obs_batch *b);

/* The same in its own short transaction, for callers whose flow committed already (gold). */
int obs_flow_batch_tx(sqlite3 *db, const config *cfg, const obs_batch *b);

/* Counter increments that happen where no transaction is at hand (a fetch's HTTP status in a
 * download thread, an SSE reconnect): kept in memory (thread-safe) and written with this
 * process's next obs_flow_batch, or by obs_flush. labels: exposition text such as
 * source="gdelt",code="200" (values already escaped), or "". */
void obs_count(const char *name, const char *labels, double delta);
void obs_gauge(const char *name, const char *labels, double value);
int obs_flush(sqlite3 *db);
/* Finalizes the calling thread's cached statements (a thread that wrote metrics calls it before
 * it ends or before its connection closes for good). */
void obs_thread_done(void);

/* The serving process's own HTTP requests (in memory; the server calls it once per request). */
void obs_http_request(const char *route, int status, double seconds);

/* Renders every metric in the Prometheus text exposition format (version 0.0.4). db_path is the
 * store's file, for the database and WAL size gauges. Returns 0, or -1 on a store error. */
int obs_render_prometheus(sqlite3 *db, const char *db_path, buf *out);

/* OTLP/HTTP JSON body (ExportMetricsServiceRequest) of the same metrics. */
int obs_render_otlp_json(sqlite3 *db, const char *db_path, const char *version, buf *out);

/* Readiness: 1 ready, 0 not (reason says why), -1 store error. Sources must have written within
 * observe.source_stale_seconds.<flow> (gdelt_bronze 1200, wikimedia_bronze 120), no flow may have
 * failed its last batch or be stalled past observe.stall_seconds (600), and the home's file system
 * needs observe.min_free_mb (100) free. */
int obs_ready(sqlite3 *db, const config *cfg, const char *home, char *reason, size_t reasonlen);

/* `status` per flow: lag, last batch, rates and errors over observe.window_seconds (900), latency
 * percentiles merged over the same window. json: one JSON object instead of text. */
int obs_status(sqlite3 *db, const config *cfg, int json, FILE *out);

/* One live progress line of run/demo: rows out per flow and their rate since the last call.
 * tty: redrawn in place; otherwise a plain "progress ..." line. */
int obs_progress(sqlite3 *db, double elapsed_s, double since_last_s, int tty, FILE *out);

/* Percentile (0..1) of a sorted array of n values (nearest rank). */
double obs_percentile(const double *sorted, size_t n, double q);

/* The fine log-scale histogram of flow_progress rows: bucket index of a value in seconds and the
 * value that represents a bucket (its geometric middle); 1.1 ratio, so within 5%. */
int obs_fine_bucket(double seconds);
double obs_fine_value(int bucket);

#endif
