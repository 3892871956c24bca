/* The core schema: checkpoints, catalog and the pipeline event log. Components add their own
 * tables in their own migration lists (see store/schema_list.c). */
#include "store/store.h"

static const store_migration core_migrations[] = {
    {1, "checkpoints, catalog, event log",
     "CREATE TABLE checkpoints ("
     "  flow TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE TABLE catalog_tables ("
     "  table_name TEXT PRIMARY KEY, layer TEXT, description TEXT NOT NULL, owner TEXT);"
     "CREATE TABLE catalog_columns ("
     "  table_name TEXT NOT NULL, column_name TEXT NOT NULL, description TEXT NOT NULL,"
     "  PRIMARY KEY (table_name, column_name));"
     "CREATE TABLE event_log ("
     "  id INTEGER PRIMARY KEY, ts TEXT NOT NULL, flow TEXT NOT NULL, level TEXT NOT NULL,"
     "  kind TEXT NOT NULL, message TEXT, details TEXT);"
     "CREATE INDEX event_log_flow ON event_log(flow, id);"
     "CREATE TABLE expectation_counts ("
     "  id INTEGER PRIMARY KEY, ts TEXT NOT NULL, flow TEXT NOT NULL, batch_id TEXT NOT NULL,"
     "  rule TEXT NOT NULL, action TEXT NOT NULL, checked INTEGER NOT NULL,"
     "  failed INTEGER NOT NULL);"
     "CREATE INDEX expectation_counts_flow ON expectation_counts(flow, rule);"
     "INSERT INTO catalog_tables VALUES ('checkpoints','system',"
     "  'Committed high-water mark of every flow, written in the same transaction as the flow''s output.', NULL);"
     "INSERT INTO catalog_tables VALUES ('event_log','system',"
     "  'Pipeline event log: batches, data-quality outcomes, late data, errors.', NULL);"
     "INSERT INTO catalog_tables VALUES ('expectation_counts','system',"
     "  'Per batch and per data-quality rule: rows checked and rows that failed, with the rule''s action.', NULL);"
     "INSERT INTO catalog_columns VALUES ('expectation_counts','rule','Name of the expectation (data-quality rule).');"
     "INSERT INTO catalog_columns VALUES ('expectation_counts','action','warn, drop, quarantine or fail.');"
     "INSERT INTO catalog_columns VALUES ('expectation_counts','checked','Rows the rule saw in this batch.');"
     "INSERT INTO catalog_columns VALUES ('expectation_counts','failed','Rows that broke the rule in this batch.');"},
};

STORE_COMPONENT(store_core_component, "core", core_migrations);
