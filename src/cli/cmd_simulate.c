/* `simulate`: run the loopback simulator in the foreground until interrupted.
 *   --port N  --speed X  --gdelt-dir DIR  --wiki-recording FILE  (map onto simulate.* settings) */
#include "cli/commands.h"
#include "cli/opts.h"

#include "core/stop.h"
#include "source/simulator.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Each option sets the simulate.* setting of the same name. */
static const char *const keys[] = {"simulate.port", "simulate.speed", "simulate.gdelt_dir",
                                   "simulate.wiki_recording"};
static const cli_opt opts[] = {
    {"port", 256, required_argument, "N", "port on 127.0.0.1 (simulate.port; 0 = any free one)"},
    {"speed", 257, required_argument, "X", "replay speed against real time (simulate.speed)"},
    {"gdelt-dir", 258, required_argument, "DIR", "GDELT export files to serve (simulate.gdelt_dir)"},
    {"wiki-recording", 259, required_argument, "FILE", "recentchange recording to stream (simulate.wiki_recording)"},
    {0},
};
static const cli_command spec = {
    "simulate", "[--port N] [--speed X] [--gdelt-dir DIR] [--wiki-recording FILE]",
    "Serves GDELT files and an SSE recentchange stream on 127.0.0.1 until interrupted.",
    opts, "simulate.*", 0};

int cmd_simulate(app *a, int argc, char **argv)
{
    cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        if (o == CLI_EXIT) return p.status;
        config_set(a->cfg, keys[o - 256], p.arg);
    }
    if (p.ind < argc) return cli_unexpected(&p, argv[p.ind]);
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
