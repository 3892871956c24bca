/* Wikimedia silver flow (stub until the Wikimedia source lands). */
#include "refine/wiki_silver.h"

#include <stdio.h>

int wiki_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen)
{
    (void)db; (void)cfg; (void)stats;
    snprintf(err, errlen, "wikimedia silver flow not implemented yet");
    return -1;
}
