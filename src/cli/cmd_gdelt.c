/* `ingest gdelt`: the GDELT source into gdelt_bronze: local files, live polling or a backfill
 * (the options: `spec` below, or `wikigdelt ingest gdelt --help`). BASE defaults to the setting
 * gdelt.base_url (http://data.gdeltproject.org/gdeltv2/). */
#include "cli/commands.h"
#include "cli/opts.h"

#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "refine/gdelt_silver.h"
#include "source/gdelt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_FILE = 256, O_LIVE, O_ONCE, O_REFINE, O_URL, O_INTERVAL, O_BACKFILL };
static const cli_opt opts[] = {
    {"file", O_FILE, required_argument, "PATH|DIR", "a local .zip/.CSV export or a directory of them (repeatable)"},
    {"live", O_LIVE, no_argument, NULL, "poll BASE/lastupdate.txt until stopped"},
    {"once", O_ONCE, no_argument, NULL, "with --live: one poll, then exit"},
    {"interval", O_INTERVAL, required_argument, "SECONDS", "with --live: seconds between polls (gdelt.poll_interval_seconds)"},
    {"backfill", O_BACKFILL, required_argument, "FROM TO", "every 15-minute export from FROM to TO"},
    {"url", O_URL, required_argument, "BASE", "export base URL for --live and --backfill (gdelt.base_url)"},
    {"refine", O_REFINE, no_argument, NULL, "run the gdelt_silver flow after ingesting"},
    {0},
};
static const cli_command spec = {
    "ingest gdelt",
    "--file PATH|DIR [--file ...] [--refine]\n"
    "--live [--url BASE] [--once] [--interval SECONDS] [--refine]\n"
    "--backfill FROM TO [--url BASE] [--refine]",
    "GDELT 2.0 event exports into gdelt_bronze, each file once (gdelt_ledger).\n"
    "FROM/TO: YYYYMMDDHHMMSS, YYYYMMDD (TO covers the whole day) or ISO 8601, UTC.",
    opts, "gdelt.* (base_url, poll_interval_seconds, retry and size limits), expect.gdelt_silver.*", 0};

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

int cli_ingest_gdelt(app *a, int argc, char **argv)
{
    const char *files[64];
    int nfiles = 0, live = 0, once = 0, refine = 0, backfill = 0;
    const char *url = NULL, *from_s = NULL, *to_s = NULL;
    double interval = -1;
    cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        switch (o) {
        case CLI_EXIT: return p.status;
        case O_FILE:
            if (nfiles == (int)(sizeof files / sizeof files[0]))
                return app_usage_error("ingest gdelt: too many --file options");
            files[nfiles++] = p.arg;
            break;
        case O_LIVE: live = 1; break;
        case O_ONCE: once = 1; break;
        case O_REFINE: refine = 1; break;
        case O_URL: url = p.arg; break;
        case O_INTERVAL: {
            char *end;
            interval = strtod(p.arg, &end);
            if (!*p.arg || *end || interval <= 0)
                return app_usage_error("ingest gdelt: --interval needs a positive number of"
                                       " seconds, got '%s'", p.arg);
            break;
        }
        case O_BACKFILL:
            backfill = 1;
            from_s = p.arg;
            if (!(to_s = cli_take_word(&p)))
                return cli_usage_error(&p, "--backfill needs FROM and TO");
            break;
        }
    }
    if (p.ind < argc)
        return cli_unexpected(&p, argv[p.ind]);
    if ((nfiles > 0) + live + backfill != 1)
        return cli_usage_error(&p, "choose exactly one of --file, --live, --backfill");
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
    if (!url) url = config_get_str(a->cfg, "gdelt.base_url", GDELT_DEFAULT_BASE_URL);
    sqlite3 *db = app_db(a);
    if (!db) return 1;

    stop_install_signals();
    gdelt_ingest_stats st;
    memset(&st, 0, sizeof st);
    char err[WG_ERR_LEN] = "";
    int rc;

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
    if (interval <= 0) interval = config_get_double(a->cfg, "gdelt.poll_interval_seconds", 60);
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
