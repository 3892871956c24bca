/* Running answers with the asker's rights (ask_run.h). */
#include "ask/ask_run.h"

#include "ask/llm.h"
#include "core/buf.h"
#include "core/settings.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int open_catalog(ask_session *s, const char *path, char *err, size_t errlen)
{
    if (!path || !*path) return 0;
    if (store_open(path, s->cfg, STORE_READONLY | STORE_NO_MIGRATE, &s->catalog_db, err, errlen) != 0) return -1;
    return 0;
}

int ask_session_open(const config *cfg, sqlite3 *db, const char *as_name, const char *client, ask_session **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    ask_session *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->cfg = cfg;
    s->db = db;
    snprintf(s->client, sizeof s->client, "%s", client ? client : "cli");
    s->max_rows = setting_int(cfg, "ask.max_rows");
    s->timeout_ms = setting_int(cfg, "ask.timeout_ms");
    if (open_catalog(s, sqlite3_db_filename(db, "main"), err, errlen) != 0) {
        ask_session_close(s);
        return -1;
    }
    if (as_name) {
        if (govern_principal_load(db, as_name, &s->principal, err, errlen) != GOVERN_OK) {
            if (!err[0]) snprintf(err, errlen, "no principal named '%s'", as_name);
            ask_session_close(s);
            return -1;
        }
        s->has_principal = 1;
        s->gs = govern_session_new(db, err, errlen);
        if (!s->gs || govern_session_bind(s->gs, &s->principal, err, errlen) != 0) {
            ask_session_close(s);
            return -1;
        }
        s->own_gs = 1;
    }
    if (ask_engine_open(cfg, s->catalog_db ? s->catalog_db : db, &s->engine, err, errlen) != 0) {
        ask_session_close(s);
        return -1;
    }
    s->own_engine = 1;
    *out = s;
    return 0;
}

int ask_session_wrap(ask_engine *engine, const config *cfg, sqlite3 *db, const char *db_path, govern_session *gs,
                     const govern_principal *p, const char *client, ask_session **out, char *err, size_t errlen)
{
    *out = NULL;
    ask_session *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->cfg = cfg;
    s->db = db;
    s->engine = engine;
    s->gs = gs;
    if (p) s->principal = *p, s->has_principal = 1;
    snprintf(s->client, sizeof s->client, "%s", client ? client : "");
    s->max_rows = setting_int(cfg, "ask.max_rows");
    s->timeout_ms = setting_int(cfg, "ask.timeout_ms");
    if (open_catalog(s, db_path, err, errlen) != 0) {
        ask_session_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void ask_session_close(ask_session *s)
{
    if (!s) return;
    if (s->own_engine) ask_engine_close(s->engine);
    if (s->own_gs && s->gs) govern_session_free(s->gs);
    if (s->catalog_db) store_close(s->catalog_db);
    free(s);
}

int ask_session_may_read(ask_session *s, const char *object)
{
    if (!s->has_principal || s->principal.owner) return 1;
    return govern_may_read(s->catalog_db ? s->catalog_db : s->db, &s->principal, object) == 1;
}

/* ---------- results ---------- */

static void result_free(ask_result *r)
{
    for (size_t c = 0; c < r->ncols; c++) free(r->cols[c]);
    for (size_t i = 0; i < r->nrows * r->ncols; i++) free(r->cells[i]);
    free(r->cols);
    free(r->cells);
    free(r->types);
    memset(r, 0, sizeof *r);
}

/* Steps st into r; rows whose first column names an object the asker may not see are skipped
 * when filter_catalog is set. Returns the final sqlite3_step code. */
static int collect(ask_session *s, sqlite3_stmt *st, ask_result *r, int filter_catalog)
{
    r->ncols = (size_t)sqlite3_column_count(st);
    r->cols = calloc(r->ncols ? r->ncols : 1, sizeof *r->cols);
    for (size_t c = 0; c < r->ncols; c++) r->cols[c] = strdup(sqlite3_column_name(st, (int)c));
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (filter_catalog) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            if (!t || !ask_session_may_read(s, t)) continue;
        }
        if ((int64_t)r->nrows >= s->max_rows) {
            r->truncated = 1;
            break;
        }
        if (r->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            char **nc = realloc(r->cells, cap * r->ncols * sizeof *nc);
            int *nt = realloc(r->types, cap * r->ncols * sizeof *nt);
            if (nc) r->cells = nc;
            if (nt) r->types = nt;
            if (!nc || !nt) return SQLITE_NOMEM;
        }
        for (size_t c = 0; c < r->ncols; c++) {
            const char *v = (const char *)sqlite3_column_text(st, (int)c);
            r->types[r->nrows * r->ncols + c] = sqlite3_column_type(st, (int)c);
            r->cells[r->nrows * r->ncols + c] = v ? strdup(v) : NULL;
        }
        r->nrows++;
    }
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* Prepares sql under the asker's rights: govern_prepare with a principal, else a read-only
 * statement on the plain connection. On refusal fills refused and returns 1. */
static int prepare_governed(ask_session *s, const char *sql, sqlite3_stmt **st, char *refused, size_t rlen, char *error,
                            size_t elen)
{
    *st = NULL;
    if (s->gs) {
        char err[WG_ERR_LEN] = "";
        govern_result g = govern_prepare(s->gs, sql, st, err, sizeof err);
        if (g == GOVERN_OK) return 0;
        if (g == GOVERN_DENIED) snprintf(refused, rlen, "%s", err[0] ? err : "refused by the grants");
        else if (g == GOVERN_BAD_SQL) snprintf(error, elen, "%s", err);
        else snprintf(error, elen, "%s", err[0] ? err : "cannot prepare");
        return g == GOVERN_DENIED ? 1 : -1;
    }
    const char *tail = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, st, &tail) != SQLITE_OK) {
        store_fail(s->db, error, elen, "the SQL does not parse");
        return -1;
    }
    while (tail && *tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';')) tail++;
    if (!*st || (tail && *tail)) {
        sqlite3_finalize(*st);
        *st = NULL;
        snprintf(refused, rlen, "exactly one statement is allowed");
        return 1;
    }
    if (!sqlite3_stmt_readonly(*st)) {
        sqlite3_finalize(*st);
        *st = NULL;
        snprintf(refused, rlen, "the statement writes; the assistant only reads");
        return 1;
    }
    return 0;
}

