/* The governed session's access decisions (session_int.h): the SQLite authorizer, which refuses
 * writes, DDL, PRAGMAs and functions outside allow-lists and records every column read with its
 * view context, and the decision on those reads once the statement compiled (how a statement is
 * decided: session.c). */
#include "govern/session_int.h"

#include "core/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void govern_deny(govern_session *s, const char *fmt, const char *a, const char *b)
{
    if (s->denied && !s->soft) return; /* keep the first reason */
    s->denied = 1;
    s->soft = 0;
    snprintf(s->reason, sizeof s->reason, fmt, a ? a : "", b ? b : "");
}

/* A reason a later, more specific one replaces (SQLite reports the write to sqlite_master of a
 * CREATE before the CREATE itself). */
static void deny_soft(govern_session *s, const char *fmt, const char *a, const char *b)
{
    if (s->denied) return;
    govern_deny(s, fmt, a, b);
    s->soft = 1;
}

/* Functions a principal's SQL may call: SQLite's core scalar, aggregate, window, date, JSON and
 * math functions, and the pipeline's helpers. Everything else (load_extension, fts3_tokenizer,
 * readfile, sqlite_compileoption_get...) is refused. */
static const char *const allowed_functions[] = {
    "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif",
    "instr", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif",
    "octet_length", "printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign",
    "substr", "substring", "trim", "typeof", "unhex", "unicode", "unlikely", "upper", "zeroblob",
    "date", "time", "datetime", "julianday", "strftime", "unixepoch", "timediff",
    "current_date", "current_time", "current_timestamp",
    "avg", "count", "group_concat", "string_agg", "sum", "total",
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
    "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
    "json_patch", "json_remove", "json_replace", "json_set", "json_type", "json_valid",
    "json_quote", "json_group_array", "json_group_object", "->", "->>",
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
    "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power",
    "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
    "date_trunc", "date_sub", "date_add", "current_timestamp_utc", "time_bucket",
    "current_user", "is_member",
};

static int function_allowed(const char *name)
{
    if (!name) return 0;
    for (size_t i = 0; i < sizeof allowed_functions / sizeof allowed_functions[0]; i++)
        if (!strcasecmp(name, allowed_functions[i])) return 1;
    return 0;
}

/* PRAGMAs that only describe a table, allowed when the principal may read that table. */
static const char *const allowed_pragmas[] = {"table_info", "table_xinfo", "index_list", "foreign_key_list"};

/* Table-valued functions that read no stored data. */
static const char *const harmless_vtabs[] = {"json_each", "json_tree"};

int govern_is_harmless_vtab(const char *t)
{
    for (size_t i = 0; i < sizeof harmless_vtabs / sizeof harmless_vtabs[0]; i++)
        if (!strcasecmp(t, harmless_vtabs[i])) return 1;
    return 0;
}

int govern_may_read_name(const govern_session *s, const char *t)
{
    if (s->p.owner) return 1;
    if (govern_is_harmless_vtab(t)) return 1;
    if (!strcasecmp(t, "sqlite_master") || !strcasecmp(t, "sqlite_schema"))
        return govern_names_has(&s->readable, "sqlite_master") || govern_names_has(&s->readable, "sqlite_schema");
    return govern_names_has(&s->readable, t);
}

static const char *action_name(int action)
{
    switch (action) {
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_TRANSACTION: return "BEGIN/COMMIT/ROLLBACK";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    case SQLITE_ANALYZE: return "ANALYZE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
    case SQLITE_COPY: return "COPY";
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX";
    case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_TABLE: return "CREATE TABLE";
    case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW: case SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW";
    case SQLITE_DROP_INDEX: case SQLITE_DROP_TEMP_INDEX: return "DROP INDEX";
    case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_TABLE: return "DROP TABLE";
    case SQLITE_DROP_TRIGGER: case SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER";
    case SQLITE_DROP_VIEW: case SQLITE_DROP_TEMP_VIEW: return "DROP VIEW";
    default: return "this statement";
    }
}

