/* wikigdelt: command-line entry. Parses the global options (--home, --config, --set), loads the
 * configuration and dispatches to a sub-command. Exit status: 0 success, 1 runtime error,
 * 2 bad usage. */
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "core/config.h"
#include "core/log.h"
#include "core/settings.h"
#include "store/store.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef WG_VERSION
#define WG_VERSION "unknown"
#endif

static const cli_subcommand commands[] = {
    {"run", cmd_run, "continuous: both live sources and all flows"},
    {"demo", cmd_demo, "the whole pipeline against the built-in simulator on loopback (offline)"},
    {"simulate", cmd_simulate, "serve GDELT files and an SSE recentchange stream on 127.0.0.1"},
    {"ingest", cmd_ingest, "ingest gdelt|wiki|kafka: one source into bronze (live URL, file or directory)"},
    {"refine", cmd_refine, "run the silver flows once over what is pending"},
    {"correlate", cmd_correlate, "run the gold flows (embed + windowed join) once"},
    {"eval", cmd_eval, "precision / recall / F1 of the correlation on labelled pairs"},
    {"embed", cmd_embed, "print sentence embeddings of the given texts as JSON"},
    {"model", cmd_model, "model fetch|info: install or inspect the embedding model"},
    {"sql", cmd_sql, "run a read-only SQL query: sql [--format table|csv|json] \"QUERY\""},
    {"describe", cmd_describe, "describe [--extended] TABLE: columns, types, descriptions"},
    {"status", cmd_status, "flows, checkpoints, data-quality counts, event log"},
    {"export", cmd_export, "export delta|kafka: silver and gold tables as Delta Lake tables, gold pairs to Kafka"},
    {"ask", cmd_ask, "ask [--as NAME] [--sql-only] \"QUESTION\": a plain-language question answered with safe SQL"},
    {"explain", cmd_explain, "explain [--run] \"SQL\": the query plan in plain words, warnings, a rewrite"},
    {"metrics", cmd_metrics, "metrics of every flow: Prometheus text, OTLP JSON, or --push to otel.endpoint"},
    {"check", cmd_check, "integrity check of the lakehouse and the pipeline's invariants"},
    {"principal", cmd_principal, "principal add|rotate|remove NAME | list: API users and their tokens"},
    {"group", cmd_group, "group add-member|remove-member GROUP NAME | create GROUP | list"},
    {"grant", cmd_grant, "grant select on OBJECT to GROUP (a table, a view, layer:NAME or *)"},
    {"revoke", cmd_revoke, "revoke select on OBJECT from GROUP"},
    {"config", cmd_config, "config list: every setting with its value, source and description"},
    {"serve", cmd_serve, "the HTTP SQL API and web pages: serve [--port N] [--address HOST:PORT]"},
    {0},
};

enum { O_HOME = 256, O_CONFIG, O_SET, O_VERSION };
static const cli_opt global_opts[] = {
    {"home", O_HOME, required_argument, "DIR", "pipeline home (default $WIKIGDELT_HOME or ./lakehouse)"},
    {"config", O_CONFIG, required_argument, "FILE", "settings file (default HOME/wikigdelt.conf if present)"},
    {"set", O_SET, required_argument, "KEY=VALUE", "override one setting (repeatable)"},
    {"version", O_VERSION, no_argument, NULL, "print the version and exit"},
    {0},
};
static const cli_command global_spec = {
    NULL, "[--home DIR] [--config FILE] [--set KEY=VALUE]... COMMAND [OPTIONS] [ARGS]",
    "Every command takes --help. Options take `--opt value` or `--opt=value`.", global_opts, NULL, 0};

/* OpenBLAS starts its worker threads when the library loads, and idle workers spin on
 * sched_yield for a while: thousands of calls that cost ingest and refine 7-10% on two cores.
 * Only the embedding and similarity commands multiply matrices, so every other command re-runs
 * itself once with OPENBLAS_NUM_THREADS=1 (read only at load time). The marker variable lets
 * the re-run drop the setting again, so the processes it starts (run, demo) get the default. */
