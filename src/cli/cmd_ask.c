/* `ask` and `explain`: the assistant on the command line.
 *   wikigdelt ask [--as NAME] [--sql-only] [--format table|csv|json] [--verbose] "QUESTION"
 *   wikigdelt ask [--as NAME] --batch FILE      one question per line -> one JSON object per line
 *   wikigdelt explain [--run] [--format text|json] "SQL"
 * Answers run on a read-only connection; with --as through govern_prepare under that principal's
 * rights (ask_run.c), so the authorizer, not the assistant, has the last word. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "cli/csv.h"

#include "ask/ask.h"
#include "ask/ask_run.h"
#include "ask/explain.h"
#include "core/buf.h"
#include "govern/govern.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit_json(json_t *o, FILE *out)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!s) return -1;
    fprintf(out, "%s\n", s);
    free(s);
    return 0;
}

static void print_rows_table(const ask_result *r, FILE *out)
{
    size_t nc = r->ncols;
    size_t *w = calloc(nc ? nc : 1, sizeof *w);
    if (!w) return;
    for (size_t c = 0; c < nc; c++) w[c] = strlen(r->cols[c]);
    for (size_t i = 0; i < r->nrows; i++)
        for (size_t c = 0; c < nc; c++) {
            const char *v = r->cells[i * nc + c];
            size_t l = strlen(v ? v : "NULL");
            if (l > 80) l = 80;
            if (l > w[c]) w[c] = l;
        }
    for (size_t c = 0; c < nc; c++) fprintf(out, "%s%-*s", c ? " | " : "", (int)w[c], r->cols[c]);
    fputc('\n', out);
    for (size_t c = 0; c < nc; c++) {
        if (c) fputs("-+-", out);
        for (size_t k = 0; k < w[c]; k++) fputc('-', out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < nc; c++) {
            const char *v = r->cells[i * nc + c];
            if (!v) v = "NULL";
            char cell[84];
            snprintf(cell, sizeof cell, "%.80s", v);
            for (char *q = cell; *q; q++)
                if (*q == '\n' || *q == '\r' || *q == '\t') *q = ' ';
            if (strlen(v) > 80) memcpy(cell + 77, "...", 3);
            fprintf(out, "%s%-*s", c ? " | " : "", (int)w[c], cell);
        }
        fputc('\n', out);
    }
    fprintf(out, "(%zu row%s%s)\n", r->nrows, r->nrows == 1 ? "" : "s", r->truncated ? "; truncated" : "");
    free(w);
}

static void print_rows_csv(const ask_result *r, FILE *out)
{
    for (size_t c = 0; c < r->ncols; c++) {
        if (c) fputc(',', out);
        csv_field(out, r->cols[c]);
    }
    fputc('\n', out);
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < r->ncols; c++) {
            if (c) fputc(',', out);
            csv_field(out, r->cells[i * r->ncols + c]);
        }
        fputc('\n', out);
    }
}

enum fmt { F_TABLE, F_CSV, F_JSON };

/* An answer given for a principal (--as) goes to the audit log, as `sql --as` does. */
static void audit_answer(sqlite3 *rw, const ask_session *as, const char *question, const ask_answer *ans)
{
    if (!rw || !as->has_principal) return;
    const char *sql = ans->plan.sql ? ans->plan.sql : ans->llm_sql ? ans->llm_sql : question;
    govern_audit_entry e = {as->principal.name, "cli", "ask --as", sql,
                            ans->refused[0] ? "refused" : ans->error[0] ? "error" : "allowed",
                            ans->refused[0] ? ans->refused : ans->error[0] ? ans->error : NULL,
                            (int64_t)ans->result.nrows, ans->plan.parse_ms + ans->run_ms};
    char why[WG_ERR_LEN];
    if (govern_audit_write(rw, &e) != 0)
        fprintf(stderr, "wikigdelt: warning: %s\n",
                store_errtext(rw, why, sizeof why, "could not write the audit log"));
}

