/* GDELT silver flow (stub until the GDELT source lands). */
#include "refine/gdelt_silver.h"

#include <stdio.h>

int gdelt_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen)
{
    (void)db; (void)cfg; (void)stats;
    snprintf(err, errlen, "gdelt silver flow not implemented yet");
    return -1;
}
