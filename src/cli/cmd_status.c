/* `status`: checkpoints of every flow, table sizes per layer, data-quality totals per rule and
 * the most recent warnings and errors of the event log. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/stop.h"
#include "observe/observe.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Prints one section; a query that fails is an error (named on stderr), not a missing section. */
static int print_rows(sqlite3 *db, const char *title, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        char why[WG_ERR_LEN];
        fprintf(stderr, "wikigdelt: status: %s\n", store_errtext(db, why, sizeof why, "%s", title));
        return -1;
    }
    printf("%s\n", title);
    int any = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf(" ");
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            printf(" %s", v ? (const char *)v : "NULL");
        }
        printf("\n");
        any = 1;
    }
    if (!any) printf("  (none)\n");
    sqlite3_finalize(st);
    return 0;
}

/* Row counts need one query per table (names cannot be bound), so they are counted here. */
static void print_table_sizes(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT table_name, COALESCE(layer, '') FROM catalog_tables"
                           " WHERE layer NOT IN ('system') ORDER BY layer, table_name",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    printf("tables (name, layer, rows):\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        char *q = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\"", name);
        sqlite3_stmt *cnt;
        long long n = -1;
        if (sqlite3_prepare_v2(db, q, -1, &cnt, NULL) == SQLITE_OK && sqlite3_step(cnt) == SQLITE_ROW)
            n = sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
        sqlite3_free(q);
        printf("  %-32s %-10s %lld\n", name, sqlite3_column_text(st, 1), n);
    }
    sqlite3_finalize(st);
}

static int status_once(app *a, int json)
{
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    if (json) {
        int rc = obs_status(db, a->cfg, 1, stdout);
        store_close(db);
        return rc == 0 ? 0 : app_runtime_error("status: %s", "reading the event log failed");
    }
    printf("home: %s\n", a->home);
    int rc = 0;
    obs_status(db, a->cfg, 0, stdout);
    printf("\n");
    rc |= print_rows(db, "checkpoints (flow, value, updated):",
               "SELECT flow, value, updated_at FROM checkpoints WHERE flow NOT LIKE 'observe.%' ORDER BY flow");
    print_table_sizes(db);
    rc |= print_rows(db, "data quality (flow, rule, action, checked, failed, valid %):",
               "SELECT flow, rule, action, SUM(checked), SUM(failed),"
               " printf('%.2f', 100.0 * (SUM(checked) - SUM(failed)) / MAX(SUM(checked), 1))"
               " FROM expectation_counts GROUP BY flow, rule, action ORDER BY flow, rule");
    rc |= print_rows(db, "recent warnings and errors (ts, flow, kind, message):",
               "SELECT ts, flow, kind, message FROM (SELECT * FROM event_log WHERE level != 'info'"
               " ORDER BY id DESC LIMIT 10) ORDER BY id");
    store_close(db);
    return rc ? 1 : 0;
}

typedef struct status_args {
    int json;
    double watch;
} status_args;

static int status_opt(cli_parser *p, int key, void *ctx)
{
    status_args *s = ctx;
    if (key == O_FORMAT) {
        if (!strcmp(p->arg, "json")) s->json = 1;
        else if (strcmp(p->arg, "text")) return app_usage_error("status: --format takes text or json, not %s", p->arg);
        return CLI_GO;
    }
    s->watch = 2;
    const char *w = p->arg ? p->arg : cli_take_word(p);
    if (w) {
        char *end;
        s->watch = strtod(w, &end);
        if (!*w || *end || !(s->watch >= 0.2 && s->watch <= 3600))
            return app_usage_error("status: --watch takes seconds between 0.2 and 3600");
    }
    return CLI_GO;
}

int cmd_status(app *a, int argc, char **argv)
{
    status_args args = {0, 0};
    int rc = cli_parse(&cli_status, argc, argv, status_opt, &args, NULL);
    if (rc != CLI_GO) return rc;
    int json = args.json;
    double watch = args.watch;
    if (watch <= 0) return status_once(a, json);
    stop_install_signals();
    int tty = isatty(1);
    while (!stop_requested()) {
        if (tty) printf("\033[H\033[2J");
        int rc = status_once(a, json);
        fflush(stdout);
        if (rc != 0) return rc;
        for (double w = 0; w < watch && !stop_requested(); w += 0.1) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}
