/* `export delta`: silver and gold tables to Delta Lake tables that Spark, delta-rs, DuckDB and
 * pyarrow read, appended exactly once (see export/export.h). With --loop it keeps exporting every
 * export.delta.interval_seconds, as the sink that `run` supervises. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

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
/* The options of both Kafka commands: export kafka's go to sink, ingest kafka's to source. */
typedef struct kafka_args {
    const char *brokers, *topic, *format;
    int loop;
    kafka_source_options source;
} kafka_args;

static int kafka_opt(cli_parser *p, int key, void *ctx)
{
    kafka_args *k = ctx;
    if (key == O_BROKERS) k->brokers = p->arg;
    else if (key == O_TOPIC) k->topic = p->arg;
    else if (key == O_LOOP) k->loop = 1;
    else if (key == O_FORMAT) k->format = p->arg;
    else if (key == O_ONCE) k->source.once = 1;
    else k->source.duration_s = atof(p->arg);
    return CLI_GO;
}

int cli_export_kafka_cmd(app *a, int argc, char **argv)
{
    kafka_args k = {config_get_str(a->cfg, "kafka.brokers", NULL),
                    setting_str(a->cfg, "export.kafka.topic"), NULL, 0, {0}};
    int parsed = cli_parse(&cli_export_kafka, argc, argv, kafka_opt, &k, NULL);
    if (parsed != CLI_GO) return parsed;
    const char *brokers = k.brokers, *topic = k.topic;
    int loop = k.loop;
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
int cli_ingest_kafka(app *a, int argc, char **argv)
{
    kafka_args k = {config_get_str(a->cfg, "kafka.brokers", NULL), NULL, "wiki", 0, {0}};
    int parsed = cli_parse(&cli_ingest_kafka_spec, argc, argv, kafka_opt, &k, NULL);
    if (parsed != CLI_GO) return parsed;
    kafka_source_options o = k.source;
    o.brokers = k.brokers;
    o.topic = k.topic;
    o.payload = KAFKA_PAYLOAD_WIKI;
    const char *format = k.format;
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

typedef struct delta_args {
    const char *tables[16];
    int ntables, loop;
    const char *to;
} delta_args;

static int delta_opt(cli_parser *p, int key, void *ctx)
{
    delta_args *d = ctx;
    if (key == O_TO) d->to = p->arg;
    else if (key == O_LOOP) d->loop = 1;
    else if (d->ntables < 16) d->tables[d->ntables++] = p->arg;
    else return cli_usage_error(p, "at most 16 --table options");
    return CLI_GO;
}

int cli_export_delta_cmd(app *a, int argc, char **argv)
{
    delta_args d = {.to = config_get_str(a->cfg, "export.delta.to", NULL)};
    int parsed = cli_parse(&cli_export_delta, argc, argv, delta_opt, &d, NULL);
    if (parsed != CLI_GO) return parsed;
    const char **tables = d.tables;
    int ntables = d.ntables, loop = d.loop;
    const char *to = d.to;
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
    int64_t interval = setting_int(a->cfg, "export.delta.interval_seconds");
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

int cmd_export(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_export, argc, argv);
}
