/* The GDELT silver flow: gdelt_bronze -> gdelt_silver (+ gdelt_quarantine), with expectations. */
#ifndef WG_GDELT_SILVER_H
#define WG_GDELT_SILVER_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/config.h"
#include "refine/flow.h"

/* Processes every bronze row past the flow's checkpoint, in batches; each batch's silver rows,
 * quarantine rows, expectation counts and new checkpoint are one transaction. Returns 0, or -1
 * with err set (an expectation with action fail, or a store error). */
int gdelt_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen);

#endif