/* The schema text the LLM is given: the tables and columns the asker may read, described. */
static char *schema_for_llm(ask_session *s)
{
    sqlite3 *db = s->catalog_db ? s->catalog_db : s->db;
    buf b = BUF_INIT;
    buf_append_str(&b, "You translate questions into one read-only SQLite SELECT statement over these tables. "
                       "Answer with the SQL only, in a ```sql block. Timestamps are UTC text 'YYYY-MM-DD HH:MM:SS'.\n\n");
    sqlite3_stmt *t, *c;
    if (sqlite3_prepare_v2(db, "SELECT table_name, layer, description FROM catalog_tables ORDER BY layer, table_name", -1, &t, NULL) != SQLITE_OK)
        return buf_detach(&b);
    sqlite3_prepare_v2(db, "SELECT p.name, p.type, COALESCE(c.description, '') FROM pragma_table_xinfo(?1) p"
                           " LEFT JOIN catalog_columns c ON c.table_name = ?1 AND c.column_name = p.name ORDER BY p.cid",
                       -1, &c, NULL);
    while (sqlite3_step(t) == SQLITE_ROW && b.len < 48000) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        if (!name || !ask_session_may_read(s, name)) continue;
        buf_appendf(&b, "TABLE %s (%s): %s\n", name, sqlite3_column_text(t, 1) ? (const char *)sqlite3_column_text(t, 1) : "",
                    sqlite3_column_text(t, 2) ? (const char *)sqlite3_column_text(t, 2) : "");
        if (!c) continue;
        sqlite3_reset(c);
        sqlite3_bind_text(c, 1, name, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(c) == SQLITE_ROW)
            buf_appendf(&b, "  %s %s: %.160s\n", sqlite3_column_text(c, 0), sqlite3_column_text(c, 1),
                        sqlite3_column_text(c, 2));
    }
    sqlite3_finalize(t);
    sqlite3_finalize(c);
    return buf_detach(&b);
}

