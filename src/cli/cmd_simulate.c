/* `simulate`: run the loopback simulator in the foreground until interrupted.
 *   --port N  --speed X  --gdelt-dir DIR  --wiki-recording FILE  (map onto simulate.* settings) */
#include "cli/commands.h"

#include "source/simulator.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

int cmd_simulate(app *a, int argc, char **argv)
{
    static const struct { const char *flag, *key; } flags[] = {
        {"--port", "simulate.port"}, {"--speed", "simulate.speed"},
        {"--gdelt-dir", "simulate.gdelt_dir"}, {"--wiki-recording", "simulate.wiki_recording"},
    };
    for (int i = 1; i < argc; i++) {
        int matched = 0;
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
            if (!strcmp(argv[i], flags[f].flag) && i + 1 < argc) {
                config_set(a->cfg, flags[f].key, argv[++i]);
                matched = 1;
            }
        if (!matched) return app_usage_error("simulate: unknown option %s", argv[i]);
    }
    simulator *sim;
    char err[WG_ERR_LEN];
    if (simulator_start(a->cfg, &sim, err, sizeof err) != 0) return app_runtime_error("%s", err);
    printf("simulator listening on http://127.0.0.1:%d\n", simulator_port(sim));
    printf("  GDELT:     http://127.0.0.1:%d/gdeltv2/lastupdate.txt\n", simulator_port(sim));
    printf("  Wikimedia: http://127.0.0.1:%d/v2/stream/recentchange\n", simulator_port(sim));
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_requested) pause();
    simulator_stop(sim);
    return 0;
}
