/* `sql` and `describe`: read-only queries over the lakehouse with table, CSV or JSON output.
 * Queries run on a read-only connection, so no statement can change a table. The report's
 * Databricks spellings that SQLite cannot parse (CURRENT_DATE() with parentheses,
 * DESCRIBE TABLE [EXTENDED] t) are rewritten or routed here.
 *
 * With --as NAME both run with that principal's rights, exactly as the HTTP API does: the query
 * is prepared by govern_prepare on a governed session (grants, masks, no writes, one statement),
 * stopped at serve.query_timeout_ms and past serve.max_limit rows (an error, exit 1), and
 * written to the audit log with client "cli". Without --as they are the local owner's. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "cli/csv.h"
#include "core/settings.h"

#include "core/buf.h"
#include "govern/govern.h"
#include "store/store.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

/* A query run for a principal (--as): its session, limits and what the audit log records. */
typedef struct governed {
    govern_session *s;
    govern_principal p;
    sqlite3 *rw;           /* for govern_may_read and the audit */
    int64_t max_rows;      /* 0 = no cap */
    int64_t rows;
    int over;              /* stopped at max_rows */
    const char *outcome;   /* "allowed", "refused", "error" */
    char reason[WG_ERR_LEN];
} governed;

/* sqlite3_step, counting rows and stopping one past the cap of a governed query. */
static int next_row(governed *g, sqlite3_stmt *st)
{
    if (!g) return sqlite3_step(st);
    if (g->max_rows > 0 && g->rows >= g->max_rows) {
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) return rc;
        g->over = 1;
        return SQLITE_DONE;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) g->rows++;
    return rc;
}

/* Table output keeps the rows in memory to size the columns; a cap keeps memory bounded. */
#define TABLE_MAX_ROWS 10000

static int print_table(sqlite3_stmt *st, FILE *out, int *rc_out, governed *g)
{
    int ncol = sqlite3_column_count(st);
    size_t *width = calloc((size_t)ncol, sizeof *width);
    char **cells = NULL;
    size_t nrows = 0, cap = 0;
    int rc, truncated = 0;
    for (int c = 0; c < ncol; c++) width[c] = strlen(sqlite3_column_name(st, c));
    while ((rc = next_row(g, st)) == SQLITE_ROW) {
        if (nrows == TABLE_MAX_ROWS) {
            truncated = 1;
            continue;
        }
        if (nrows == cap) {
            cap = cap ? cap * 2 : 64;
            cells = realloc(cells, cap * (size_t)ncol * sizeof *cells);
        }
        for (int c = 0; c < ncol; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            char *copy = strdup(v ? v : "NULL");
            for (char *q = copy; *q; q++)
                if (*q == '\n' || *q == '\r' || *q == '\t') *q = ' ';
            size_t w = strlen(copy);
            if (w > 80) {
                copy[77] = copy[78] = copy[79] = '.';
                copy[80] = '\0';
                w = 80;
            }
            if (w > width[c]) width[c] = w;
            cells[nrows * (size_t)ncol + (size_t)c] = copy;
        }
        nrows++;
    }
    *rc_out = rc;
    for (int c = 0; c < ncol; c++)
        fprintf(out, "%s%-*s", c ? " | " : "", (int)width[c], sqlite3_column_name(st, c));
    fputc('\n', out);
    for (int c = 0; c < ncol; c++) {
        if (c) fputs("-+-", out);
        for (size_t k = 0; k < width[c]; k++) fputc('-', out);
    }
    fputc('\n', out);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < ncol; c++) {
            fprintf(out, "%s%-*s", c ? " | " : "", (int)width[c], cells[r * (size_t)ncol + (size_t)c]);
            free(cells[r * (size_t)ncol + (size_t)c]);
        }
        fputc('\n', out);
    }
    fprintf(out, "(%zu row%s%s)\n", nrows, nrows == 1 ? "" : "s",
            truncated ? "; output truncated, use --format csv for all rows" : "");
    free(cells);
    free(width);
    return 0;
}

