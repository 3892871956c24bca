/* The route table: one line per route. A module that answers HTTP adds its line here and
 * implements a serve_handler_fn (see serve.h). Paths ending in '*' match a prefix. Anything no
 * route matches is a static file of the web pages (GET/HEAD) or 404. */
#include "serve/handlers.h"

const serve_route serve_routes[] = {
    {"GET", "/healthz", SERVE_PUBLIC, serve_healthz},
    {"POST", "/api/sql", SERVE_AUTH, serve_api_sql},
    {"GET", "/api/tables", SERVE_AUTH, serve_api_tables},
    {"GET", "/api/tables/*", SERVE_AUTH, serve_api_table},
    {"GET", "/api/whoami", SERVE_AUTH, serve_api_whoami},
    {"GET", "/api/stream/gold", SERVE_AUTH, serve_api_stream_gold},
};
const size_t serve_route_count = sizeof serve_routes / sizeof serve_routes[0];
