/* The server's own handlers (the SQL API, the catalog, identity, health, the gold stream). */
#ifndef WG_SERVE_HANDLERS_H
#define WG_SERVE_HANDLERS_H

#include "serve/serve.h"

int serve_api_sql(serve_request *req, serve_response *resp);          /* api_sql.c */
int serve_api_tables(serve_request *req, serve_response *resp);       /* api_catalog.c */
int serve_api_table(serve_request *req, serve_response *resp);        /* api_catalog.c */
int serve_api_whoami(serve_request *req, serve_response *resp);       /* api_catalog.c */
int serve_healthz(serve_request *req, serve_response *resp);          /* api_catalog.c */
int serve_api_stream_gold(serve_request *req, serve_response *resp);  /* gold_stream.c */

#endif