static void limit_blas_threads(char **argv, const char *command)
{
    static const char *const blas_commands[] = {"correlate", "embed", "eval"};
    if (getenv("WIKIGDELT_BLAS_REEXEC")) {
        unsetenv("WIKIGDELT_BLAS_REEXEC");
        unsetenv("OPENBLAS_NUM_THREADS");
        return;
    }
    if (getenv("OPENBLAS_NUM_THREADS") || getenv("WIKIGDELT_NO_REEXEC")) return;
    for (size_t i = 0; i < sizeof blas_commands / sizeof blas_commands[0]; i++)
        if (!strcmp(command, blas_commands[i])) return;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("WIKIGDELT_BLAS_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the threads we have */
    unsetenv("OPENBLAS_NUM_THREADS");
    unsetenv("WIKIGDELT_BLAS_REEXEC");
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    app a;
    memset(&a, 0, sizeof a);
    a.cfg = config_new();
    const char *home = getenv("WIKIGDELT_HOME");
    const char *config_file = NULL;
    char err[WG_ERR_LEN];
    /* The --set pairs in order, replayed over a settings file's values below. */
    const char **sets = calloc((size_t)argc, sizeof *sets);
    int nsets = 0;
    cli_parser p;
    cli_begin(&p, &global_spec, argc, argv);
    p.subs = commands;
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        switch (o) {
        case CLI_EXIT:
            free(sets);
            config_free(a.cfg);
            return p.status;
        case O_HOME: home = p.arg; break;
        case O_CONFIG: config_file = p.arg; break;
        case O_SET:
            sets[nsets++] = p.arg;
            if (config_set_pair(a.cfg, p.arg, err, sizeof err) != 0)
                return free(sets), config_free(a.cfg), app_usage_error("%s", err);
            break;
        case O_VERSION:
            printf("wikigdelt %s\n", WG_VERSION);
            free(sets);
            config_free(a.cfg);
            return 0;
        }
    }
    int i = p.ind;
    if (i >= argc) {
        cli_print_help(&p, stderr);
        free(sets);
        config_free(a.cfg);
        return 2;
    }
    a.global_args = argv + 1;
    a.global_nargs = i - 1;
    snprintf(a.home, sizeof a.home, "%s", home && *home ? home : "lakehouse");
    snprintf(a.db_path, sizeof a.db_path, "%s/wikigdelt.db", a.home);

    /* The file's settings go under the command line's --set ones: load into a fresh config and
     * replay the overrides on top. */
    char default_conf[4300];
    snprintf(default_conf, sizeof default_conf, "%s/wikigdelt.conf", a.home);
    if (!config_file && access(default_conf, R_OK) == 0) config_file = default_conf;
    if (config_file) {
        config *file_cfg = config_new();
        if (config_load_file(file_cfg, config_file, err, sizeof err) != 0) {
            config_free(file_cfg);
            config_free(a.cfg);
            free(sets);
            return app_usage_error("%s", err);
        }
        for (int j = 0; j < nsets; j++) config_set_pair(file_cfg, sets[j], err, sizeof err);
        config_free(a.cfg);
        a.cfg = file_cfg;
    }

    /* Every setting is declared in core/settings.c: an unknown key or a bad value stops here. */
    free(sets);
    if (settings_validate(a.cfg, config_file, err, sizeof err) != 0) {
        config_free(a.cfg);
        return app_usage_error("%s", err);
    }

    const char *name = argv[i];
    log_configure(config_get_str(a.cfg, "log.format", "text"), config_get_int(a.cfg, "log.max_bytes", 50LL << 20), (int)config_get_int(a.cfg, "log.keep", 3));
    limit_blas_threads(argv, name);
    app_command_fn fn = NULL;
    for (const cli_subcommand *c = commands; c->name; c++)
        if (!strcmp(c->name, name)) fn = c->fn;
    if (!fn) {
        cli_print_help(&p, stderr);
        config_free(a.cfg);
        return app_usage_error("unknown command '%s'", name);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = fn(&a, argc - i, argv + i);
    store_close(a.db);
    config_free(a.cfg);
    curl_global_cleanup();
    return rc;
}
