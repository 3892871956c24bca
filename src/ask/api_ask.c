/* POST /api/ask and POST /api/explain: the assistant over HTTP, with the caller's rights.
 *
 *   /api/ask      {"question": "...", "sql_only": false}  -> the answer as `ask --format json`
 *                 prints it (intent, reading, sql, params, columns, rows, or message / refused)
 *   /api/explain  {"sql": "...", "run": false}            -> as `explain --format json`
 *
 * The parser's engine (the embedder and the templates' vectors) is built once per process, on
 * the first question, from a connection of its own. A refusal by the grants answers 403 with the
 * body still saying what was asked and which SQL was refused. */
#include "ask/ask_run.h"
#include "ask/explain.h"
#include "serve/serve.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int serve_api_ask(serve_request *req, serve_response *resp);
int serve_api_explain(serve_request *req, serve_response *resp);

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
static ask_engine *engine;

static ask_engine *shared_engine(serve_request *req, const char *db_path, char *err, size_t errlen)
{
    pthread_mutex_lock(&engine_lock);
    if (!engine) {
        sqlite3 *db = NULL;
        if (store_open(db_path, req->cfg, STORE_READONLY | STORE_NO_MIGRATE, &db, err, errlen) == 0) {
            if (ask_engine_open(req->cfg, db, &engine, err, errlen) != 0) engine = NULL;
            store_close(db);
        }
    }
    ask_engine *e = engine;
    pthread_mutex_unlock(&engine_lock);
    return e;
}

static json_t *body_object(serve_request *req, serve_response *resp, const char *field)
{
    if (!req->body || !req->body_len) {
        serve_error(resp, 400, "bad_request", "the body must be a JSON object like {\"%s\": \"...\"}", field);
        return NULL;
    }
    json_error_t je;
    json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        serve_error(resp, 400, "bad_json", "the body is not a JSON object: %s", o ? "" : je.text);
        json_decref(o);
        return NULL;
    }
    json_t *v = json_object_get(o, field);
    if (!json_is_string(v) || !*json_string_value(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        serve_error(resp, 400, "bad_request", "\"%s\" must be a non-empty string without NUL characters", field);
        json_decref(o);
        return NULL;
    }
    return o;
}

static void send_json(serve_response *resp, int status, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    resp->status = status;
    snprintf(resp->content_type, sizeof resp->content_type, "application/json");
    buf_append_str(&resp->body, s ? s : "{}");
    buf_append_str(&resp->body, "\n");
    free(s);
}

int serve_api_ask(serve_request *req, serve_response *resp)
{
    json_t *o = body_object(req, resp, "question");
    if (!o) return 0;
    char path[4200], err[WG_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/wikigdelt.db", req->home);
    ask_engine *e = shared_engine(req, path, err, sizeof err);
    if (!e) {
        json_decref(o);
        serve_error(resp, 503, "unavailable", "the assistant cannot start: %s", err);
        return 0;
    }
    ask_session *s = NULL;
    if (ask_session_wrap(e, req->cfg, req->db, path, req->session, req->principal, req->client, &s, err, sizeof err) != 0) {
        json_decref(o);
        serve_error(resp, 500, "internal", "%s", err);
        return 0;
    }
    const char *q = json_string_value(json_object_get(o, "question"));
    int sql_only = json_is_true(json_object_get(o, "sql_only"));
    ask_answer ans;
    int rc = 0;
    if (ask_answer_question(s, q, sql_only, &ans, err, sizeof err) != 0) {
        serve_error(resp, 400, "bad_request", "%s", err);
    } else {
        json_t *j = ask_answer_json(&ans, q);
        send_json(resp, ans.refused[0] ? 403 : ans.error[0] ? 400 : 200, j);
        /* the audit log records the SQL that was run or refused, else the question */
        serve_audit_sql(resp, ans.plan.sql ? ans.plan.sql : ans.llm_sql ? ans.llm_sql : q);
        resp->audit_rows = (int64_t)ans.result.nrows;
        if (ans.refused[0] || ans.error[0]) {
            snprintf(resp->audit_outcome, sizeof resp->audit_outcome, "%s", ans.refused[0] ? "refused" : "error");
            snprintf(resp->audit_reason, sizeof resp->audit_reason, "%.255s", ans.refused[0] ? ans.refused : ans.error);
        }
        json_decref(j);
        ask_answer_free(&ans);
    }
    ask_session_close(s);
    json_decref(o);
    return rc;
}

int serve_api_explain(serve_request *req, serve_response *resp)
{
    json_t *o = body_object(req, resp, "sql");
    if (!o) return 0;
    char path[4200], err[WG_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/wikigdelt.db", req->home);
    sqlite3 *meta = NULL;
    if (store_open(path, req->cfg, STORE_READONLY | STORE_NO_MIGRATE, &meta, err, sizeof err) != 0) {
        json_decref(o);
        serve_error(resp, 500, "internal", "%s", err);
        return 0;
    }
    serve_audit_sql(resp, json_string_value(json_object_get(o, "sql")));
    explain_report rep;
    int er = explain_sql(req->db, meta, req->session, req->cfg, json_string_value(json_object_get(o, "sql")),
                         json_is_true(json_object_get(o, "run")), &rep, err, sizeof err);
    if (er == 1) serve_error(resp, 403, "refused", "%s", err);
    else if (er != 0) serve_error(resp, 400, "bad_sql", "%s", err);
    else {
        json_t *j = explain_json(&rep);
        send_json(resp, 200, j);
        json_decref(j);
    }
    explain_free(&rep);
    store_close(meta);
    json_decref(o);
    return 0;
}