static int run_query(sqlite3 *db, const char *sql, enum format fmt, FILE *out, governed *g)
{
    char *text = NULL;
    sqlite3_stmt *st = NULL;
    int rc;
    if (g) {
        char err[WG_ERR_LEN];
        govern_result gr = govern_prepare(g->s, sql, &st, err, sizeof err);
        if (gr != GOVERN_OK) {
            /* stacked statements are a refusal by rule, a syntax error is the caller's error */
            g->outcome = gr == GOVERN_DENIED || strstr(err, "one statement") ? "refused" : "error";
            snprintf(g->reason, sizeof g->reason, "%s", err);
            if (gr == GOVERN_BAD_SQL && (strstr(err, "one statement") || strstr(err, "empty")))
                return app_usage_error("sql: %s", err);
            return app_runtime_error("sql: %s", err);
        }
    } else {
        text = store_rewrite_sql(sql);
        const char *tail = NULL;
        rc = sqlite3_prepare_v2(db, text, -1, &st, &tail);
        if (rc != SQLITE_OK) {
            char why[WG_ERR_LEN];
            store_fail_at(db, why, sizeof why, "sql");
            app_runtime_error("%s", why);
            free(text);
            return 1;
        }
        if (!st) {
            free(text);
            return app_usage_error("sql: the query is empty");
        }
        while (tail && *tail && (isspace((unsigned char)*tail) || *tail == ';')) tail++;
        if (tail && *tail) {
            sqlite3_finalize(st);
            free(text);
            return app_usage_error("sql: one statement at a time (extra text starts at '%.30s')", tail);
        }
    }
    int ncol = sqlite3_column_count(st);
    if (fmt == FMT_TABLE) {
        print_table(st, out, &rc, g);
    } else if (fmt == FMT_CSV) {
        for (int c = 0; c < ncol; c++) {
            if (c) fputc(',', out);
            csv_field(out, sqlite3_column_name(st, c));
        }
        fputc('\n', out);
        while ((rc = next_row(g, st)) == SQLITE_ROW) {
            for (int c = 0; c < ncol; c++) {
                if (c) fputc(',', out);
                csv_field(out, (const char *)sqlite3_column_text(st, c));
            }
            fputc('\n', out);
        }
    } else {
        fputc('[', out);
        int first = 1;
        while ((rc = next_row(g, st)) == SQLITE_ROW) {
            json_t *row = json_object();
            for (int c = 0; c < ncol; c++) {
                json_t *v;
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, c)); break;
                case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, c)); break;
                case SQLITE_NULL: v = json_null(); break;
                case SQLITE_BLOB: v = json_sprintf("<blob %d bytes>", sqlite3_column_bytes(st, c)); break;
                default: {
                    const char *s = (const char *)sqlite3_column_text(st, c);
                    v = json_stringn_nocheck(s, (size_t)sqlite3_column_bytes(st, c));
                    if (!json_is_string(v) || !json_string_value(v)) v = json_string("");
                }
                }
                json_object_set_new(row, sqlite3_column_name(st, c), v ? v : json_null());
            }
            char *s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
            fprintf(out, "%s%s", first ? "" : ",\n", s ? s : "{}");
            free(s);
            json_decref(row);
            first = 0;
        }
        fputs("]\n", out);
    }
    int ret = 0;
    if (g) {
        char err[WG_ERR_LEN];
        govern_result gr = govern_step_result(g->s, rc, err, sizeof err);
        if (gr == GOVERN_OK && g->over)
            snprintf(err, sizeof err, "stopped: more than %lld rows (serve.max_limit); the output above is incomplete",
                     (long long)g->max_rows);
        if (gr != GOVERN_OK || g->over) {
            g->outcome = gr == GOVERN_DENIED ? "refused" : "error";
            snprintf(g->reason, sizeof g->reason, "%s", err);
            ret = app_runtime_error("sql: %s", err);
        }
    } else if (rc != SQLITE_DONE) {
        char why[WG_ERR_LEN];
        ret = app_runtime_error("%s", store_errtext(db, why, sizeof why, "sql"));
    }
    sqlite3_finalize(st);
    free(text);
    return ret;
}

