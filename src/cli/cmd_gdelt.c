/* `ingest gdelt`: the GDELT source into gdelt_bronze: local files, live polling or a backfill
 * (the options: cli/cmd_table.c, or `wikigdelt ingest gdelt --help`). BASE defaults to the setting
 * gdelt.base_url (http://data.gdeltproject.org/gdeltv2/). */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "refine/gdelt_silver.h"
#include "source/gdelt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FROM/TO of a backfill. A bare date as the end of the range means the whole day. */
static int parse_range_time(const char *s, int is_end, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 14 && time_parse_gdelt(s, 14, out) == 0) return 0;
    if (n == 8 && time_parse_gdelt(s, 8, out) == 0) {
        if (is_end) *out += 86399;
        return 0;
    }
    if (time_parse_iso8601(s, out) == 0) {
        if (is_end && n == 10) *out += 86399;
        return 0;
    }
    return -1;
}

static void print_stats(const char *what, const gdelt_ingest_stats *st)
{
    printf("gdelt %s: files ingested %lld, skipped (already ingested) %lld, failed %lld,"
           " rows %lld, retries %lld\n",
           what, (long long)st->files_ingested, (long long)st->files_skipped,
           (long long)st->files_failed, (long long)st->rows, (long long)st->retries);
    fflush(stdout);
}

static int run_refine(app *a, sqlite3 *db)
{
    flow_stats fs;
    memset(&fs, 0, sizeof fs);
    char err[WG_ERR_LEN] = "";
    if (gdelt_silver_run(db, a->cfg, &fs, err, sizeof err) != 0) {
        log_error("gdelt", "refine: %s", err);
        return -1;
    }
    if (fs.read)
        printf("gdelt_silver: read %lld, written %lld, quarantined %lld, dropped %lld,"
               " duplicates %lld\n",
               (long long)fs.read, (long long)fs.written, (long long)fs.quarantined,
               (long long)fs.dropped, (long long)fs.duplicates);
    return 0;
}

typedef struct gdelt_args {
    const char *files[64];
    int nfiles, live, once, refine, backfill;
    const char *url, *from_s, *to_s;
    double interval;
} gdelt_args;

static int gdelt_opt(cli_parser *p, int key, void *ctx)
{
    gdelt_args *g = ctx;
    switch (key) {
    case O_FILE:
        if (g->nfiles == (int)(sizeof g->files / sizeof g->files[0]))
            return app_usage_error("ingest gdelt: too many --file options");
        g->files[g->nfiles++] = p->arg;
        break;
    case O_LIVE: g->live = 1; break;
    case O_ONCE: g->once = 1; break;
    case O_REFINE: g->refine = 1; break;
    case O_URL: g->url = p->arg; break;
    case O_INTERVAL: {
        char *end;
        g->interval = strtod(p->arg, &end);
        if (!*p->arg || *end || g->interval <= 0)
            return app_usage_error("ingest gdelt: --interval needs a positive number of"
                                   " seconds, got '%s'", p->arg);
        break;
    }
    case O_BACKFILL:
        g->backfill = 1;
        g->from_s = p->arg;
        if (!(g->to_s = cli_take_word(p)))
            return cli_usage_error(p, "--backfill needs FROM and TO");
        break;
    }
    return CLI_GO;
}

int cli_ingest_gdelt(app *a, int argc, char **argv)
{
    gdelt_args g = {.interval = -1};
    int rc = cli_parse(&cli_ingest_gdelt_spec, argc, argv, gdelt_opt, &g, NULL);
    if (rc != CLI_GO) return rc;
    const char **files = g.files, *url = g.url, *from_s = g.from_s, *to_s = g.to_s;
    int nfiles = g.nfiles, live = g.live, once = g.once, refine = g.refine, backfill = g.backfill;
    double interval = g.interval;
    if ((nfiles > 0) + live + backfill != 1)
        return cli_command_error(&cli_ingest_gdelt_spec, "choose exactly one of --file, --live, --backfill");
    if (!live && (once || interval > 0))
        return app_usage_error("ingest gdelt: --once and --interval go with --live");
    if (nfiles && url) return app_usage_error("ingest gdelt: --url goes with --live or --backfill");
    int64_t from = 0, to = 0;
    if (backfill) {
        if (parse_range_time(from_s, 0, &from) != 0 || parse_range_time(to_s, 1, &to) != 0)
            return app_usage_error("ingest gdelt: --backfill FROM TO: '%s' / '%s' are not"
                                   " YYYYMMDDHHMMSS, YYYYMMDD or ISO 8601 times", from_s, to_s);
        if (to < from) return app_usage_error("ingest gdelt: --backfill: TO is before FROM");
    }
    if (!url) url = setting_str(a->cfg, "gdelt.base_url");
    sqlite3 *db = app_db(a);
    if (!db) return 1;

    stop_install_signals();
    gdelt_ingest_stats st;
    memset(&st, 0, sizeof st);
    char err[WG_ERR_LEN] = "";

    if (nfiles) {
        int any_failed = 0;
        for (int i = 0; i < nfiles; i++) {
            rc = gdelt_ingest_path(db, a->cfg, files[i], &st, err, sizeof err);
            if (rc < 0) {
                print_stats("file", &st);
                return app_runtime_error("ingest gdelt --file %s: %s", files[i], err);
            }
            if (rc > 0) any_failed = 1;
        }
        print_stats("file", &st);
        if (refine && run_refine(a, db) != 0) return 1;
        if (any_failed)
            return app_runtime_error("ingest gdelt: %lld file(s) failed; see gdelt_ledger"
                                     " (status='failed') for the reasons",
                                     (long long)st.files_failed);
        return 0;
    }
    if (backfill) {
        rc = gdelt_backfill(db, a->cfg, url, from, to, &st, err, sizeof err);
        print_stats("backfill", &st);
        if (rc < 0)
            return app_runtime_error("ingest gdelt --backfill: %s (check --url / gdelt.base_url"
                                     " and the network)", err);
        if (refine && run_refine(a, db) != 0) return 1;
        if (rc > 0)
            return app_runtime_error("ingest gdelt: %lld file(s) failed; see gdelt_ledger"
                                     " (status='failed') for the reasons",
                                     (long long)st.files_failed);
        return 0;
    }

    /* Live: poll until stopped. A failed poll is logged and retried at the next interval. */
    if (interval <= 0) interval = setting_double(a->cfg, "gdelt.poll_interval_seconds");
    log_info("gdelt", "live mode: polling %s every %g s", url, interval);
    int exit_code = 0;
    while (!stop_requested()) {
        rc = gdelt_live_poll(db, a->cfg, url, &st, err, sizeof err);
        if (rc != 0) {
            log_error("gdelt", "live poll: %s", err);
            if (once) exit_code = 1;
        }
        if (refine && run_refine(a, db) != 0 && once) exit_code = 1;
        if (once) break;
        for (double waited = 0; waited < interval && !stop_requested(); waited += 0.1)
            usleep(100000);
    }
    print_stats("live", &st);
    if (exit_code)
        return app_runtime_error("ingest gdelt --live: %s (check --url / gdelt.base_url and the"
                                 " network)", err[0] ? err : "failed");
    return 0;
}
