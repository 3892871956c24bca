/* Application context: lazily opened store, error helpers. */
#include "cli/app.h"

#include "core/dirs.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The lakehouse file of this process, so that an error SQLite reports about the file itself
 * (disk full, read-only, locked, damaged) names it even when the caller's message does not. */
static char error_db_path[4200];

sqlite3 *app_db(app *a)
{
    snprintf(error_db_path, sizeof error_db_path, "%s", a->db_path);
    if (a->db) return a->db;
    if (make_dirs(a->home) != 0) {
        app_runtime_error("cannot create pipeline home %s: %s", a->home, strerror(errno));
        return NULL;
    }
    char err[WG_ERR_LEN];
    if (store_open(a->db_path, a->cfg, 0, &a->db, err, sizeof err) != 0) {
        app_runtime_error("%s", err);
        return NULL;
    }
    return a->db;
}

sqlite3 *app_db_readonly(app *a)
{
    sqlite3 *db = NULL;
    char err[WG_ERR_LEN];
    snprintf(error_db_path, sizeof error_db_path, "%s", a->db_path);
    /* A reader of a store whose schema is current needs no write lock at all, so it never
     * contends with a running pipeline; otherwise migrate first through the read-write path. */
    if (access(a->db_path, R_OK) == 0 &&
        store_open(a->db_path, a->cfg, STORE_READONLY, &db, err, sizeof err) == 0) {
        if (store_schema_current(db)) return db;
        store_close(db);
        db = NULL;
    }
    if (!app_db(a)) return NULL;
    if (store_open(a->db_path, a->cfg, STORE_READONLY, &db, err, sizeof err) != 0) {
        app_runtime_error("%s", err);
        return NULL;
    }
    return db;
}

int app_error(int status, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    static const char *const file_errors[] = {"disk is full", "disk I/O error", "readonly database",
                                              "database is locked", "malformed", "not a database",
                                              "unable to open database"};
    int about_file = 0;
    for (size_t i = 0; i < sizeof file_errors / sizeof file_errors[0]; i++)
        if (strstr(msg, file_errors[i])) about_file = 1;
    if (about_file && error_db_path[0] && !strstr(msg, error_db_path))
        fprintf(stderr, "wikigdelt: %s (lakehouse %s)\n", msg, error_db_path);
    else
        fprintf(stderr, "wikigdelt: %s\n", msg);
    return status;
}
