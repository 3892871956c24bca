/* The export component's state: per Delta target and table, the last committed batch. */
#include "store/store.h"

static const store_migration export_migrations[] = {
    {1, "export_state",
     "CREATE TABLE export_state ("
     "  target TEXT NOT NULL, table_name TEXT NOT NULL, seq INTEGER NOT NULL,"
     "  mark TEXT NOT NULL, delta_version INTEGER NOT NULL, rows INTEGER NOT NULL,"
     "  updated_at TEXT NOT NULL, PRIMARY KEY (target, table_name));"
     "INSERT INTO catalog_tables VALUES ('export_state','system',"
     "  'Delta export sink: per target directory and table, the last committed batch (sequence = the"
     " Delta txn version, the source high-water mark it covers, the Delta table version).','export');"
     "INSERT INTO catalog_columns VALUES ('export_state','seq','Batch sequence: the version of the"
     " Delta txn action (appId wikigdelt-<table>) of the last commit.');"
     "INSERT INTO catalog_columns VALUES ('export_state','mark','Source high-water mark covered:"
     " the last key (silver_id) or closed_at|gdelt_silver_id for gold tables.');"
     "INSERT INTO catalog_columns VALUES ('export_state','delta_version','Delta table version of the"
     " last commit.');"},
};

STORE_COMPONENT(export_store_component, "export", export_migrations);
