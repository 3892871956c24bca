/* Simulator, SSE half: serves /v2/stream/recentchange. */
#include "source/simulator.h"

#include <stdlib.h>

struct sim_sse {
    int unused;
};

int sim_sse_create(const config *cfg, const simulator *sim, sim_sse **out, char *err,
                     size_t errlen)
{
    (void)cfg; (void)sim; (void)err; (void)errlen;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

int sim_sse_handle(sim_sse *g, struct MHD_Connection *conn, const char *url, const char *method)
{
    (void)g; (void)conn; (void)url; (void)method;
    return -1;
}

void sim_sse_destroy(sim_sse *g) { free(g); }
