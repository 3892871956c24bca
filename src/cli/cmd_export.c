/* `export delta`: silver and gold tables to Delta Lake tables that Spark, delta-rs, DuckDB and
 * pyarrow read, appended exactly once (see export/export.h). With --loop it keeps exporting every
 * export.delta.interval_seconds, as the sink that `run` supervises. */
#include "cli/commands.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "export/export.h"
#include "export/kafka_sink.h"
#include "source/kafka_source.h"
#include "store/store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t export_stop;
static void on_stop(int sig)
{
    (void)sig;
    export_stop = 1;
    kafka_sink_request_stop();
    kafka_source_request_stop();
}

/* `export kafka`: gold pairs to a topic, exactly once (see export/kafka_sink.h). */
static int export_kafka(app *a, int argc, char **argv)
{
    const char *brokers = config_get_str(a->cfg, "kafka.brokers", NULL);
    const char *topic = config_get_str(a->cfg, "export.kafka.topic", "wikigdelt.gold");
    int loop = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") && i + 1 < argc) brokers = argv[++i];
        else if (!strcmp(argv[i], "--topic") && i + 1 < argc) topic = argv[++i];
        else if (!strcmp(argv[i], "--loop")) loop = 1;
        else return app_usage_error("usage: export kafka --brokers HOST:PORT [--topic T] [--loop]");
    }
    if (!brokers) return app_usage_error("export kafka: no brokers (--brokers or kafka.brokers)");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    kafka_sink_stats st;
    char err[WG_ERR_LEN] = "";
    int rc = kafka_sink_run(db, a->cfg, brokers, topic, loop, &st, err, sizeof err);
    printf("gold -> kafka %s: %lld transactions, %lld messages%s\n", topic, (long long)st.transactions,
           (long long)st.messages, st.recovered ? " (recovered an unrecorded batch)" : "");
    if (rc != 0) return app_runtime_error("%s", err);
    return 0;
}

/* `ingest kafka`: recentchange events or GDELT rows from a topic into bronze, exactly once. */
int cli_ingest_kafka(app *a, int argc, char **argv)
{
    kafka_source_options o = {config_get_str(a->cfg, "kafka.brokers", NULL), NULL, KAFKA_PAYLOAD_WIKI, 0, 0};
    const char *format = "wiki";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") && i + 1 < argc) o.brokers = argv[++i];
        else if (!strcmp(argv[i], "--topic") && i + 1 < argc) o.topic = argv[++i];
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) format = argv[++i];
        else if (!strcmp(argv[i], "--once")) o.once = 1;
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) o.duration_s = atof(argv[++i]);
        else
            return app_usage_error("usage: ingest kafka --brokers HOST:PORT --topic T --format wiki|gdelt"
                                   " [--once] [--duration S]");
    }
    if (!o.brokers || !o.topic) return app_usage_error("ingest kafka: --brokers and --topic are needed");
    if (!strcmp(format, "gdelt")) o.payload = KAFKA_PAYLOAD_GDELT;
    else if (strcmp(format, "wiki") != 0) return app_usage_error("ingest kafka: --format is wiki or gdelt");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    kafka_source_stats st;
    char err[WG_ERR_LEN] = "";
    int rc = kafka_source_run(db, a->cfg, &o, &st, err, sizeof err);
    printf("kafka %s -> %s bronze: %lld messages, %lld rows, %lld batches, %d partitions, %lld errors\n",
           o.topic, o.payload == KAFKA_PAYLOAD_GDELT ? "gdelt" : "wikimedia", (long long)st.messages,
           (long long)st.rows, (long long)st.batches, st.partitions, (long long)st.errors);
    if (rc != 0) return app_runtime_error("%s", err);
    return 0;
}

static int usage(void)
{
    return app_usage_error("usage: export delta [--table T]... [--to DIR] [--loop] | export kafka --brokers HOST:PORT [--topic T] [--loop]"
                           " (tables: gdelt_silver, wikimedia_silver, gold_events, correlated_gold_events;"
                           " default: all, to export.delta.to or HOME/delta)");
}

int cmd_export(app *a, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "kafka")) return export_kafka(a, argc, argv);
    if (argc < 2 || strcmp(argv[1], "delta") != 0) return usage();
    const char *tables[16];
    int ntables = 0, loop = 0;
    const char *to = config_get_str(a->cfg, "export.delta.to", NULL);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if ((!strcmp(arg, "--table") || !strcmp(arg, "--to")) && i + 1 < argc) {
            if (!strcmp(arg, "--to")) to = argv[++i];
            else if (ntables < 16) tables[ntables++] = argv[++i];
            else return usage();
        } else if (!strncmp(arg, "--table=", 8) && ntables < 16) {
            tables[ntables++] = arg + 8;
        } else if (!strncmp(arg, "--to=", 5)) {
            to = arg + 5;
        } else if (!strcmp(arg, "--loop")) {
            loop = 1;
        } else if (!strcmp(arg, "--help")) {
            usage();
            return 0;
        } else {
            return usage();
        }
    }
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
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    int64_t interval = config_get_int(a->cfg, "export.delta.interval_seconds", 60);
    int failed = 0;
    do {
        for (int i = 0; i < ntables && !export_stop; i++) {
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
        for (int64_t s = 0; loop && !export_stop && s < interval * 10; s++) usleep(100 * 1000);
    } while (loop && !export_stop);
    return failed && !loop ? 1 : 0;
}