static int describe_table(sqlite3 *db, const char *table, int extended, FILE *out)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT type, sql FROM sqlite_schema WHERE name = ?1 AND type IN ('table','view')", -1, &st, NULL);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return app_runtime_error("describe: no table or view named '%s' (try: wikigdelt sql \"SELECT name FROM sqlite_schema WHERE type='table'\")", table);
    }
    char *ddl = strdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
    char *kind = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);

    sqlite3_prepare_v2(db,
                       "SELECT p.name, p.type, CASE WHEN p.\"notnull\" THEN 'NOT NULL' ELSE '' END,"
                       " COALESCE(c.description, '')"
                       " FROM pragma_table_xinfo(?1) p"
                       " LEFT JOIN catalog_columns c ON c.table_name = ?1 AND c.column_name = p.name"
                       " ORDER BY p.cid",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    fprintf(out, "%-28s %-10s %-8s %s\n", "col_name", "data_type", "nullable", "comment");
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(out, "%-28s %-10s %-8s %s\n", sqlite3_column_text(st, 0),
                *sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "ANY",
                *sqlite3_column_text(st, 2) ? "no" : "yes", sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    if (extended) {
        fprintf(out, "\n# Detailed Table Information\n");
        sqlite3_prepare_v2(db, "SELECT layer, description, owner FROM catalog_tables WHERE table_name = ?1", -1, &st, NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
        fprintf(out, "%-28s %s\n", "Name", table);
        fprintf(out, "%-28s %s\n", "Type", kind);
        if (sqlite3_step(st) == SQLITE_ROW) {
            fprintf(out, "%-28s %s\n", "Layer", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
            fprintf(out, "%-28s %s\n", "Comment", sqlite3_column_text(st, 1));
            if (sqlite3_column_text(st, 2)) fprintf(out, "%-28s %s\n", "Owner", sqlite3_column_text(st, 2));
        }
        sqlite3_finalize(st);
        char *q = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\"", table);
        if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            fprintf(out, "%-28s %lld\n", "Rows", (long long)sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
        sqlite3_free(q);
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='index' AND tbl_name=?1 AND name NOT LIKE 'sqlite_%'", -1, &st, NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) fprintf(out, "%-28s %s\n", "Index", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        fprintf(out, "%-28s %s\n", "Definition", ddl);
    }
    free(ddl);
    free(kind);
    return 0;
}

/* DESCRIBE [TABLE] [EXTENDED] name, as the report writes it. Returns -1 if sql is not one. */
static int describe_governed(sqlite3 *db, const char *table, int extended, FILE *out, governed *g)
{
    if (g && !govern_may_read(g->rw, &g->p, table)) {
        g->outcome = "refused";
        snprintf(g->reason, sizeof g->reason, "refused: %s may not read %s (no grant to its groups)", g->p.name, table);
        return app_runtime_error("describe: %s", g->reason);
    }
    int rc = describe_table(db, table, extended, out);
    if (g && rc != 0) {
        g->outcome = "error";
        snprintf(g->reason, sizeof g->reason, "no table or view named %s", table);
    }
    return rc;
}

static int maybe_describe(sqlite3 *db, const char *sql, FILE *out, governed *g)
{
    char words[4][256] = {{0}};
    int n = sscanf(sql, " %255s %255s %255s %255s", words[0], words[1], words[2], words[3]);
    if (n < 2 || strcasecmp(words[0], "describe") != 0) return -1;
    int i = 1, extended = 0;
    if (i < n && !strcasecmp(words[i], "table")) i++;
    if (i < n && !strcasecmp(words[i], "extended")) extended = 1, i++;
    if (i >= n) return app_usage_error("DESCRIBE needs a table name");
    char *name = words[i];
    size_t len = strlen(name);
    if (len && name[len - 1] == ';') name[len - 1] = '\0';
    return describe_governed(db, name, extended, out, g);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Loads NAME for --as (exit status through *rc on failure). */
static int governed_begin(app *a, const char *name, governed *g)
{
    memset(g, 0, sizeof *g);
    g->outcome = "allowed";
    g->rw = app_db(a);
    if (!g->rw) return 1;
    char err[WG_ERR_LEN];
    govern_result gr = govern_principal_load(g->rw, name, &g->p, err, sizeof err);
    if (gr != GOVERN_OK) return app_runtime_error("--as: %s", err);
    g->max_rows = setting_int(a->cfg, "serve.max_limit");
    return 0;
}

static void governed_audit(app *a, governed *g, const char *route, const char *sql, double t0)
{
    govern_audit_entry e = {g->p.name, "cli", route, sql, g->outcome,
                            strcmp(g->outcome, "allowed") ? g->reason : NULL, g->rows, now_ms() - t0};
    char why[WG_ERR_LEN];
    if (govern_audit_write(g->rw, &e) != 0)
        fprintf(stderr, "wikigdelt: warning: %s\n",
                store_errtext(g->rw, why, sizeof why, "could not write the audit log"));
    govern_audit_prune(g->rw, setting_int(a->cfg, "govern.audit.retention_days"),
                       setting_int(a->cfg, "govern.audit.max_rows"));
}

static int sql_as(app *a, const char *name, const char *query, enum format fmt)
{
    double t0 = now_ms();
    governed g;
    int rc = governed_begin(a, name, &g);
    if (rc) return rc;
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    rc = maybe_describe(db, query, stdout, &g);
    if (rc < 0) {
        char err[WG_ERR_LEN];
        g.s = govern_session_new(db, err, sizeof err);
        if (!g.s || govern_session_bind(g.s, &g.p, err, sizeof err) != 0) {
            govern_session_free(g.s);
            store_close(db);
            return app_runtime_error("sql --as: %s", err);
        }
        govern_session_deadline(g.s, setting_int(a->cfg, "serve.query_timeout_ms"));
        rc = run_query(db, query, fmt, stdout, &g);
        govern_session_free(g.s);
    }
    fflush(stdout);
    store_close(db);
    governed_audit(a, &g, "sql --as", query, t0);
    return rc;
}

/* The options of sql and describe, and their one argument (the query, or the table). */
typedef struct sql_args {
    const char *cmd, *arg, *as;
    enum format fmt;
    int extended;
} sql_args;

static int sql_opt(cli_parser *p, int key, void *ctx)
{
    sql_args *s = ctx;
    if (key == O_FORMAT) {
        const char *f = p->arg;
        if (!strcmp(f, "table")) s->fmt = FMT_TABLE;
        else if (!strcmp(f, "csv")) s->fmt = FMT_CSV;
        else if (!strcmp(f, "json")) s->fmt = FMT_JSON;
        else return app_usage_error("sql: --format must be table, csv or json, not '%s'", f);
    } else if (key == O_AS) {
        s->as = p->arg;
    } else if (key == O_EXTENDED) {
        s->extended = 1;
    } else if (!s->arg) {
        s->arg = p->arg;
    } else {
        return app_usage_error("%s", !strcmp(s->cmd, "sql") ? "sql: give the query as one argument (quote it)"
                                                            : "describe: one table at a time");
    }
    return CLI_GO;
}

int cmd_sql(app *a, int argc, char **argv)
{
    sql_args s = {"sql", NULL, NULL, FMT_TABLE, 0};
    int parsed = cli_parse(&cli_sql, argc, argv, sql_opt, &s, NULL);
    if (parsed != CLI_GO) return parsed;
    enum format fmt = s.fmt;
    const char *query = s.arg, *as = s.as;
    if (!query) return app_usage_error("usage: wikigdelt sql [--format table|csv|json] [--as NAME] \"QUERY\"");
    if (as) return sql_as(a, as, query, fmt);
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    int rc = maybe_describe(db, query, stdout, NULL);
    if (rc < 0) rc = run_query(db, query, fmt, stdout, NULL);
    store_close(db);
    return rc;
}

int cmd_describe(app *a, int argc, char **argv)
{
    sql_args s = {"describe", NULL, NULL, FMT_TABLE, 0};
    int parsed = cli_parse(&cli_describe, argc, argv, sql_opt, &s, NULL);
    if (parsed != CLI_GO) return parsed;
    int extended = s.extended;
    const char *table = s.arg, *as = s.as;
    if (!table) return app_usage_error("usage: wikigdelt describe [--extended] [--as NAME] TABLE");
    double t0 = now_ms();
    governed g;
    if (as) {
        int rc = governed_begin(a, as, &g);
        if (rc) return rc;
    }
    sqlite3 *db = app_db_readonly(a);
    if (!db) return 1;
    int rc = describe_governed(db, table, extended, stdout, as ? &g : NULL);
    fflush(stdout);
    store_close(db);
    if (as) {
        char text[600];
        snprintf(text, sizeof text, "DESCRIBE TABLE %s%s", extended ? "EXTENDED " : "", table);
        governed_audit(a, &g, "describe --as", text, t0);
    }
    return rc;
}
