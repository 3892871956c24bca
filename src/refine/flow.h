/* What one run of a flow did, for logs, `status` and tests. */
#ifndef WG_FLOW_H
#define WG_FLOW_H

#include <stdint.h>

typedef struct flow_stats {
    int64_t read;          /* input rows consumed (the checkpoint moved past them) */
    int64_t written;       /* output rows written */
    int64_t warned;        /* kept, with a rule failure counted */
    int64_t dropped;       /* dropped by a rule */
    int64_t quarantined;   /* moved to the quarantine table */
    int64_t duplicates;    /* skipped because already present (dedupe key) */
    int64_t batches;       /* transactions committed */
} flow_stats;

#endif
