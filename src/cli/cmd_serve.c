/* `serve`: the HTTP API and the web pages over the lakehouse (src/serve), until SIGINT/SIGTERM.
 * `run` and `demo` start it as one more supervised child. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/log.h"
#include "serve/serve.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct serve_args {
    app *a;
    int port;
} serve_args;

static int serve_opt(cli_parser *cp, int key, void *ctx)
{
    serve_args *s = ctx;
    if (key == O_ADDRESS) {
        config_set(s->a->cfg, "serve.address", cp->arg);
        return CLI_GO;
    }
    char *end;
    long p = strtol(cp->arg, &end, 10);
    if (*end || p < 0 || p > 65535) return app_usage_error("serve: --port must be 0-65535, not '%s'", cp->arg);
    s->port = (int)p;
    return CLI_GO;
}

int cmd_serve(app *a, int argc, char **argv)
{
    serve_args args = {a, -1};
    int rc = cli_parse(&cli_serve, argc, argv, serve_opt, &args, NULL);
    if (rc != CLI_GO) return rc;
    int port = args.port;
    if (!app_db(a)) return 1; /* migrates the store before any reader opens it */
    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* Readers yield the CPU to the pipeline's writers (serve.nice, 0 to turn off): on a small
     * machine a burst of dashboard queries must not slow ingestion. Threads inherit it. */
    int nice_level = (int)setting_int(a->cfg, "serve.nice");
    if (nice_level > 0 && setpriority(PRIO_PROCESS, 0, nice_level > 19 ? 19 : nice_level) != 0)
        log_warn("serve", "cannot lower the priority (serve.nice = %d)", nice_level);
    char err[WG_ERR_LEN];
    serve_server *s = serve_start(a->cfg, a->home, a->db_path, port, err, sizeof err);
    if (!s) return app_runtime_error("serve: %s", err);
    const char *addr = serve_bound_address(s);
    if (strncmp(addr, "127.", 4) != 0 && strncmp(addr, "[::1]", 5) != 0)
        log_warn("serve", "listening on %s, which is not a loopback address: every client that can reach it may try tokens", addr);
    printf("wikigdelt serve: listening on http://%s/ (home %s)\n", addr, a->home);
    fflush(stdout);
    log_info("serve", "listening on http://%s/", addr);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("serve", "stopping (signal %d)", sig);
    serve_stop(s);
    return 0;
}
