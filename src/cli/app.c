/* Application context: lazily opened store, error helpers. */
#include "cli/app.h"

#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_dirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

sqlite3 *app_db(app *a)
{
    if (a->db) return a->db;
    if (make_dirs(a->home) != 0) {
        app_runtime_error("cannot create pipeline home %s: %s", a->home, strerror(errno));
        return NULL;
    }
    char err[1024];
    if (store_open(a->db_path, a->cfg, 0, &a->db, err, sizeof err) != 0) {
        app_runtime_error("%s", err);
        return NULL;
    }
    return a->db;
}

sqlite3 *app_db_readonly(app *a)
{
    sqlite3 *db = NULL;
    char err[1024];
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

static void vprint_error(const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "wikigdelt: %s\n", msg);
}

int app_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    return 2;
}

int app_runtime_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    return 1;
}
