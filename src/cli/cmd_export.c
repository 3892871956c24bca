/* `export delta`: silver and gold tables to Delta Lake tables that Spark, delta-rs, DuckDB and
 * pyarrow read, appended exactly once (see export/export.h). With --loop it keeps exporting every
 * export.delta.interval_seconds, as the sink that `run` supervises. */
#include "cli/commands.h"
#include "cli/opts.h"

#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "export/export.h"
#include "export/kafka_sink.h"
#include "source/kafka_source.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* `export kafka`: gold pairs to a topic, exactly once (see export/kafka_sink.h). */
enum { O_BROKERS = 256, O_TOPIC, O_LOOP, O_FORMAT, O_ONCE, O_DURATION, O_TABLE, O_TO };
static const cli_opt kafka_opts[] = {
    {"brokers", O_BROKERS, required_argument, "HOST:PORT", "bootstrap brokers (kafka.brokers)"},
    {"topic", O_TOPIC, required_argument, "T", "topic (export.kafka.topic, default wikigdelt.gold)"},
    {"loop", O_LOOP, no_argument, NULL, "keep publishing every export.kafka.interval_seconds until stopped"},
    {0},
};
static const cli_command kafka_spec = {
    "export kafka", "--brokers HOST:PORT [--topic T] [--loop]",
    "The gold pairs (correlated_gold_events) to a Kafka topic, exactly once.",
    kafka_opts, "kafka.*, export.kafka.*", 0};

static int export_kafka(app *a, int argc, char **argv)
{
    const char *brokers = config_get_str(a->cfg, "kafka.brokers", NULL);
    const char *topic = config_get_str(a->cfg, "export.kafka.topic", "wikigdelt.gold");
    int loop = 0;
    cli_parser p;
    cli_begin(&p, &kafka_spec, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        if (o == CLI_EXIT) return p.status;
        if (o == O_BROKERS) brokers = p.arg;
        else if (o == O_TOPIC) topic = p.arg;
        else loop = 1;
    }
    if (p.ind < argc) return cli_unexpected(&p, argv[p.ind]);
    if (!brokers) return app_usage_error("export kafka: no brokers (--brokers or kafka.brokers)");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    stop_install_signals();
    kafka_sink_stats st;
    char err[WG_ERR_LEN] = "";
    int rc = kafka_sink_run(db, a->cfg, brokers, topic, loop, &st, err, sizeof err);
    printf("gold -> kafka %s: %lld transactions, %lld messages%s\n", topic, (long long)st.transactions,
           (long long)st.messages, st.recovered ? " (recovered an unrecorded batch)" : "");
    if (rc != 0) return app_runtime_error("%s", err);
    return 0;
}

/* `ingest kafka`: recentchange events or GDELT rows from a topic into bronze, exactly once. */
static const cli_opt ingest_opts[] = {
    {"brokers", O_BROKERS, required_argument, "HOST:PORT", "bootstrap brokers (kafka.brokers)"},
    {"topic", O_TOPIC, required_argument, "T", "topic to read"},
    {"format", O_FORMAT, required_argument, "wiki|gdelt", "payload: recentchange JSON events or GDELT rows (default wiki)"},
    {"once", O_ONCE, no_argument, NULL, "stop at the end of every partition"},
    {"duration", O_DURATION, required_argument, "S", "stop after S seconds"},
    {0},
};
static const cli_command ingest_spec = {
    "ingest kafka", "--brokers HOST:PORT --topic T --format wiki|gdelt [--once] [--duration S]",
    "Recentchange events or GDELT rows from a Kafka topic into bronze, exactly once.",
    ingest_opts, "kafka.*", 0};

int cli_ingest_kafka(app *a, int argc, char **argv)
{
    kafka_source_options o = {config_get_str(a->cfg, "kafka.brokers", NULL), NULL, KAFKA_PAYLOAD_WIKI, 0, 0};
    const char *format = "wiki";
    cli_parser p;
    cli_begin(&p, &ingest_spec, argc, argv);
    for (int k; (k = cli_next(&p)) != CLI_END;) {
        switch (k) {
        case CLI_EXIT: return p.status;
        case O_BROKERS: o.brokers = p.arg; break;
        case O_TOPIC: o.topic = p.arg; break;
        case O_FORMAT: format = p.arg; break;
        case O_ONCE: o.once = 1; break;
        case O_DURATION: o.duration_s = atof(p.arg); break;
        }
    }
    if (p.ind < argc) return cli_unexpected(&p, argv[p.ind]);
    if (!o.brokers || !o.topic) return app_usage_error("ingest kafka: --brokers and --topic are needed");
    if (!strcmp(format, "gdelt")) o.payload = KAFKA_PAYLOAD_GDELT;
    else if (strcmp(format, "wiki") != 0) return app_usage_error("ingest kafka: --format is wiki or gdelt");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    stop_install_signals();
    kafka_source_stats st;
    char err[WG_ERR_LEN] = "";
    int rc = kafka_source_run(db, a->cfg, &o, &st, err, sizeof err);
    printf("kafka %s -> %s bronze: %lld messages, %lld rows, %lld batches, %d partitions, %lld errors\n",
           o.topic, o.payload == KAFKA_PAYLOAD_GDELT ? "gdelt" : "wikimedia", (long long)st.messages,
           (long long)st.rows, (long long)st.batches, st.partitions, (long long)st.errors);
    if (rc != 0) return app_runtime_error("%s", err);
    return 0;
}

