/* The store: one SQLite database per pipeline home holding every layer, the flows' checkpoints,
 * the catalog and the pipeline event log. This module owns opening (WAL, pragmas, SQL helper
 * functions), forward-only versioned migrations, checkpoints and the event log.
 *
 * Schema ownership: each component (core, gdelt, wiki, embed, gold) has its own ordered list of
 * migrations in its own file; store/schema_list.c lists the components in dependency order. */
#ifndef WG_STORE_H
#define WG_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef struct store_migration {
    int version;             /* 1, 2, 3... within the component, never reused */
    const char *description;
    const char *sql;         /* run in the same transaction as the version bump */
} store_migration;

typedef struct store_component {
    const char *name;
    const store_migration *migrations;
    size_t count;
    /* Tables that moved here from another component: when that component's migration
     * moved_from/moved_from_version is applied, the tables exist already, so this component's
     * migration 1 is recorded as applied without running. NULL: nothing moved. */
    const char *moved_from;
    int moved_from_version;
} store_component;

/* The one declaration of a component, at the end of its *_schema.c:
 *   STORE_COMPONENT(gold_store_component, "gold", gold_migrations);
 * STORE_COMPONENT_MOVED adds where its first migration's tables were created before. */
#define STORE_COMPONENT(var, name_, list)                                                       \
    const store_component var = {.name = name_, .migrations = list,                             \
                                 .count = sizeof list / sizeof list[0]}
#define STORE_COMPONENT_MOVED(var, name_, list, from, from_version)                             \
    const store_component var = {.name = name_, .migrations = list,                             \
                                 .count = sizeof list / sizeof list[0], .moved_from = from,      \
                                 .moved_from_version = from_version}

/* schema_list.c */
extern const store_component *const store_components[];
extern const size_t store_component_count;

enum { STORE_READONLY = 1, STORE_NO_MIGRATE = 2 };

/* Opens (creating if needed) the database, applies pragmas (store.synchronous = normal|full),
 * registers SQL helpers and runs pending migrations unless read-only. */
int store_open(const char *path, const config *cfg, int flags, sqlite3 **out, char *err,
               size_t errlen);
void store_close(sqlite3 *db);

int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);
int store_begin(sqlite3 *db); /* BEGIN IMMEDIATE, retried while busy */
int store_commit(sqlite3 *db);
void store_rollback(sqlite3 *db);

/* What a lookup found: the row, no row, or an error (store_errmsg says which). */
typedef enum store_lookup { STORE_LOOKUP_ERROR = -1, STORE_NOT_FOUND = 0, STORE_FOUND = 1 } store_lookup;

/* Checkpoints: a flow's committed high-water mark, written inside the caller's transaction. */
store_lookup store_checkpoint_get(sqlite3 *db, const char *flow, char *out, size_t outlen);
int store_checkpoint_get_int(sqlite3 *db, const char *flow, int64_t def, int64_t *out);
int store_checkpoint_set(sqlite3 *db, const char *flow, const char *value);
int store_checkpoint_set_int(sqlite3 *db, const char *flow, int64_t value);

/* Runs one statement that returns no rows (an INSERT, UPDATE, DELETE...), binding ?1..?n
 * from the arguments as `types` spells them, one letter each: 't' a const char * (NULL binds
 * NULL), 'i' an int64_t (pass exactly that type). 0 done, -1 error (store_errmsg says why). */
int store_run(sqlite3 *db, const char *sql, const char *types, ...);

/* Pipeline event log (table event_log): level is "info", "warn" or "error"; details may be NULL
 * or a JSON text. */
int store_event(sqlite3 *db, const char *flow, const char *level, const char *kind,
                const char *message, const char *details_json);

/* Catalog: description of a table and of its columns, used by `describe` and the assistant. */
int store_catalog_table(sqlite3 *db, const char *table, const char *layer, const char *description);
int store_catalog_column(sqlite3 *db, const char *table, const char *column, const char *description);

/* date_trunc(unit, ts), date_sub(date, days), date_add(date, days), current_date(),
 * current_timestamp_utc(), time_bucket(ts, seconds). Registered on every connection. */
int store_register_functions(sqlite3 *db);

/* The report's Databricks spellings rewritten for SQLite (CURRENT_DATE() -> CURRENT_DATE);
 * returns a malloc'd copy. Used by `sql` and by govern_prepare. */
char *store_rewrite_sql(const char *sql);

/* Sets the connection's WAL auto-checkpoint interval in pages and returns the previous one, so a
 * bulk load can checkpoint every ~64 MiB instead of every 4 MiB (each checkpoint syncs) and then
 * put the setting back. */
int store_set_wal_autocheckpoint(sqlite3 *db, int pages);

/* 1 when every component's last migration is applied (a reader can skip the read-write open). */
int store_schema_current(sqlite3 *db);

/* Last error text of the connection, for messages. */
const char *store_errmsg(sqlite3 *db);

/* The one way a store error is reported: writes "<what>: <the connection's last error>" to err
 * (what is a printf format naming the statement or table) and returns -1. */
int store_fail(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* store_fail for a statement SQLite refused to prepare: adds " (at character N)" where SQLite
 * knows the position of the error in the SQL text. */
int store_fail_at(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same wording for a log line or an HTTP error body: writes it to buf (len bytes, e.g.
 * WG_ERR_LEN) and returns buf. */
const char *store_errtext(sqlite3 *db, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A statement a module keeps prepared: where its handle goes, and its SQL. */
typedef struct store_stmt_def {
    sqlite3_stmt **stmt;
    const char *sql;
} store_stmt_def;

/* Prepares every statement of the list. On the first that fails, finalizes the ones before it
 * and writes "preparing <the start of its SQL>: <why>" to err (may be NULL). 0 ok, -1. */
int store_prepare_list(sqlite3 *db, const store_stmt_def *list, size_t n, char *err,
                       size_t errlen);
/* Finalizes every statement of the list (NULL ones are skipped) and sets the handles NULL. */
void store_finalize_list(const store_stmt_def *list, size_t n);

/* For a bulk writer: a page cache of cache_mb MiB and a WAL checkpoint every wal_pages pages
 * (fewer, larger checkpoints; each one syncs). Best effort: a refused pragma changes nothing. */
void store_tune_bulk(sqlite3 *db, int64_t cache_mb, int64_t wal_pages);

#endif
