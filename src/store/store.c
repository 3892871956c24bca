/* Opening the lakehouse database, migrations, checkpoints, event log and catalog helpers. */
#include "store/store.h"

#include "core/err.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *core_bootstrap_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT,"
    "  applied_at TEXT NOT NULL, PRIMARY KEY (component, version));";

const char *store_errmsg(sqlite3 *db) { return db ? sqlite3_errmsg(db) : "no database"; }

/* The one wording of a store error: "<what>: <SQLite's reason>", and with `at` the position
 * SQLite gives for a statement it cannot prepare (" (at character N)", counted from 1). */
static void store_vformat(sqlite3 *db, int at, char *buf, size_t len, const char *fmt, va_list ap)
{
    if (!buf || len == 0) return;
    int n = vsnprintf(buf, len, fmt, ap);
    if (n < 0 || (size_t)n >= len) return;
    int m = snprintf(buf + n, len - (size_t)n, ": %s", store_errmsg(db));
    int off = at && db ? sqlite3_error_offset(db) : -1;
    if (m >= 0 && (size_t)(n + m) < len && off >= 0)
        snprintf(buf + n + m, len - (size_t)(n + m), " (at character %d)", off + 1);
}

/* The three public spellings below differ only in `at` and in what they return. */
#define STORE_VFORMAT(db, at, buf, len, fmt)                                                     \
    do {                                                                                         \
        va_list ap;                                                                              \
        va_start(ap, fmt);                                                                       \
        store_vformat(db, at, buf, len, fmt, ap);                                                \
        va_end(ap);                                                                              \
    } while (0)

int store_fail(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
    STORE_VFORMAT(db, 0, err, errlen, fmt);
    return -1;
}

int store_fail_at(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
    STORE_VFORMAT(db, 1, err, errlen, fmt);
    return -1;
}

const char *store_errtext(sqlite3 *db, char *buf, size_t len, const char *fmt, ...)
{
    STORE_VFORMAT(db, 0, buf, len, fmt);
    return buf && len ? buf : "";
}

int store_prepare_list(sqlite3 *db, const store_stmt_def *list, size_t n, char *err,
                       size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (sqlite3_prepare_v2(db, list[i].sql, -1, list[i].stmt, NULL) == SQLITE_OK) continue;
        /* the statement named by its first words: enough to find it in the source */
        store_fail(db, err, errlen, "preparing \"%.60s%s\"", list[i].sql,
                   strlen(list[i].sql) > 60 ? "..." : "");
        store_finalize_list(list, i + 1);
        return -1;
    }
    return 0;
}

void store_finalize_list(const store_stmt_def *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_finalize(*list[i].stmt);
        *list[i].stmt = NULL;
    }
}

void store_tune_bulk(sqlite3 *db, int64_t cache_mb, int64_t wal_pages)
{
    char pragma[96];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%lld; PRAGMA wal_autocheckpoint=%lld",
             (long long)cache_mb * 1024, (long long)wal_pages);
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
}

int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (err) snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Runs set-up statements that SQLite may refuse with BUSY without waiting on the busy handler
 * (switching a new database to WAL while another process opens it takes an exclusive lock),
 * retrying for up to store.busy_timeout_ms. */
static int exec_retry_busy(sqlite3 *db, const char *sql, int64_t timeout_ms, char *err, size_t errlen)
{
    int64_t deadline = time_monotonic_ms() + timeout_ms;
    for (;;) {
        if (store_exec(db, sql, err, errlen) == 0) return 0;
        int code = sqlite3_errcode(db) & 0xff;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || time_monotonic_ms() >= deadline)
            return -1;
        usleep(20 * 1000);
    }
}

int store_begin(sqlite3 *db)
{
    /* busy_timeout covers most waits; BEGIN IMMEDIATE can still report BUSY under WAL when a
     * writer holds the lock for longer, so retry for a while before giving up. */
    for (int attempt = 0; attempt < 600; attempt++) {
        int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK) return 0;
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
            log_error("store", "BEGIN failed: %s", store_errmsg(db));
            return -1;
        }
        usleep(100 * 1000);
    }
    log_error("store", "BEGIN failed: database stayed locked for 60 s");
    return -1;
}

int store_commit(sqlite3 *db)
{
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "COMMIT failed: %s (%s)", store_errmsg(db),
                  sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "?");
        /* SQLite has usually rolled back already (disk full, I/O error): a second ROLLBACK
         * would replace the error callers report with "no transaction is active". */
        store_rollback(db);
        return -1;
    }
    return 0;
}

void store_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Whether component/version is recorded in schema_migrations. */
static store_lookup migration_applied(sqlite3 *db, const char *component, int version)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM schema_migrations WHERE component=?1 AND version=?2",
                           -1, &st, NULL) != SQLITE_OK)
        return STORE_LOOKUP_ERROR;
    sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW    ? STORE_FOUND
           : rc == SQLITE_DONE ? STORE_NOT_FOUND
                               : STORE_LOOKUP_ERROR;
}

