/* `ingest wiki`: the Wikimedia recentchange source into wikimedia_bronze (the options and the
 * settings it reads: cli/cmd_table.c, or `wikigdelt ingest wiki --help`). */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/stop.h"
#include "core/timeutil.h"
#include "refine/wiki_silver.h"
#include "source/wiki_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0) return -1;
    *out = v;
    return 0;
}

/* --refine: the wikimedia_silver flow's writer takes every bronze row inside the ingest's
 * transaction (the source hands them over through a wiki_bronze_hook and knows nothing of refine). */
typedef struct silver_hook {
    wiki_silver_writer *w;
    flow_stats stats;
} silver_hook;

static wiki_row_result silver_start(void *ctx, char *err, size_t errlen)
{
    silver_hook *h = ctx;
    int64_t rows;
    return wiki_silver_writer_pending(h->w, 0, &rows, &h->stats, err, errlen);
}

static wiki_row_result silver_row(void *ctx, int64_t bronze_id, const wiki_fields *fields, const char *raw,
                      size_t raw_len, char *err, size_t errlen)
{
    silver_hook *h = ctx;
    return wiki_silver_writer_add(h->w, bronze_id, fields, raw, raw_len, &h->stats, err, errlen);
}

static wiki_row_result silver_flush(void *ctx, char *err, size_t errlen)
{
    return wiki_silver_writer_flush(((silver_hook *)ctx)->w, err, errlen);
}

static void silver_rollback(void *ctx)
{
    wiki_silver_writer_rollback(((silver_hook *)ctx)->w);
}

typedef struct wiki_args {
    wiki_ingest_options opt;
    int refine;
} wiki_args;

static int wiki_opt(cli_parser *p, int key, void *ctx)
{
    wiki_ingest_options *opt = &((wiki_args *)ctx)->opt;
    const char *val = p->arg;
    double num;
    switch (key) {
    case O_REFINE: ((wiki_args *)ctx)->refine = 1; break;
    case O_FILE: opt->file = val; break;
    case O_URL: opt->url = val; break;
    case O_SINCE: {
        int64_t t;
        if (time_parse_iso8601(val, &t) != 0)
            return app_usage_error("ingest wiki: --since '%s' is not an ISO 8601 time", val);
        opt->since = val;
        break;
    }
    case O_MAX_EVENTS:
        if (parse_number(val, &num) != 0 || num != (double)(int64_t)num)
            return app_usage_error("ingest wiki: --max-events '%s' is not a count", val);
        opt->max_events = (int64_t)num;
        break;
    case O_DURATION:
        if (parse_number(val, &num) != 0)
            return app_usage_error("ingest wiki: --duration '%s' is not a number of seconds", val);
        opt->duration_s = num;
        break;
    }
    return CLI_GO;
}

int cli_ingest_wiki(app *a, int argc, char **argv)
{
    wiki_args args;
    memset(&args, 0, sizeof args);
    int parsed = cli_parse(&cli_ingest_wiki_spec, argc, argv, wiki_opt, &args, NULL);
    if (parsed != CLI_GO) return parsed;
    wiki_ingest_options opt = args.opt;
    int refine = args.refine;
    if (opt.file && opt.url) return app_usage_error("ingest wiki: give --file or --url, not both");
    if (opt.file && opt.since) return app_usage_error("ingest wiki: --since applies to --url only");
    if (!opt.file && !opt.url) opt.url = setting_str(a->cfg, "wiki.url");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    stop_install_signals();
    wiki_ingest_stats st;
    char err[WG_ERR_LEN] = "";
    silver_hook sh = {0};
    wiki_bronze_hook hook = {"wikimedia_silver", &sh, silver_start, silver_row, silver_flush,
                             silver_rollback};
    if (refine) {
        if (wiki_silver_writer_open(db, a->cfg, &sh.w, err, sizeof err) != 0)
            return app_runtime_error("ingest wiki: %s", err);
        opt.hook = &hook;
    }
    int rc = wiki_ingest_run(db, a->cfg, &opt, &st, err, sizeof err);
    wiki_silver_writer_close(sh.w);
    printf("wikimedia_bronze: events %lld, quarantined %lld, batches %lld", (long long)st.events,
           (long long)st.quarantined, (long long)st.batches);
    if (!opt.file)
        printf(", connections %lld, heartbeats %lld, http errors %lld, stalls %lld",
               (long long)st.connections, (long long)st.heartbeats, (long long)st.http_errors,
               (long long)st.stalls);
    printf("\n");
    if (refine)
        printf("wikimedia_silver: read %lld, written %lld, warned %lld, dropped %lld, quarantined %lld,"
               " duplicates %lld\n",
               (long long)sh.stats.read, (long long)sh.stats.written, (long long)sh.stats.warned,
               (long long)sh.stats.dropped, (long long)sh.stats.quarantined,
               (long long)sh.stats.duplicates);
    fflush(stdout);
    if (rc != 0) return app_runtime_error("ingest wiki: %s", err);
    return 0;
}
