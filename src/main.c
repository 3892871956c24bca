/* wikigdelt: command-line entry. Parses the global options (--home, --config, --set), loads the
 * configuration and dispatches to a sub-command. Exit status: 0 success, 1 runtime error,
 * 2 bad usage. */
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/cmd_table.h"
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

/* The global options; the command line's --set pairs are kept in order, to be replayed over a
 * settings file's values. */
typedef struct global_args {
    config *cfg;
    const char *home, *config_file;
    const char **sets;
    int nsets;
} global_args;

static int global_opt(cli_parser *p, int key, void *ctx)
{
    global_args *g = ctx;
    char err[WG_ERR_LEN];
    switch (key) {
    case O_HOME: g->home = p->arg; break;
    case O_CONFIG: g->config_file = p->arg; break;
    case O_SET:
        g->sets[g->nsets++] = p->arg;
        if (config_set_pair(g->cfg, p->arg, err, sizeof err) != 0) return app_usage_error("%s", err);
        break;
    case O_VERSION:
        printf("wikigdelt %s\n", WG_VERSION);
        return 0;
    }
    return CLI_GO;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    app a;
    memset(&a, 0, sizeof a);
    a.cfg = config_new();
    char err[WG_ERR_LEN];
    global_args g = {a.cfg, getenv("WIKIGDELT_HOME"), NULL, calloc((size_t)argc, sizeof(char *)), 0};
    int i;
    int rc = cli_parse(&cli_global, argc, argv, global_opt, &g, &i);
    if (rc == CLI_GO && i >= argc) {
        cli_print_help(&cli_global, stderr);
        rc = 2;
    }
    const char **sets = g.sets, *home = g.home, *config_file = g.config_file;
    int nsets = g.nsets;
    if (rc != CLI_GO) {
        free(sets);
        config_free(a.cfg);
        return rc;
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
    log_configure(setting_str(a.cfg, "log.format"), setting_int(a.cfg, "log.max_bytes"), (int)setting_int(a.cfg, "log.keep"));
    limit_blas_threads(argv, name);
    app_command_fn fn = NULL;
    for (const cli_subcommand *c = cli_global.subs; c->name; c++)
        if (!strcmp(c->name, name)) fn = c->fn;
    if (!fn) {
        cli_print_help(&cli_global, stderr);
        config_free(a.cfg);
        return app_usage_error("unknown command '%s'", name);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = fn(&a, argc - i, argv + i);
    store_close(a.db);
    config_free(a.cfg);
    curl_global_cleanup();
    return rc;
}