static const cli_opt delta_opts[] = {
    {"table", O_TABLE, required_argument, "T", "a table to export (repeatable; default export.delta.tables or all)"},
    {"to", O_TO, required_argument, "DIR", "where the Delta tables go (export.delta.to, default HOME/delta)"},
    {"loop", O_LOOP, no_argument, NULL, "keep exporting every export.delta.interval_seconds until stopped"},
    {0},
};
static const cli_command delta_spec = {
    "export delta", "[--table T]... [--to DIR] [--loop]",
    "Silver and gold tables as Delta Lake tables (Parquet), appended exactly once.\n"
    "Tables: gdelt_silver, wikimedia_silver, gold_events, correlated_gold_events.",
    delta_opts, "export.delta.*", 0};

static int export_delta(app *a, int argc, char **argv)
{
    const char *tables[16];
    int ntables = 0, loop = 0;
    const char *to = config_get_str(a->cfg, "export.delta.to", NULL);
    cli_parser p;
    cli_begin(&p, &delta_spec, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        if (o == CLI_EXIT) return p.status;
        if (o == O_TO) to = p.arg;
        else if (o == O_LOOP) loop = 1;
        else if (ntables < 16) tables[ntables++] = p.arg;
        else return cli_usage_error(&p, "at most 16 --table options");
    }
    if (p.ind < argc) return cli_unexpected(&p, argv[p.ind]);
    if (ntables == 0) {
        const char *list = config_get_str(a->cfg, "export.delta.tables", NULL);
        static char copy[512];
        if (list) {
            snprintf(copy, sizeof copy, "%s", list);
            for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t && ntables < 16;
                 t = strtok_r(NULL, ", ", &save))
                tables[ntables++] = t;
        } else {
            for (const char *const *t = export_tables; *t; t++) tables[ntables++] = *t;
        }
    }
    char defdir[4200];
    if (!to) {
        snprintf(defdir, sizeof defdir, "%s/delta", a->home);
        to = defdir;
    }
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    stop_install_signals();
    int64_t interval = config_get_int(a->cfg, "export.delta.interval_seconds", 60);
    int failed = 0;
    do {
        for (int i = 0; i < ntables && !stop_requested(); i++) {
            char dir[4400], err[WG_ERR_LEN] = "";
            snprintf(dir, sizeof dir, "%s/%s", to, tables[i]);
            export_stats st = {0};
            if (export_delta_table(db, a->cfg, tables[i], dir, &st, err, sizeof err) != 0) {
                log_error("export", "%s", err);
                store_event(db, "export", "error", "export_failed", err, NULL);
                failed = 1;
                if (!loop) break;
                continue;
            }
            if (!loop || st.commits)
                printf("%s -> %s: %lld commits, %lld rows, %lld files, %.1f MB, %.2f s%s\n", tables[i],
                       dir, (long long)st.commits, (long long)st.rows, (long long)st.files,
                       (double)st.bytes / 1e6, st.seconds,
                       st.recovered ? " (recovered an unrecorded commit)" : "");
            fflush(stdout);
        }
        for (int64_t s = 0; loop && !stop_requested() && s < interval * 10; s++) usleep(100 * 1000);
    } while (loop && !stop_requested());
    return failed && !loop ? 1 : 0;
}

static const cli_subcommand sinks[] = {
    {"delta", export_delta, "silver and gold tables as Delta Lake tables (Parquet)"},
    {"kafka", export_kafka, "the gold pairs to a Kafka topic"},
    {0},
};

static const cli_command spec = {"export", "delta|kafka [OPTIONS]", NULL, NULL, NULL, 0};

int cmd_export(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &spec, sinks, argc, argv);
}