int ask_answer_question(ask_session *s, const char *question, int sql_only, ask_answer *ans, char *err, size_t errlen)
{
    memset(ans, 0, sizeof *ans);
    if (ask_parse(s->engine, question, &ans->plan, err, errlen) != 0) return -1;
    ask_plan *p = &ans->plan;
    const char *sql = NULL;
    int is_write_refusal = p->status == ASK_CANNOT && strstr(p->message, "only reads");
    if (p->status == ASK_SQL) {
        sql = p->sql;
        if (p->catalog && !strcmp(p->intent, "schema_describe") && !ask_session_may_read(s, p->slots.object)) {
            snprintf(ans->refused, sizeof ans->refused, "%s is not visible to %s", p->slots.object, s->principal.name);
            return 0;
        }
    } else if (p->status == ASK_CANNOT && !is_write_refusal && ask_llm_enabled(s->cfg)) {
        char *schema = schema_for_llm(s);
        char lerr[WG_ERR_LEN];
        if (ask_llm_sql(s->cfg, schema ? schema : "", question, &ans->llm_sql, ans->llm_model, sizeof ans->llm_model, lerr,
                        sizeof lerr) != 0) {
            snprintf(ans->error, sizeof ans->error, "%s", lerr);
        } else {
            sql = ans->llm_sql;
            snprintf(p->reading, sizeof p->reading, "outside the parser's templates: SQL proposed by the LLM backend (%s), checked against the grants",
                     ans->llm_model);
        }
        free(schema);
    }
    if (!sql || sql_only) {
        if (sql && sql_only && ans->llm_sql) {
            /* still check it, so --sql-only never shows a refused statement as usable */
            sqlite3_stmt *st;
            if (prepare_governed(s, sql, &st, ans->refused, sizeof ans->refused, ans->error, sizeof ans->error) == 0)
                sqlite3_finalize(st);
        }
        return 0;
    }
    double t0 = now_ms();
    sqlite3_stmt *st = NULL;
    if (p->catalog && !ans->llm_sql) {
        /* the catalog is read on its own connection; rows are filtered by the asker's grants */
        sqlite3 *cdb = s->catalog_db ? s->catalog_db : s->db;
        if (sqlite3_prepare_v2(cdb, sql, -1, &st, NULL) != SQLITE_OK) {
            store_fail_at(cdb, ans->error, sizeof ans->error, "the SQL does not parse");
            return 0;
        }
    } else if (prepare_governed(s, sql, &st, ans->refused, sizeof ans->refused, ans->error, sizeof ans->error) != 0) {
        return 0;
    }
    if (!ans->llm_sql && ask_bind(st, p) != 0) {
        snprintf(ans->error, sizeof ans->error, "cannot bind the parameters");
        sqlite3_finalize(st);
        return 0;
    }
    if (s->gs) govern_session_deadline(s->gs, s->timeout_ms);
    int rc = collect(s, st, &ans->result, p->catalog && !ans->llm_sql);
    if (rc != SQLITE_DONE) {
        if (s->gs && govern_session_timed_out(s->gs))
            snprintf(ans->error, sizeof ans->error, "stopped after %lld ms (ask.timeout_ms)", (long long)s->timeout_ms);
        else
            store_fail(sqlite3_db_handle(st), ans->error, sizeof ans->error, "running the query");
    }
    if (s->gs) govern_session_deadline(s->gs, 0);
    sqlite3_finalize(st);
    ans->run_ms = now_ms() - t0;
    return 0;
}

json_t *ask_answer_json(const ask_answer *a, const char *question)
{
    const ask_plan *p = &a->plan;
    json_t *o = json_object();
    json_object_set_new(o, "question", json_string(question ? question : ""));
    json_object_set_new(o, "intent", json_string(p->intent ? p->intent : ""));
    json_object_set_new(o, "domain", json_string(p->domain ? p->domain : ""));
    json_object_set_new(o, "status", json_string(p->status == ASK_SQL ? "sql" : p->status == ASK_CANNOT ? "cannot"
                                                 : p->status == ASK_CLARIFY ? "clarify" : "help"));
    json_object_set_new(o, "score", json_real(p->score));
    json_object_set_new(o, "reading", json_string(p->reading));
    if (p->sql) {
        json_object_set_new(o, "sql", json_string(p->sql));
        json_t *params = json_array();
        for (int i = 0; i < p->nparams; i++) {
            const ask_param *x = &p->params[i];
            json_array_append_new(params, x->type == 'i' ? json_integer(x->i) : x->type == 'd' ? json_real(x->d) : json_string(x->t));
        }
        json_object_set_new(o, "params", params);
    }
    if (p->message[0]) json_object_set_new(o, "message", json_string(p->message));
    if (a->llm_sql) json_object_set_new(o, "llm_sql", json_string(a->llm_sql));
    if (a->refused[0]) json_object_set_new(o, "refused", json_string(a->refused));
    if (a->error[0]) json_object_set_new(o, "error", json_string(a->error));
    if (a->result.cols) {
        json_t *cols = json_array();
        for (size_t c = 0; c < a->result.ncols; c++) json_array_append_new(cols, json_string(a->result.cols[c]));
        json_object_set_new(o, "columns", cols);
        json_t *rows = json_array();
        for (size_t i = 0; i < a->result.nrows; i++) {
            json_t *row = json_array();
            for (size_t c = 0; c < a->result.ncols; c++) {
                size_t k = i * a->result.ncols + c;
                const char *v = a->result.cells[k];
                json_t *j;
                if (!v) j = json_null();
                else if (a->result.types[k] == SQLITE_INTEGER) j = json_integer(strtoll(v, NULL, 10));
                else if (a->result.types[k] == SQLITE_FLOAT) j = json_real(strtod(v, NULL));
                else {
                    j = json_string(v);
                    if (!j) j = json_string("<not UTF-8>");
                }
                json_array_append_new(row, j);
            }
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, "rows", rows);
        if (a->result.truncated) json_object_set_new(o, "truncated", json_true());
    }
    json_object_set_new(o, "parse_ms", json_real(p->parse_ms));
    json_object_set_new(o, "run_ms", json_real(a->run_ms));
    return o;
}

void ask_answer_free(ask_answer *a)
{
    ask_plan_free(&a->plan);
    result_free(&a->result);
    free(a->llm_sql);
    a->llm_sql = NULL;
}