static int answer_one(ask_session *as, sqlite3 *rw, const char *question, enum fmt fmt, int sql_only, int verbose, FILE *out)
{
    ask_answer ans;
    char err[WG_ERR_LEN];
    if (ask_answer_question(as, question, sql_only, &ans, err, sizeof err) != 0) return app_runtime_error("ask: %s", err);
    audit_answer(rw, as, question, &ans);
    int rc = 0;
    if (fmt == F_JSON) {
        json_t *o = ask_answer_json(&ans, question);
        emit_json(o, out);
        json_decref(o);
    } else {
        buf sql = BUF_INIT;
        ask_plan_sql_text(&ans.plan, &sql);
        if (sql_only) {
            if (ans.plan.status == ASK_SQL) fputs(sql.data ? sql.data : "", out);
            else if (ans.llm_sql) fprintf(out, "%s;\n", ans.llm_sql);
            else fprintf(out, "-- %s\n", ans.plan.message);
        } else {
            fprintf(out, "-- reading: %s\n", ans.plan.reading);
            if (verbose)
                fprintf(out, "-- intent: %s (similarity %.3f; next %s %.3f), parsed in %.1f ms with %s\n", ans.plan.intent,
                        ans.plan.score, ans.plan.runner_up ? ans.plan.runner_up : "-", ans.plan.runner_score,
                        ans.plan.parse_ms, ask_engine_embedder(as->engine));
            if (ans.plan.status == ASK_SQL) fputs(sql.data ? sql.data : "", out);
            if (ans.llm_sql) fprintf(out, "-- SQL proposed by the LLM backend (%s):\n%s;\n", ans.llm_model, ans.llm_sql);
            if (ans.refused[0]) {
                fprintf(out, "-- refused: %s\n", ans.refused);
                rc = 1;
            } else if (ans.plan.status != ASK_SQL && !ans.llm_sql) {
                fprintf(out, "%s\n", ans.plan.message);
            } else if (ans.error[0]) {
                fprintf(out, "-- error: %s\n", ans.error);
                rc = 1;
            } else if (fmt == F_CSV) {
                print_rows_csv(&ans.result, out);
            } else {
                print_rows_table(&ans.result, out);
            }
        }
        buf_free(&sql);
    }
    if (fmt == F_JSON && (ans.refused[0] || ans.error[0])) rc = 1;
    ask_answer_free(&ans);
    return rc;
}

/* The options of ask and explain, and their one argument (the question, or the query). */
typedef struct ask_args {
    int explain;
    const char *as_name, *batch, *text;
    enum fmt fmt;
    int sql_only, verbose, run;
} ask_args;

static int ask_opt(cli_parser *p, int key, void *ctx)
{
    ask_args *q = ctx;
    const char *cmd = q->explain ? "explain" : "ask";
    switch (key) {
    case O_AS: q->as_name = p->arg; break;
    case O_BATCH: q->batch = p->arg; break;
    case O_SQL_ONLY: q->sql_only = 1; break;
    case O_VERBOSE: q->verbose = 1; break;
    case O_RUN: q->run = 1; break;
    case O_FORMAT:
        if (!strcmp(p->arg, "json")) q->fmt = F_JSON;
        else if (q->explain && !strcmp(p->arg, "text")) q->fmt = F_TABLE;
        else if (!q->explain && !strcmp(p->arg, "table")) q->fmt = F_TABLE;
        else if (!q->explain && !strcmp(p->arg, "csv")) q->fmt = F_CSV;
        else return app_usage_error("%s: --format %s: expected %s", cmd, p->arg,
                                    q->explain ? "text or json" : "table, csv or json");
        break;
    case CLI_ARG:
        if (q->text) return app_usage_error("%s: one %s at a time (quote it)", cmd, q->explain ? "query" : "question");
        q->text = p->arg;
        break;
    }
    return CLI_GO;
}

