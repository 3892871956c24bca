/* The OTLP push loop as a thread of `run` and `demo` (cmd_metrics.c): started when otel.endpoint
 * is set, stopped before they return. A failed push is counted and retried; it stops nothing. */
#ifndef WG_METRICS_PUSH_H
#define WG_METRICS_PUSH_H

#include "cli/app.h"

int metrics_push_start(app *a);  /* 0 (also when otel.endpoint is unset), -1 no thread */
void metrics_push_stop(void);

#endif
