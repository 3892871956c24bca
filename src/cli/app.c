/* Application context: lazily opened store, error helpers. */
#include "cli/app.h"

#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
    /* Make sure the schema exists before a read-only reader looks at it. */
    if (!app_db(a)) return NULL;
    sqlite3 *db = NULL;
    char err[1024];
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
