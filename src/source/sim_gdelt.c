/* Simulator, GDELT half: serves lastupdate.txt, masterfilelist.txt and export zips. */
#include "source/simulator.h"

#include <stdlib.h>

struct sim_gdelt {
    int unused;
};

int sim_gdelt_create(const config *cfg, const simulator *sim, sim_gdelt **out, char *err,
                     size_t errlen)
{
    (void)cfg; (void)sim; (void)err; (void)errlen;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

int sim_gdelt_handle(sim_gdelt *g, struct MHD_Connection *conn, const char *url, const char *method)
{
    (void)g; (void)conn; (void)url; (void)method;
    return -1;
}

void sim_gdelt_destroy(sim_gdelt *g) { free(g); }