static int record_migration(sqlite3 *db, const char *component, const store_migration *m)
{
    return store_run(db,
                     "INSERT INTO schema_migrations(component, version, description,"
                     " applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%d %H:%M:%S','now'))",
                     "tit", component, (int64_t)m->version, m->description);
}

/* A component's first migration whose tables an earlier release created under another
 * component (comp->moved_from): where that one ran, the tables are there already and the
 * migration is only recorded: STORE_FOUND. */
static store_lookup migration_moved_here(sqlite3 *db, const store_component *comp,
                                         const store_migration *m)
{
    if (!comp->moved_from || m != &comp->migrations[0]) return STORE_NOT_FOUND;
    return migration_applied(db, comp->moved_from, comp->moved_from_version);
}

/* Applies one migration in its own transaction, unless another process did while we waited
 * for the lock. 0 ok, -1 with err. */
static int apply_migration(sqlite3 *db, const store_component *comp, const store_migration *m,
                           char *err, size_t errlen)
{
    if (store_begin(db) != 0) {
        store_fail(db, err, errlen, "cannot start migration %s/%d", comp->name, m->version);
        return -1;
    }
    store_lookup applied = migration_applied(db, comp->name, m->version);
    store_lookup moved =
        applied == STORE_NOT_FOUND ? migration_moved_here(db, comp, m) : STORE_NOT_FOUND;
    if (applied == STORE_LOOKUP_ERROR || moved == STORE_LOOKUP_ERROR) {
        store_fail(db, err, errlen, "reading schema_migrations");
        store_rollback(db);
        return -1;
    }
    if (applied == STORE_FOUND) {
        store_rollback(db);
        return 0;
    }
    char sub[WG_ERR_LEN] = "";
    int moved_here = moved == STORE_FOUND;
    if (!moved_here && store_exec(db, m->sql, sub, sizeof sub) != 0) {
        store_rollback(db);
        snprintf(err, errlen, "migration %s/%d (%s) failed: %s", comp->name, m->version,
                 m->description, sub);
        return -1;
    }
    if (record_migration(db, comp->name, m) != 0 || store_commit(db) != 0) {
        store_fail(db, err, errlen, "recording migration %s/%d failed", comp->name, m->version);
        store_rollback(db);
        return -1;
    }
    if (moved_here)
        log_debug("store", "migration %s/%d: its tables were made by %s/%d, recorded as applied",
                  comp->name, m->version, comp->moved_from, comp->moved_from_version);
    else
        log_debug("store", "applied migration %s/%d: %s", comp->name, m->version, m->description);
    return 0;
}

static int run_migrations(sqlite3 *db, int64_t timeout_ms, char *err, size_t errlen)
{
    if (exec_retry_busy(db, core_bootstrap_sql, timeout_ms, err, errlen) != 0) return -1;
    for (size_t c = 0; c < store_component_count; c++) {
        const store_component *comp = store_components[c];
        int last = 0;
        for (size_t i = 0; i < comp->count; i++) {
            const store_migration *m = &comp->migrations[i];
            if (m->version <= last) {
                snprintf(err, errlen, "migration list of %s is not increasing at version %d",
                         comp->name, m->version);
                return -1;
            }
            last = m->version;
            store_lookup applied = migration_applied(db, comp->name, m->version);
            if (applied == STORE_LOOKUP_ERROR) {
                store_fail(db, err, errlen, "reading schema_migrations");
                return -1;
            }
            if (applied == STORE_NOT_FOUND && apply_migration(db, comp, m, err, errlen) != 0) return -1;
        }
    }
    return 0;
}

/* A lakehouse written by a newer release has migrations (or whole components) this binary does
 * not know; running on it could write rows the newer schema forbids, so it is refused. 0 ok,
 * -1 with err. A database without schema_migrations (new, or not ours yet) passes. */
static int refuse_newer_schema(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT component, MAX(version) FROM schema_migrations GROUP BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        int code = sqlite3_errcode(db) & 0xff;
        if (code == SQLITE_ERROR) return 0; /* no such table: nothing applied yet */
        snprintf(err, errlen, "%s", store_errmsg(db));
        return -1;
    }
    int rc, bad = 0;
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int version = sqlite3_column_int(st, 1), known = -1;
        for (size_t c = 0; c < store_component_count && name; c++) {
            const store_component *comp = store_components[c];
            if (strcmp(comp->name, name) == 0)
                known = comp->count ? comp->migrations[comp->count - 1].version : 0;
        }
        if (known < 0) {
            snprintf(err, errlen, "written by a newer wikigdelt (schema component '%s' is unknown to"
                     " this release); use that release or a newer one", name ? name : "?");
            bad = 1;
        } else if (version > known) {
            snprintf(err, errlen, "written by a newer wikigdelt (schema %s version %d, this release"
                     " knows up to %d); use that release or a newer one", name, version, known);
            bad = 1;
        }
    }
    if (!bad && rc != SQLITE_DONE) {
        store_fail(db, err, errlen, "reading schema_migrations");
        bad = 1;
    }
    sqlite3_finalize(st);
    return bad ? -1 : 0;
}

/* Every error of store_open names the database file. */
static int open_failed(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    if (err && errlen && !strstr(err, path)) err_prefix(err, errlen, path);
    sqlite3_close(db);
    return -1;
}