int govern_authorizer(void *ud, int action, const char *a1, const char *a2, const char *db, const char *ctx)
{
    govern_session *s = ud;
    (void)db;
    if (govern_internal_depth > 0 || s->trusted) return SQLITE_OK;
    if (s->phase == PHASE_DEPS) {
        if (action == SQLITE_READ && a1 && s->dep_sink) govern_names_add(s->dep_sink, a1);
        return SQLITE_OK;
    }
    if (s->phase != PHASE_PREPARE || !s->bound) {
        govern_deny(s, "statements on a governed connection go through govern_prepare (or the schema changed while it ran: run it again)%s%s", NULL, NULL);
        return SQLITE_DENY;
    }
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ: {
        const char *t = a1 ? a1 : "";
        if (!s->p.owner && !govern_may_read_name(s, t) &&
            (!strncasecmp(t, "pragma_", 7) || !strcasecmp(t, "dbstat") || !strcasecmp(t, "sqlite_dbpage") ||
             !strcasecmp(t, "sqlite_stmt"))) {
            govern_deny(s, "refused: %s is a table-valued function over the schema or the file, which principals may not call%s", t, NULL);
            return SQLITE_DENY;
        }
        if (grow_array(&s->reads, &s->capreads, s->nreads, sizeof *s->reads, 32)) {
            govern_deny(s, "refused: out of memory while checking the statement%s%s", NULL, NULL);
            return SQLITE_DENY;
        }
        read_rec *r = &s->reads[s->nreads++];
        r->table = strdup(t);
        r->column = strdup(a2 ? a2 : "");
        r->ctx = ctx ? strdup(ctx) : NULL;
        if (!s->p.owner && a2 && *a2) {
            for (size_t i = 0; i < s->mask_table.n; i++)
                if (!strcasecmp(s->mask_table.v[i], t) && !strcasecmp(s->mask_column.v[i], a2)) return SQLITE_IGNORE;
        }
        return SQLITE_OK;
    }
    case SQLITE_FUNCTION:
        if (function_allowed(a2)) return SQLITE_OK;
        govern_deny(s, "refused: the function %s() is not on the allow-list%s", a2 ? a2 : "?", NULL);
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        for (size_t i = 0; i < sizeof allowed_pragmas / sizeof allowed_pragmas[0]; i++)
            if (a1 && !strcasecmp(a1, allowed_pragmas[i]) && a2 && govern_may_read_name(s, a2)) return SQLITE_OK;
        govern_deny(s, "refused: PRAGMA %s is not allowed (only table_info, table_xinfo, index_list and foreign_key_list of a table you may read)%s",
             a1 ? a1 : "?", NULL);
        return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        govern_deny(s, "refused: %s is not allowed%s", action_name(action), NULL);
        return SQLITE_DENY;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        if (a1 && (!strcasecmp(a1, "sqlite_master") || !strcasecmp(a1, "sqlite_temp_master"))) {
            /* marked refused (govern_prepare checks), but let SQLite go on to name the DDL */
            deny_soft(s, "refused: read-only access, %s on %s is a write", action_name(action), a1);
            return SQLITE_OK;
        }
        govern_deny(s, "refused: read-only access, %s on %s is a write", action_name(action), a1 ? a1 : "?");
        return SQLITE_DENY;
    default:
        govern_deny(s, "refused: read-only access, %s is not allowed%s", action_name(action), NULL);
        return SQLITE_DENY;
    }
}


/* ---- deciding the recorded reads ---- */

static const name_list *view_deps(govern_session *s, const char *view)
{
    for (size_t i = 0; i < s->ndeps; i++)
        if (!strcasecmp(s->deps[i].view, view)) return &s->deps[i].tables;
    static const name_list none;
    dep_rec *nd = realloc(s->deps, (s->ndeps + 1) * sizeof *s->deps);
    if (!nd) return &none;
    s->deps = nd;
    dep_rec *d = &s->deps[s->ndeps++];
    memset(d, 0, sizeof *d);
    d->view = strdup(view);
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", view);
    sqlite3_stmt *st = NULL;
    enum phase saved = s->phase;
    s->phase = PHASE_DEPS;
    s->dep_sink = &d->tables;
    sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_finalize(st);
    s->dep_sink = NULL;
    s->phase = saved;
    sqlite3_free(sql);
    return &d->tables;
}

int govern_decide_reads(govern_session *s)
{
    if (s->p.owner) return 0;
    name_list reach = {0};
    for (size_t i = 0; i < s->nreads; i++) {
        const char *c = s->reads[i].ctx;
        if (c && govern_names_has(&s->views, c) && !govern_names_has(&reach, c) && govern_may_read_name(s, c)) govern_names_add(&reach, c);
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < s->nreads; i++) {
            read_rec *r = &s->reads[i];
            if (r->ctx && govern_names_has(&reach, r->ctx) && govern_names_has(&s->views, r->table) && !govern_names_has(&reach, r->table)) {
                govern_names_add(&reach, r->table);
                changed = 1;
            }
        }
    }
    int rc = 0;
    for (size_t i = 0; i < s->nreads && rc == 0; i++) {
        read_rec *r = &s->reads[i];
        int is_view_ctx = r->ctx && govern_names_has(&s->views, r->ctx);
        if (is_view_ctx) {
            if (!govern_names_has(&reach, r->ctx)) {
                govern_deny(s, "refused: %s may not read the view %s (no grant to its groups)", s->p.name, r->ctx);
                rc = -1;
            }
            continue;
        }
        if (govern_may_read_name(s, r->table)) continue;
        if (!*r->column) {
            /* a row count of a CTE or subquery (not a stored table) reads nothing stored */
            if (!govern_names_has(&s->objects, r->table) && strcasecmp(r->table, "sqlite_master") &&
                strcasecmp(r->table, "sqlite_temp_master"))
                continue;
            int ok = 0;
            for (size_t v = 0; v < reach.n && !ok; v++) ok = govern_names_has(view_deps(s, reach.v[v]), r->table);
            if (ok) continue;
        }
        govern_deny(s, "refused: %s may not read %s (no grant to its groups)", s->p.name, r->table);
        rc = -1;
    }
    govern_names_free(&reach);
    return rc;
}

/* Skips whitespace, comments and semicolons; returns the first other character. */
