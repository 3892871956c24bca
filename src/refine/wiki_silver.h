/* The Wikimedia silver flow: wikimedia_bronze -> wikimedia_silver (+ wikimedia_quarantine), with expectations. */
#ifndef WG_WIKI_SILVER_H
#define WG_WIKI_SILVER_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/config.h"
#include "refine/flow.h"

/* Processes every bronze row past the flow's checkpoint, in batches; each batch's silver rows,
 * quarantine rows, expectation counts and new checkpoint are one transaction. Returns 0, or -1
 * with err set (an expectation with action fail, or a store error). */
int wiki_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen);

#endif
