/* wikigdelt: command-line entry. Parses the global options (--home, --config, --set), loads the
 * configuration and dispatches to a sub-command. Exit status: 0 success, 1 runtime error,
 * 2 bad usage. */
#include "cli/app.h"
#include "cli/commands.h"
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

static const struct {
    const char *name;
    app_command_fn fn;
    const char *help;
} commands[] = {
    {"run", cmd_run, "continuous: both live sources and all flows"},
    {"demo", cmd_demo, "the whole pipeline against the built-in simulator on loopback (offline)"},
    {"simulate", cmd_simulate, "serve GDELT files and an SSE recentchange stream on 127.0.0.1"},
    {"ingest", cmd_ingest, "ingest gdelt|wiki: one source into bronze (live URL, file or directory)"},
    {"refine", cmd_refine, "run the silver flows once over what is pending"},
    {"correlate", cmd_correlate, "run the gold flows (embed + windowed join) once"},
    {"eval", cmd_eval, "precision / recall / F1 of the correlation on labelled pairs"},
    {"embed", cmd_embed, "print sentence embeddings of the given texts as JSON"},
    {"model", cmd_model, "model fetch|info: install or inspect the embedding model"},
    {"sql", cmd_sql, "run a read-only SQL query: sql [--format table|csv|json] \"QUERY\""},
    {"describe", cmd_describe, "describe [--extended] TABLE: columns, types, descriptions"},
    {"status", cmd_status, "flows, checkpoints, data-quality counts, event log"},
    {"export", cmd_export, "export delta: silver and gold tables as Delta Lake tables (Parquet)"},
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
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wikigdelt [--home DIR] [--config FILE] [--set KEY=VALUE]... COMMAND ...\n"
            "  --home DIR      pipeline home (default $WIKIGDELT_HOME or ./lakehouse)\n"
            "  --config FILE   settings file (default HOME/wikigdelt.conf if present)\n"
            "  --set KEY=VAL   override one setting (repeatable)\n"
            "  --version       print the version and exit\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

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
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--home") || !strcmp(arg, "--config") || !strcmp(arg, "--set")) {
            if (i + 1 >= argc) return config_free(a.cfg), app_usage_error("%s needs a value", arg);
            const char *v = argv[++i];
            if (!strcmp(arg, "--home"))
                home = v;
            else if (!strcmp(arg, "--config"))
                config_file = v;
            else if (config_set_pair(a.cfg, v, err, sizeof err) != 0)
                return config_free(a.cfg), app_usage_error("%s", err);
        } else if (!strncmp(arg, "--home=", 7)) {
            home = arg + 7;
        } else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            config_free(a.cfg);
            return 0;
        } else if (!strcmp(arg, "--version")) {
            printf("wikigdelt %s\n", WG_VERSION);
            config_free(a.cfg);
            return 0;
        } else if (arg[0] == '-') {
            return config_free(a.cfg), app_usage_error("unknown option %s (see wikigdelt --help)", arg);
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage(stderr);
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
            return app_usage_error("%s", err);
        }
        for (int j = 1; j < i; j++)
            if (!strcmp(argv[j], "--set")) config_set_pair(file_cfg, argv[++j], err, sizeof err);
        config_free(a.cfg);
        a.cfg = file_cfg;
    }

    /* Every setting is declared in core/settings.c: an unknown key or a bad value stops here. */
    if (settings_validate(a.cfg, config_file, err, sizeof err) != 0) {
        config_free(a.cfg);
        return app_usage_error("%s", err);
    }

    const char *name = argv[i];
    log_configure(config_get_str(a.cfg, "log.format", "text"), config_get_int(a.cfg, "log.max_bytes", 50LL << 20), (int)config_get_int(a.cfg, "log.keep", 3));
    limit_blas_threads(argv, name);
    app_command_fn fn = NULL;
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (!strcmp(commands[c].name, name)) fn = commands[c].fn;
    if (!fn) {
        usage(stderr);
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