int cmd_ask(app *a, int argc, char **argv)
{
    ask_args q = {.explain = 0, .fmt = F_TABLE};
    int parsed = cli_parse(&cli_ask, argc, argv, ask_opt, &q, NULL);
    if (parsed != CLI_GO) return parsed;
    const char *as_name = q.as_name, *batch = q.batch, *question = q.text;
    enum fmt fmt = q.fmt;
    int sql_only = q.sql_only, verbose = q.verbose;
    if (question && !question[strspn(question, " \t\r\n")]) return app_usage_error("ask: the question is empty");
    if (!question && !batch) return app_usage_error("ask: a question is needed: wikigdelt ask \"Which countries had the most protest events last week?\"");
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    char err[WG_ERR_LEN];
    ask_session *as = NULL;
    if (ask_session_open(a->cfg, db, as_name, "cli", &as, err, sizeof err) != 0) {
        store_close(db);
        return app_runtime_error("ask: %s", err);
    }
    /* the audit log is written on the read-write connection */
    sqlite3 *rw = as_name ? app_db(a) : NULL;
    int rc = 0;
    if (batch) {
        FILE *f = !strcmp(batch, "-") ? stdin : fopen(batch, "r");
        if (!f) {
            rc = app_runtime_error("ask: cannot open %s", batch);
        } else {
            char line[4096];
            int lineno = 0;
            while (fgets(line, sizeof line, f)) {
                lineno++;
                size_t n = strlen(line);
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
                if (!n || line[0] == '#') continue;
                if (answer_one(as, rw, line, F_JSON, sql_only, verbose, stdout) != 0 && rc == 0) rc = 0; /* per-line outcome is in the JSON */
            }
            if (f != stdin) fclose(f);
        }
    } else {
        rc = answer_one(as, rw, question, fmt, sql_only, verbose, stdout);
    }
    ask_session_close(as);
    store_close(db);
    return rc;
}

int cmd_explain(app *a, int argc, char **argv)
{
    ask_args q = {.explain = 1, .fmt = F_TABLE};
    int parsed = cli_parse(&cli_explain, argc, argv, ask_opt, &q, NULL);
    if (parsed != CLI_GO) return parsed;
    const char *sql = q.text, *as_name = q.as_name;
    int run = q.run, json = q.fmt == F_JSON;
    if (sql && !sql[strspn(sql, " \t\r\n;")]) return app_usage_error("explain: the query is empty");
    if (!sql) return app_usage_error("explain: a query is needed: wikigdelt explain [--run] \"SELECT ...\"");
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    char err[WG_ERR_LEN] = "";
    explain_report rep;
    int rc = 0;
    govern_principal p;
    govern_session *gs = NULL;
    sqlite3 *meta = NULL;
    if (as_name) {
        /* the query is decided under the principal's rights; the schema facts come from a
           second connection without the authorizer */
        if (govern_principal_load(db, as_name, &p, err, sizeof err) != GOVERN_OK ||
            !(gs = govern_session_new(db, err, sizeof err)) || govern_session_bind(gs, &p, err, sizeof err) != 0 ||
            store_open(a->db_path, a->cfg, STORE_READONLY | STORE_NO_MIGRATE, &meta, err, sizeof err) != 0) {
            govern_session_free(gs);
            store_close(db);
            return app_runtime_error("explain: %s", err[0] ? err : "no such principal");
        }
    }
    int er = explain_sql(db, meta ? meta : db, gs, a->cfg, sql, run, &rep, err, sizeof err);
    if (er == 1) {
        rc = app_runtime_error("explain: refused: %s", err);
        explain_free(&rep);
    } else if (er != 0) {
        rc = app_runtime_error("explain: %s", err);
        explain_free(&rep);
    } else {
        if (json) {
            json_t *o = explain_json(&rep);
            emit_json(o, stdout);
            json_decref(o);
        } else {
            buf t = BUF_INIT;
            explain_text(&rep, &t);
            fputs(t.data ? t.data : "", stdout);
            buf_free(&t);
        }
        explain_free(&rep);
    }
    if (gs) govern_session_free(gs);
    if (meta) store_close(meta);
    store_close(db);
    return rc;
}