int store_open(const char *path, const config *cfg, int flags, sqlite3 **out, char *err,
               size_t errlen)
{
    *out = NULL;
    sqlite3 *db = NULL;
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                          : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    oflags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db, oflags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db ? store_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    int64_t busy_ms = setting_int(cfg, "store.busy_timeout_ms");
    sqlite3_busy_timeout(db, (int)busy_ms);
    sqlite3_extended_result_codes(db, 1);
    if (!(flags & STORE_READONLY)) {
        const char *sync = setting_str(cfg, "store.synchronous");
        char sql[256];
        snprintf(sql, sizeof sql,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
                 " PRAGMA temp_store=MEMORY;",
                 strcmp(sync, "full") == 0 ? "FULL" : "NORMAL");
        if (exec_retry_busy(db, sql, busy_ms, err, errlen) != 0) return open_failed(db, path, err, errlen);
    }
    if (refuse_newer_schema(db, err, errlen) != 0) return open_failed(db, path, err, errlen);
    if (store_register_functions(db) != 0) {
        store_fail(db, err, errlen, "cannot register SQL functions");
        sqlite3_close(db);
        return -1;
    }
    if (!(flags & (STORE_READONLY | STORE_NO_MIGRATE))) {
        if (run_migrations(db, busy_ms, err, errlen) != 0) return open_failed(db, path, err, errlen);
    }
    *out = db;
    return 0;
}

void store_close(sqlite3 *db)
{
    if (!db) return;
    store_rollback(db);
    sqlite3_close_v2(db);
}

store_lookup store_checkpoint_get(sqlite3 *db, const char *flow, char *out, size_t outlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT value FROM checkpoints WHERE flow=?1", -1, &st, NULL) !=
        SQLITE_OK)
        return STORE_LOOKUP_ERROR;
    sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    store_lookup found = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, outlen, "%s", v ? (const char *)v : "");
        found = STORE_FOUND;
    } else if (rc != SQLITE_DONE) {
        found = STORE_LOOKUP_ERROR;
    }
    sqlite3_finalize(st);
    return found;
}

int store_checkpoint_get_int(sqlite3 *db, const char *flow, int64_t def, int64_t *out)
{
    char v[64];
    store_lookup rc = store_checkpoint_get(db, flow, v, sizeof v);
    if (rc == STORE_LOOKUP_ERROR) return -1;
    *out = rc == STORE_FOUND ? strtoll(v, NULL, 10) : def;
    return 0;
}

int store_run(sqlite3 *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    va_list ap;
    va_start(ap, types);
    int rc = SQLITE_OK;
    for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
        if (types[i] == 'i') {
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else if (types[i] == 't') {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(st, i + 1, t, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i + 1);
        } else {
            rc = SQLITE_MISUSE; /* a caller's typo: no statement runs half-bound */
        }
    }
    va_end(ap);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_checkpoint_set(sqlite3 *db, const char *flow, const char *value)
{
    return store_run(db,
                     "INSERT INTO checkpoints(flow, value, updated_at) VALUES (?1, ?2,"
                     " strftime('%Y-%m-%d %H:%M:%f','now')) ON CONFLICT(flow) DO UPDATE"
                     " SET value=excluded.value, updated_at=excluded.updated_at",
                     "tt", flow, value);
}

int store_checkpoint_set_int(sqlite3 *db, const char *flow, int64_t value)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)value);
    return store_checkpoint_set(db, flow, v);
}

int store_event(sqlite3 *db, const char *flow, const char *level, const char *kind,
                const char *message, const char *details_json)
{
    return store_run(db,
                     "INSERT INTO event_log(ts, flow, level, kind, message, details)"
                     " VALUES (strftime('%Y-%m-%d %H:%M:%f','now'), ?1, ?2, ?3, ?4, ?5)",
                     "ttttt", flow, level, kind, message, details_json);
}

int store_catalog_table(sqlite3 *db, const char *table, const char *layer, const char *description)
{
    return store_run(db, "INSERT OR REPLACE INTO catalog_tables(table_name, layer, description)"
                         " VALUES (?1, ?2, ?3)", "ttt", table, layer, description);
}

int store_catalog_column(sqlite3 *db, const char *table, const char *column, const char *description)
{
    return store_run(db, "INSERT OR REPLACE INTO catalog_columns(table_name, column_name,"
                         " description) VALUES (?1, ?2, ?3)", "ttt", table, column, description);
}

int store_set_wal_autocheckpoint(sqlite3 *db, int pages)
{
    int previous = 1000;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA wal_autocheckpoint", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) previous = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_wal_autocheckpoint(db, pages);
    return previous;
}

int store_schema_current(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0; /* no schema_migrations table yet */
    int current = 1;
    for (size_t c = 0; c < store_component_count && current; c++) {
        const store_component *comp = store_components[c];
        if (comp->count == 0) continue;
        sqlite3_bind_text(st, 1, comp->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW ||
            sqlite3_column_int(st, 0) < comp->migrations[comp->count - 1].version)
            current = 0;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return current;
}
