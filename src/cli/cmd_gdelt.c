/* `ingest gdelt`: the GDELT source into gdelt_bronze.
 *   ingest gdelt --file PATH|DIR [--file ...]          local .zip/.CSV files or directories
 *   ingest gdelt --live [--url BASE] [--once] [--interval S] [--refine]
 *   ingest gdelt --backfill FROM TO [--url BASE]       FROM/TO: YYYYMMDDHHMMSS, YYYYMMDD or ISO
 * BASE defaults to the setting gdelt.base_url (http://data.gdeltproject.org/gdeltv2/). */
#include "cli/commands.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "refine/gdelt_silver.h"
#include "source/gdelt.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: wikigdelt ingest gdelt --file PATH|DIR [--file ...]\n"
    "       wikigdelt ingest gdelt --live [--url BASE] [--once] [--interval SECONDS] [--refine]\n"
    "       wikigdelt ingest gdelt --backfill FROM TO [--url BASE]\n"
    "  FROM/TO: YYYYMMDDHHMMSS, YYYYMMDD (TO covers the whole day) or ISO 8601, UTC";

static void on_stop_signal(int sig)
{
    (void)sig;
    gdelt_stop_requested = 1;
}

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
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--file") && i + 1 < argc) {
            if (nfiles == (int)(sizeof files / sizeof files[0]))
                return app_usage_error("ingest gdelt: too many --file options");
            files[nfiles++] = argv[++i];
        } else if (!strcmp(arg, "--live")) {
            live = 1;
        } else if (!strcmp(arg, "--once")) {
            once = 1;
        } else if (!strcmp(arg, "--refine")) {
            refine = 1;
        } else if (!strcmp(arg, "--url") && i + 1 < argc) {
            url = argv[++i];
        } else if (!strcmp(arg, "--interval") && i + 1 < argc) {
            char *end;
            interval = strtod(argv[++i], &end);
            if (*end || interval <= 0)
                return app_usage_error("ingest gdelt: --interval needs a positive number of"
                                       " seconds, got '%s'", argv[i]);
        } else if (!strcmp(arg, "--backfill") && i + 2 < argc) {
            backfill = 1;
            from_s = argv[++i];
            to_s = argv[++i];
        } else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            puts(usage_text);
            return 0;
        } else {
            return app_usage_error("ingest gdelt: unexpected argument '%s'\n%s", arg, usage_text);
        }
    }
    if ((nfiles > 0) + live + backfill != 1)
        return app_usage_error("ingest gdelt: choose exactly one of --file, --live, --backfill\n%s",
                               usage_text);
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

    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
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
    while (!gdelt_stop_requested) {
        rc = gdelt_live_poll(db, a->cfg, url, &st, err, sizeof err);
        if (rc != 0) {
            log_error("gdelt", "live poll: %s", err);
            if (once) exit_code = 1;
        }
        if (refine && run_refine(a, db) != 0 && once) exit_code = 1;
        if (once) break;
        for (double waited = 0; waited < interval && !gdelt_stop_requested; waited += 0.1)
            usleep(100000);
    }
    print_stats("live", &st);
    if (exit_code)
        return app_runtime_error("ingest gdelt --live: %s (check --url / gdelt.base_url and the"
                                 " network)", err[0] ? err : "failed");
    return 0;
}
