/* The observe routes of the HTTP server: GET /metrics (Prometheus text exposition of every
 * process's metrics, from the store) and GET /readyz (200 or 503 with the reason, see obs_ready). */
#ifndef WG_OBSERVE_HTTP_H
#define WG_OBSERVE_HTTP_H

#include "serve/serve.h"

int observe_metrics_handler(serve_request *req, serve_response *resp);
int observe_readyz_handler(serve_request *req, serve_response *resp);

#endif
