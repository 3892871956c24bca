/* The observe component's tables: the metrics every process of `run` adds to in its flows'
 * transactions, read by whichever process serves /metrics. */
#include "store/store.h"

static const store_migration observe_migrations[] = {
    {1, "metrics, histograms, flow progress index",
     "CREATE TABLE obs_metrics ("
     "  name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, updated_at TEXT NOT NULL,"
     "  PRIMARY KEY (name, labels)) WITHOUT ROWID;"
     "CREATE TABLE obs_histograms ("
     "  name TEXT NOT NULL, labels TEXT NOT NULL, counts TEXT NOT NULL, sum REAL NOT NULL,"
     "  count INTEGER NOT NULL, updated_at TEXT NOT NULL,"
     "  PRIMARY KEY (name, labels)) WITHOUT ROWID;"
     "CREATE INDEX event_log_kind ON event_log(kind, flow, id);"
     /* a batch's expectation outcomes are read back for its progress row */
     "CREATE INDEX expectation_counts_batch ON expectation_counts(batch_id, flow);"
     /* Latency is measured from the rows committed after this point, not over history. */
     "INSERT OR IGNORE INTO checkpoints(flow, value, updated_at)"
     "  SELECT 'observe.latency.gdelt_silver', COALESCE(MAX(silver_id), 0), datetime('now') FROM gdelt_silver;"
     "INSERT OR IGNORE INTO checkpoints(flow, value, updated_at)"
     "  SELECT 'observe.latency.wikimedia_silver', COALESCE(MAX(silver_id), 0), datetime('now') FROM wikimedia_silver;"
     "INSERT OR IGNORE INTO checkpoints(flow, value, updated_at)"
     "  SELECT 'observe.latency.gold_events', COALESCE(MAX(gdelt_silver_id), 0), datetime('now') FROM gold_events;"
     "INSERT OR IGNORE INTO checkpoints(flow, value, updated_at)"
     "  SELECT 'observe.latency.correlated_gold_events', COALESCE(MAX(id), 0), datetime('now') FROM correlated_gold_events;"
     "INSERT INTO catalog_tables VALUES ('obs_metrics','system',"
     "  'Counters and gauges of every flow and process (Prometheus names and label sets), updated in the flows'' transactions; served at GET /metrics.', NULL);"
     "INSERT INTO catalog_tables VALUES ('obs_histograms','system',"
     "  'Histograms (record latency, batch duration): per name and label set, the count of each bucket (comma-separated, the last one +Inf), sum and count.', NULL);"
     "INSERT INTO catalog_columns VALUES ('obs_metrics','labels','Label set in the exposition format, e.g. flow=\"gdelt_silver\".');"
     "INSERT INTO catalog_columns VALUES ('obs_histograms','counts','Observations per bucket, not cumulative; the bounds are fixed in src/observe/observe.c.');"},
};

STORE_COMPONENT(observe_store_component, "observe", observe_migrations);
