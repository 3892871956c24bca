/* `simulate`: run the loopback simulator in the foreground until interrupted.
 *   --port N  --speed X  --gdelt-dir DIR  --wiki-recording FILE  (map onto simulate.* settings) */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/stop.h"
#include "source/simulator.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Each option sets the simulate.* setting of the same name. */
static int simulate_opt(cli_parser *p, int key, void *ctx)
{
    config *cfg = ctx;
    config_set(cfg, key == O_PORT ? "simulate.port" : key == O_SPEED ? "simulate.speed"
                    : key == O_GDELT_DIR ? "simulate.gdelt_dir" : "simulate.wiki_recording", p->arg);
    return CLI_GO;
}

int cmd_simulate(app *a, int argc, char **argv)
{
    int rc = cli_parse(&cli_simulate, argc, argv, simulate_opt, a->cfg, NULL);
    if (rc != CLI_GO) return rc;
    simulator *sim;
    char err[WG_ERR_LEN];
    if (simulator_start(a->cfg, &sim, err, sizeof err) != 0) return app_runtime_error("%s", err);
    printf("simulator listening on http://127.0.0.1:%d\n", simulator_port(sim));
    printf("  GDELT:     http://127.0.0.1:%d/gdeltv2/lastupdate.txt\n", simulator_port(sim));
    printf("  Wikimedia: http://127.0.0.1:%d/v2/stream/recentchange\n", simulator_port(sim));
    fflush(stdout);
    stop_install_signals();
    while (!stop_requested()) pause();
    simulator_stop(sim);
    return 0;
}
