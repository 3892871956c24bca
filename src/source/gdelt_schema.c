/* Schema of the GDELT source: the file ledger (one row per export file seen, with its size, MD5
 * and status) and bronze (every raw row with its provenance), written together in one
 * transaction per file by src/source/gdelt.c. The silver side is refine/gdelt_schema.c.
 * Forward-only: append a migration, never edit an applied one. */
#include "store/store.h"

static const store_migration gdelt_source_migrations[] = {
    {1, "gdelt ledger and bronze",
     "CREATE TABLE gdelt_ledger ("
     "  file_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, source TEXT NOT NULL,"
     "  mode TEXT NOT NULL, size INTEGER, md5 TEXT, expected_size INTEGER, expected_md5 TEXT,"
     "  rows INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, error TEXT,"
     "  attempts INTEGER NOT NULL DEFAULT 0, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE INDEX gdelt_ledger_status ON gdelt_ledger(status);"
     "CREATE TABLE gdelt_bronze ("
     "  bronze_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, source_file TEXT NOT NULL,"
     "  line_number INTEGER NOT NULL, ingested_at TEXT NOT NULL, raw_line TEXT NOT NULL);"
     "INSERT INTO catalog_tables VALUES ('gdelt_ledger','ledger',"
     "  '" "One row per GDELT file (export zip or CSV) seen by the source: where it came from, its size and MD5 (checked against lastupdate.txt/masterfilelist.txt when known), rows written to bronze, status ingested or failed with the reason. Written in the same transaction as the bronze rows, so a file is ingested exactly once." "', 'gdelt');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','file_id','Ledger row id; gdelt_bronze.file_id refers to it.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','name','File name (e.g. 20240715000000.export.CSV.zip): the idempotence key, shared by file, live and backfill modes.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','source','URL or local path the file was read from (last attempt).');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','mode','How the file arrived: file, live or backfill.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','size','Size in bytes of the file as downloaded or read.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','md5','MD5 (hex) of the file as downloaded or read.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','expected_size','Size announced by lastupdate.txt or masterfilelist.txt (NULL in file mode).');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','expected_md5','MD5 announced by lastupdate.txt or masterfilelist.txt (NULL in file mode).');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','rows','Raw rows written to gdelt_bronze from this file.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','status','ingested (rows are in bronze) or failed (see error; retried on a later run).');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','error','Why the last attempt failed (HTTP status, timeout, truncated body, MD5 or size mismatch, bad zip).');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','attempts','Download/read attempts so far, retries included.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','first_seen','UTC time the file was first recorded.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_ledger','updated_at','UTC time of the last status change.');"
     "INSERT INTO catalog_tables VALUES ('gdelt_bronze','bronze',"
     "  '" "Every raw GDELT 2.0 event row exactly as read (tab-separated, 61 columns expected), with provenance: source file, line number and ingest time." "', 'gdelt');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','bronze_id','Increasing row id; the silver flow checkpoints on it.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','file_id','Ledger row (gdelt_ledger.file_id) of the file the row came from.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','source_file','Name of the file the row came from.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','line_number','1-based line number of the row inside the (unzipped) file.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','ingested_at','UTC time the row was written to bronze.');"
     "INSERT INTO catalog_columns VALUES ('gdelt_bronze','raw_line','The raw line, without its line terminator.');"},
};

/* Until this component existed, the gdelt component's first migration created these tables. */
STORE_COMPONENT_MOVED(gdelt_source_store_component, "gdelt_source", gdelt_source_migrations,
                      "gdelt", 1);
