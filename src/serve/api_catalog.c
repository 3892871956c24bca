/* GET /healthz, /api/whoami, /api/tables and /api/tables/{name}: what `describe --extended`
 * prints, as JSON, for the objects the caller may read. The catalog is read on the worker's own
 * (ungoverned) connection and filtered by govern_may_read, so an object the caller may not read
 * is neither listed nor described (404, as for one that does not exist). A view's SQL is shown
 * only to callers who may read everything it reads. */
#include "serve/handlers.h"
#include "serve/serve_internal.h"

#include "core/timeutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int serve_healthz(serve_request *req, serve_response *resp)
{
    sqlite3 *db = serve_request_sysdb(req);
    sqlite3_stmt *st;
    int ok = sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_schema", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!ok) {
        char why[WG_ERR_LEN];
        serve_error(resp, 503, "unavailable", "%s", store_errtext(db, why, sizeof why, "the lakehouse cannot be read"));
        return 0;
    }
    return serve_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

int serve_api_whoami(serve_request *req, serve_response *resp)
{
    json_t *groups = json_array();
    for (int i = 0; i < req->principal->ngroups; i++) json_array_append_new(groups, json_string(req->principal->groups[i]));
    return serve_json(resp, 200, json_pack("{s:s, s:o}", "principal", req->principal->name, "groups", groups));
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return s ? json_string(s) : json_null();
}

int serve_api_tables(serve_request *req, serve_response *resp)
{
    sqlite3 *db = serve_request_sysdb(req);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT s.name, s.type, c.layer, c.description FROM sqlite_schema s"
                           " LEFT JOIN catalog_tables c ON c.table_name = s.name"
                           " WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite_%' ORDER BY s.name",
                           -1, &st, NULL) != SQLITE_OK) {
        char why[WG_ERR_LEN];
        serve_error(resp, 500, "internal", "%s", store_errtext(db, why, sizeof why, "cannot read the catalog"));
        return 0;
    }
    json_t *list = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name || !govern_may_read(db, req->principal, name)) continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}", "name", name, "type", sqlite3_column_text(st, 1),
                                              "layer", text_or_null(st, 2), "description", text_or_null(st, 3)));
    }
    sqlite3_finalize(st);
    resp->audit_rows = (int64_t)json_array_size(list);
    return serve_json(resp, 200, json_pack("{s:o}", "tables", list));
}

/* The tables and views a view reads (transitively), collected by the authorizer while the
 * owner's connection prepares a SELECT from it. */
typedef struct read_set {
    char names[64][128];
    int n;
} read_set;

static int collect_reads(void *arg, int action, const char *a3, const char *a4, const char *a5, const char *a6)
{
    (void)a4;
    (void)a5;
    (void)a6;
    read_set *rs = arg;
    if (action == SQLITE_READ && a3) {
        for (int i = 0; i < rs->n; i++)
            if (!strcmp(rs->names[i], a3)) return SQLITE_OK;
        if (rs->n < 64) snprintf(rs->names[rs->n++], sizeof rs->names[0], "%s", a3);
    }
    return SQLITE_OK;
}

static int view_visible(sqlite3 *db, const govern_principal *p, const char *view)
{
    read_set rs = {.n = 0};
    char *q = sqlite3_mprintf("SELECT * FROM \"%w\"", view);
    sqlite3_stmt *st = NULL;
    sqlite3_set_authorizer(db, collect_reads, &rs);
    int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
    sqlite3_set_authorizer(db, NULL, NULL);
    sqlite3_finalize(st);
    sqlite3_free(q);
    if (rc != SQLITE_OK || rs.n >= 64) return 0;
    for (int i = 0; i < rs.n; i++)
        if (strncmp(rs.names[i], "sqlite_", 7) != 0 && !govern_may_read(db, p, rs.names[i])) return 0;
    return 1;
}

static int progress_deadline(void *arg)
{
    return time_monotonic_ms() > *(const int64_t *)arg;
}

int serve_api_table(serve_request *req, serve_response *resp)
{
    const char *name = req->path + strlen("/api/tables/");
    sqlite3 *db = serve_request_sysdb(req);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT type, sql FROM sqlite_schema WHERE name = ?1 AND type IN ('table','view')", -1, &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW || !govern_may_read(db, req->principal, name)) {
        sqlite3_finalize(st);
        serve_error(resp, 404, "not_found", "no table or view named '%s' that you may read", name);
        return 0;
    }
    char *kind = strdup((const char *)sqlite3_column_text(st, 0));
    char *ddl = sqlite3_column_text(st, 1) ? strdup((const char *)sqlite3_column_text(st, 1)) : NULL;
    sqlite3_finalize(st);

    json_t *out = json_pack("{s:s, s:s}", "name", name, "type", kind);
    sqlite3_prepare_v2(db, "SELECT layer, description, owner FROM catalog_tables WHERE table_name = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_object_set_new(out, "layer", text_or_null(st, 0));
        json_object_set_new(out, "description", text_or_null(st, 1));
        json_object_set_new(out, "owner", text_or_null(st, 2));
    }
    sqlite3_finalize(st);

    json_t *cols = json_array();
    sqlite3_prepare_v2(db,
                       "SELECT p.name, p.type, p.\"notnull\", c.description FROM pragma_table_xinfo(?1) p"
                       " LEFT JOIN catalog_columns c ON c.table_name = ?1 AND c.column_name = p.name ORDER BY p.cid",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 1);
        json_array_append_new(cols, json_pack("{s:s, s:s, s:b, s:o}", "name", sqlite3_column_text(st, 0), "type",
                                              type && *type ? type : "ANY", "nullable", !sqlite3_column_int(st, 2),
                                              "description", text_or_null(st, 3)));
    }
    sqlite3_finalize(st);
    json_object_set_new(out, "columns", cols);

    /* Row count, bounded by the query time limit (a big bronze table may not finish). */
    char *q = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\"", name);
    int64_t deadline_ms = time_monotonic_ms() + serve_settings_of(req)->query_timeout_ms;
    sqlite3_progress_handler(db, 10000, progress_deadline, &deadline_ms);
    json_t *count = json_null();
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        count = json_integer(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_free(q);
    json_object_set_new(out, "rows", count);

    json_t *idx = json_array();
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='index' AND tbl_name=?1 AND name NOT LIKE 'sqlite_%'"
                           " ORDER BY name", -1, &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) json_array_append_new(idx, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    json_object_set_new(out, "indexes", idx);

    int show = strcmp(kind, "view") != 0 || view_visible(db, req->principal, name);
    json_object_set_new(out, "definition", show && ddl ? json_string(ddl) : json_null());
    free(kind);
    free(ddl);
    return serve_json(resp, 200, out);
}
