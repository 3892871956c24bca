/* Governed sessions: a read-only connection bound to one principal, the SQLite authorizer that
 * enforces its grants, current_user() / is_member(), limits and the deadline.
 *
 * How a statement is decided. While govern_prepare compiles it, the authorizer
 *   - refuses at once every action that is not a read: writes, DDL, ATTACH/DETACH, transactions,
 *     PRAGMA outside a small allow-list, functions outside an allow-list (load_extension...);
 *   - records every column read as (table, column, innermost view) and answers SQLITE_IGNORE for
 *     the personal columns masked for this principal (govern_masks), so they read as NULL;
 * and once the statement compiled, the recorded reads are decided together:
 *   - a read with no view context (top-level SQL, a subquery, a CTE, a join, a compound select)
 *     needs a grant of the table or view read;
 *   - a read inside view V (definer's rights) needs V to be reachable: granted to one of the
 *     principal's groups, or itself read inside a reachable view (views within views);
 *   - SQLite reports a table opened only for its row count (count(*), SELECT 1 FROM v) with an
 *     empty column and no context even inside a view: that needs a grant of the table, or the
 *     table to be among what a reachable view reads.
 * The view context is the name of the FROM item, and a CTE's name is reported the same way, so a
 * CTE (or WINDOW) named like a view is refused before compiling. A statement re-prepared by
 * sqlite3_step (the schema changed under it) is refused rather than decided without the
 * deferred checks. */
#include "govern/govern.h"
#include "govern/govern_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum phase { PHASE_IDLE, PHASE_PREPARE, PHASE_DEPS };

typedef struct read_rec {
    char *table, *column, *ctx;
} read_rec;

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

typedef struct dep_rec {
    char *view;
    name_list tables;
} dep_rec;

struct govern_session {
    sqlite3 *db;
    govern_principal p;
    int bound, trusted;
    name_list readable, views, objects, mask_table, mask_column;
    dep_rec *deps;
    size_t ndeps;
    /* what the loaded lists are for: skip reloading while it stays the same */
    sqlite3_stmt *version_st;
    int have_lists;
    int64_t loaded_version, loaded_schema;
    char *loaded_key;
    /* per statement */
    enum phase phase;
    read_rec *reads;
    size_t nreads, capreads;
    name_list *dep_sink;
    int denied, soft;
    char reason[512];
    /* deadline */
    int64_t deadline_ns;
    int timed_out;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void names_add(name_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = strdup(s ? s : "");
}

static void names_clear(name_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    l->n = 0;
}

static void names_free(name_list *l)
{
    names_clear(l);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
}

static int names_has(const name_list *l, const char *s)
{
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcasecmp(l->v[i], s)) return 1;
    return 0;
}

static void reads_clear(govern_session *s)
{
    for (size_t i = 0; i < s->nreads; i++) {
        free(s->reads[i].table);
        free(s->reads[i].column);
        free(s->reads[i].ctx);
    }
    s->nreads = 0;
}

static void deps_clear(govern_session *s)
{
    for (size_t i = 0; i < s->ndeps; i++) {
        free(s->deps[i].view);
        names_free(&s->deps[i].tables);
    }
    free(s->deps);
    s->deps = NULL;
    s->ndeps = 0;
}

static void deny(govern_session *s, const char *fmt, const char *a, const char *b)
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
    deny(s, fmt, a, b);
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

static int is_harmless_vtab(const char *t)
{
    for (size_t i = 0; i < sizeof harmless_vtabs / sizeof harmless_vtabs[0]; i++)
        if (!strcasecmp(t, harmless_vtabs[i])) return 1;
    return 0;
}

static int may_read_name(const govern_session *s, const char *t)
{
    if (s->p.owner) return 1;
    if (is_harmless_vtab(t)) return 1;
    if (!strcasecmp(t, "sqlite_master") || !strcasecmp(t, "sqlite_schema"))
        return names_has(&s->readable, "sqlite_master") || names_has(&s->readable, "sqlite_schema");
    return names_has(&s->readable, t);
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

static int authorizer(void *ud, int action, const char *a1, const char *a2, const char *db, const char *ctx)
{
    govern_session *s = ud;
    (void)db;
    if (govern_internal_depth > 0 || s->trusted) return SQLITE_OK;
    if (s->phase == PHASE_DEPS) {
        if (action == SQLITE_READ && a1 && s->dep_sink) names_add(s->dep_sink, a1);
        return SQLITE_OK;
    }
    if (s->phase != PHASE_PREPARE || !s->bound) {
        deny(s, "statements on a governed connection go through govern_prepare (or the schema changed while it ran: run it again)%s%s", NULL, NULL);
        return SQLITE_DENY;
    }
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ: {
        const char *t = a1 ? a1 : "";
        if (!s->p.owner && !may_read_name(s, t) &&
            (!strncasecmp(t, "pragma_", 7) || !strcasecmp(t, "dbstat") || !strcasecmp(t, "sqlite_dbpage") ||
             !strcasecmp(t, "sqlite_stmt"))) {
            deny(s, "refused: %s is a table-valued function over the schema or the file, which principals may not call%s", t, NULL);
            return SQLITE_DENY;
        }
        if (s->nreads == s->capreads) {
            s->capreads = s->capreads ? s->capreads * 2 : 32;
            s->reads = realloc(s->reads, s->capreads * sizeof *s->reads);
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
        deny(s, "refused: the function %s() is not on the allow-list%s", a2 ? a2 : "?", NULL);
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        for (size_t i = 0; i < sizeof allowed_pragmas / sizeof allowed_pragmas[0]; i++)
            if (a1 && !strcasecmp(a1, allowed_pragmas[i]) && a2 && may_read_name(s, a2)) return SQLITE_OK;
        deny(s, "refused: PRAGMA %s is not allowed (only table_info, table_xinfo, index_list and foreign_key_list of a table you may read)%s",
             a1 ? a1 : "?", NULL);
        return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        deny(s, "refused: %s is not allowed%s", action_name(action), NULL);
        return SQLITE_DENY;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        if (a1 && (!strcasecmp(a1, "sqlite_master") || !strcasecmp(a1, "sqlite_temp_master"))) {
            /* marked refused (govern_prepare checks), but let SQLite go on to name the DDL */
            deny_soft(s, "refused: read-only access, %s on %s is a write", action_name(action), a1);
            return SQLITE_OK;
        }
        deny(s, "refused: read-only access, %s on %s is a write", action_name(action), a1 ? a1 : "?");
        return SQLITE_DENY;
    default:
        deny(s, "refused: read-only access, %s is not allowed%s", action_name(action), NULL);
        return SQLITE_DENY;
    }
}

static int progress(void *ud)
{
    govern_session *s = ud;
    if (s->deadline_ns && now_ns() > s->deadline_ns) {
        s->timed_out = 1;
        return 1;
    }
    return 0;
}

static void fn_current_user(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    govern_session *s = sqlite3_user_data(ctx);
    if (!s->bound) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, s->p.name, -1, SQLITE_TRANSIENT);
}

static void fn_is_member(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    govern_session *s = sqlite3_user_data(ctx);
    const char *g = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_result_int(ctx, s->bound && govern_is_member(&s->p, g));
}

govern_session *govern_session_new(sqlite3 *db, char *err, size_t errlen)
{
    if (!db) {
        snprintf(err, errlen, "govern_session_new: no connection");
        return NULL;
    }
    if (sqlite3_db_readonly(db, "main") != 1) {
        snprintf(err, errlen, "a governed session needs a read-only connection (store_open with STORE_READONLY)");
        return NULL;
    }
    govern_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->db = db;
    int fl = SQLITE_UTF8 | SQLITE_INNOCUOUS;
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0);
    if (sqlite3_create_function(db, "current_user", 0, fl, s, fn_current_user, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "is_member", 1, fl, s, fn_is_member, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot register current_user()/is_member(): %s", sqlite3_errmsg(db));
        free(s);
        return NULL;
    }
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 16 * 1000 * 1000);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100 * 1000);
    sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 500);
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 200);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 50);
    sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 100000);
    sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 32);
    sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
    sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 256);
    sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
    sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0);
    sqlite3_set_authorizer(db, authorizer, s);
    sqlite3_progress_handler(db, 1000, progress, s);
    return s;
}

static int load_list(govern_session *s, const char *sql, const char *param, name_list *a, name_list *b,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st;
    /* internal through the step too: a schema change in between re-prepares there */
    govern_internal_depth++;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        govern_internal_depth--;
        snprintf(err, errlen, "reading the grants: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    if (param) sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        names_add(a, (const char *)sqlite3_column_text(st, 0));
        if (b) names_add(b, (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    govern_internal_depth--;
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "reading the grants: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    return 0;
}

/* The version of the grants (govern_state) and of the schema; -1 on error. */
static int read_versions(govern_session *s, int64_t *version, int64_t *schema, char *err, size_t errlen)
{
    govern_internal_depth++;
    int rc = SQLITE_OK;
    if (!s->version_st)
        rc = sqlite3_prepare_v3(s->db, "SELECT (SELECT version FROM govern_state WHERE id = 1), schema_version FROM pragma_schema_version",
                                -1, SQLITE_PREPARE_PERSISTENT, &s->version_st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s->version_st);
        if (rc == SQLITE_ROW) {
            *version = sqlite3_column_int64(s->version_st, 0);
            *schema = sqlite3_column_int64(s->version_st, 1);
            rc = SQLITE_OK;
        }
        sqlite3_reset(s->version_st);
    }
    govern_internal_depth--;
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "reading the grants' version: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    return 0;
}

/* Principal name and groups: what the readable list and masks depend on besides versions. */
static char *principal_key(const govern_principal *p)
{
    sqlite3_str *k = sqlite3_str_new(NULL);
    sqlite3_str_appendf(k, "%d|%s", p->owner, p->name);
    for (int i = 0; i < p->ngroups && i < GOVERN_MAX_GROUPS; i++) sqlite3_str_appendf(k, "|%s", p->groups[i]);
    return sqlite3_str_finish(k);
}

int govern_session_bind(govern_session *s, const govern_principal *p, char *err, size_t errlen)
{
    s->bound = 0;
    reads_clear(s);
    s->deadline_ns = 0;
    s->timed_out = 0;
    int64_t version = -1, schema = -1;
    if (read_versions(s, &version, &schema, err, errlen) != 0) return -1;
    char *key = principal_key(p);
    int versions_same = s->have_lists && version == s->loaded_version && schema == s->loaded_schema;
    s->p = *p;
    if (versions_same && s->loaded_key && !strcmp(key, s->loaded_key)) {
        sqlite3_free(key);
        s->bound = 1;
        return 0;
    }
    sqlite3_free(s->loaded_key);
    s->loaded_key = NULL;
    names_clear(&s->readable);
    names_clear(&s->mask_table);
    names_clear(&s->mask_column);
    if (!versions_same) {
        /* the views, the objects and what each view reads depend on the schema, not on p */
        s->have_lists = 0;
        names_clear(&s->views);
        names_clear(&s->objects);
        deps_clear(s);
        if (load_list(s, "SELECT name FROM sqlite_schema WHERE type = 'view'", NULL, &s->views, NULL, err, errlen) != 0 ||
            load_list(s, "SELECT name FROM sqlite_schema WHERE type IN ('table','view')", NULL, &s->objects, NULL, err,
                      errlen) != 0) {
            sqlite3_free(key);
            return -1;
        }
        s->have_lists = 1;
        s->loaded_version = version;
        s->loaded_schema = schema;
    }
    if (!p->owner) {
        char *groups = govern_groups_json(p);
        int rc = load_list(s, govern_readable_sql, groups, &s->readable, NULL, err, errlen);
        if (rc == 0) {
            /* a grant of sqlite_schema opens the schema table itself */
            rc = load_list(s, "SELECT 'sqlite_master' FROM govern_grants WHERE group_name IN (SELECT value FROM json_each(?1))"
                              " AND object IN ('sqlite_master','sqlite_schema') LIMIT 1",
                           groups, &s->readable, NULL, err, errlen);
        }
        if (rc == 0)
            rc = load_list(s, "SELECT table_name, column_name FROM govern_masks"
                              " WHERE unmasked_group NOT IN (SELECT value FROM json_each(?1))",
                           groups, &s->mask_table, &s->mask_column, err, errlen);
        sqlite3_free(groups);
        if (rc != 0) {
            names_clear(&s->readable);
            names_clear(&s->mask_table);
            names_clear(&s->mask_column);
            sqlite3_free(key);
            return -1;
        }
    }
    s->loaded_key = key;
    s->bound = 1;
    return 0;
}

int govern_session_may_read(const govern_session *s, const char *object)
{
    if (!s->bound || !object) return 0;
    if (s->p.owner) return names_has(&s->objects, object) || !strcasecmp(object, "sqlite_master") || !strcasecmp(object, "sqlite_schema");
    return may_read_name(s, object) && !is_harmless_vtab(object);
}

void govern_session_trusted(govern_session *s, int on)
{
    s->trusted = on;
}

const govern_principal *govern_session_principal(const govern_session *s)
{
    return s->bound ? &s->p : NULL;
}

/* ---- a small SQL tokenizer: enough to find CTE names and where one statement ends ---- */

typedef struct tok {
    const char *p;
    size_t n;
    char kind; /* 'i' bare word, 'q' quoted identifier, 's' string, 'p' punctuation, 0 end */
} tok;

static const char *skip_space(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

static const char *next_tok(const char *p, tok *t)
{
    p = skip_space(p);
    t->p = p;
    t->n = 0;
    t->kind = 0;
    if (!*p) return p;
    unsigned char c = (unsigned char)*p;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : (char)c;
        const char *q = p + 1;
        for (;;) {
            if (!*q) break;
            if (*q == close) {
                if (close != ']' && q[1] == close) {
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            q++;
        }
        t->n = (size_t)(q - p);
        t->kind = c == '\'' ? 's' : 'q';
        return q;
    }
    if (isalnum(c) || c == '_' || c == '$' || c >= 0x80) {
        const char *q = p;
        while (*q && (isalnum((unsigned char)*q) || *q == '_' || *q == '$' || (unsigned char)*q >= 0x80)) q++;
        t->n = (size_t)(q - p);
        t->kind = 'i';
        return q;
    }
    t->n = 1;
    t->kind = 'p';
    return p + 1;
}

static int tok_is(const tok *t, const char *word)
{
    return t->kind == 'i' && strlen(word) == t->n && !strncasecmp(t->p, word, t->n);
}

/* The identifier's name without its quotes (doubled quotes undone). */
static void tok_name(const tok *t, char *out, size_t outlen)
{
    size_t o = 0;
    if (t->kind == 'q') {
        char close = t->p[0] == '[' ? ']' : t->p[0];
        for (size_t i = 1; i + 1 < t->n && o + 1 < outlen; i++) {
            out[o++] = t->p[i];
            if (t->p[i] == close && close != ']' && i + 2 < t->n && t->p[i + 1] == close) i++;
        }
    } else {
        for (size_t i = 0; i < t->n && o + 1 < outlen; i++) out[o++] = t->p[i];
    }
    out[o] = '\0';
}

/* Finds names defined as `NAME [(cols)] AS [NOT] [MATERIALIZED] (` (CTEs and WINDOW
 * definitions) that equal a view's name; writes the first into hit. */
static int shadows_view(const govern_session *s, const char *sql, char *hit, size_t hitlen)
{
    size_t n = 0, cap = 64;
    tok *toks = malloc(cap * sizeof *toks);
    const char *p = sql;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            toks = realloc(toks, cap * sizeof *toks);
        }
        p = next_tok(p, &toks[n]);
        if (!toks[n].kind) break;
        n++;
    }
    int found = 0;
    for (size_t i = 0; i + 2 < n && !found; i++) {
        if (toks[i].kind != 'i' && toks[i].kind != 'q') continue;
        size_t j = i + 1;
        if (toks[j].kind == 'p' && toks[j].p[0] == '(') {
            int depth = 0;
            for (; j < n; j++) {
                if (toks[j].kind == 'p' && toks[j].p[0] == '(') depth++;
                if (toks[j].kind == 'p' && toks[j].p[0] == ')' && --depth == 0) break;
            }
            j++;
        }
        if (j >= n || !tok_is(&toks[j], "as")) continue;
        j++;
        if (j < n && tok_is(&toks[j], "not")) j++;
        if (j < n && tok_is(&toks[j], "materialized")) j++;
        if (j >= n || toks[j].kind != 'p' || toks[j].p[0] != '(') continue;
        char name[256];
        tok_name(&toks[i], name, sizeof name);
        if (names_has(&s->views, name)) {
            snprintf(hit, hitlen, "%s", name);
            found = 1;
        }
    }
    free(toks);
    return found;
}

/* ---- deciding the recorded reads ---- */

static const name_list *view_deps(govern_session *s, const char *view)
{
    for (size_t i = 0; i < s->ndeps; i++)
        if (!strcasecmp(s->deps[i].view, view)) return &s->deps[i].tables;
    s->deps = realloc(s->deps, (s->ndeps + 1) * sizeof *s->deps);
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

static int decide_reads(govern_session *s)
{
    if (s->p.owner) return 0;
    name_list reach = {0};
    for (size_t i = 0; i < s->nreads; i++) {
        const char *c = s->reads[i].ctx;
        if (c && names_has(&s->views, c) && !names_has(&reach, c) && may_read_name(s, c)) names_add(&reach, c);
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < s->nreads; i++) {
            read_rec *r = &s->reads[i];
            if (r->ctx && names_has(&reach, r->ctx) && names_has(&s->views, r->table) && !names_has(&reach, r->table)) {
                names_add(&reach, r->table);
                changed = 1;
            }
        }
    }
    int rc = 0;
    for (size_t i = 0; i < s->nreads && rc == 0; i++) {
        read_rec *r = &s->reads[i];
        int is_view_ctx = r->ctx && names_has(&s->views, r->ctx);
        if (is_view_ctx) {
            if (!names_has(&reach, r->ctx)) {
                deny(s, "refused: %s may not read the view %s (no grant to its groups)", s->p.name, r->ctx);
                rc = -1;
            }
            continue;
        }
        if (may_read_name(s, r->table)) continue;
        if (!*r->column) {
            /* a row count of a CTE or subquery (not a stored table) reads nothing stored */
            if (!names_has(&s->objects, r->table) && strcasecmp(r->table, "sqlite_master") &&
                strcasecmp(r->table, "sqlite_temp_master"))
                continue;
            int ok = 0;
            for (size_t v = 0; v < reach.n && !ok; v++) ok = names_has(view_deps(s, reach.v[v]), r->table);
            if (ok) continue;
        }
        deny(s, "refused: %s may not read %s (no grant to its groups)", s->p.name, r->table);
        rc = -1;
    }
    names_free(&reach);
    return rc;
}

/* Skips whitespace, comments and semicolons; returns the first other character. */
static const char *skip_tail(const char *p)
{
    for (;;) {
        p = skip_space(p);
        if (*p == ';') {
            p++;
            continue;
        }
        return p;
    }
}

govern_result govern_prepare(govern_session *s, const char *sql, sqlite3_stmt **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!s->bound) {
        snprintf(err, errlen, "no principal bound to the session");
        return GOVERN_ERROR;
    }
    if (!sql || !*skip_tail(sql)) {
        snprintf(err, errlen, "the query is empty");
        return GOVERN_BAD_SQL;
    }
    char *text = store_rewrite_sql(sql);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return GOVERN_ERROR;
    }
    /* scanned as SQLite will see it (after the rewrite) */
    char hit[256];
    if (!s->p.owner && shadows_view(s, text, hit, sizeof hit)) {
        snprintf(err, errlen, "refused: the name %s is a view's; a WITH (or WINDOW) name may not reuse it", hit);
        free(text);
        return GOVERN_DENIED;
    }
    reads_clear(s);
    s->denied = 0;
    s->soft = 0;
    s->reason[0] = '\0';
    s->timed_out = 0;
    s->phase = PHASE_PREPARE;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(s->db, text, -1, 0, &st, &tail);
    govern_result res = GOVERN_OK;
    if (rc != SQLITE_OK) {
        if (s->denied) {
            snprintf(err, errlen, "%s", s->reason);
            res = GOVERN_DENIED;
        } else {
            int off = sqlite3_error_offset(s->db);
            if (off >= 0)
                snprintf(err, errlen, "%s (at character %d)", sqlite3_errmsg(s->db), off + 1);
            else
                snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
            res = GOVERN_BAD_SQL;
        }
    } else if (!st) {
        snprintf(err, errlen, "the query is empty");
        res = GOVERN_BAD_SQL;
    } else if (*skip_tail(tail)) {
        snprintf(err, errlen, "one statement at a time (extra text starts at '%.30s')", skip_tail(tail));
        res = GOVERN_BAD_SQL;
    } else if (s->denied || decide_reads(s) != 0) {
        snprintf(err, errlen, "%s", s->reason);
        res = GOVERN_DENIED;
    } else if (!sqlite3_stmt_readonly(st)) {
        snprintf(err, errlen, "refused: read-only access, the statement would write");
        res = GOVERN_DENIED;
    }
    s->phase = PHASE_IDLE;
    reads_clear(s);
    free(text);
    if (res != GOVERN_OK) {
        sqlite3_finalize(st);
        return res;
    }
    *out = st;
    return GOVERN_OK;
}

void govern_session_deadline(govern_session *s, int64_t timeout_ms)
{
    s->timed_out = 0;
    s->deadline_ns = timeout_ms > 0 ? now_ns() + timeout_ms * 1000000 : 0;
}

int govern_session_timed_out(const govern_session *s)
{
    return s->timed_out;
}

govern_result govern_step_result(govern_session *s, int rc, char *err, size_t errlen)
{
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return GOVERN_OK;
    if (s->timed_out || rc == SQLITE_INTERRUPT) {
        snprintf(err, errlen, "stopped: the query ran past its time limit");
        return GOVERN_TIMEOUT;
    }
    if (rc == SQLITE_AUTH) {
        snprintf(err, errlen, "%s", s->reason[0] ? s->reason : "refused");
        return GOVERN_DENIED;
    }
    snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
    return GOVERN_ERROR;
}

void govern_session_free(govern_session *s)
{
    if (!s) return;
    sqlite3_finalize(s->version_st);
    sqlite3_free(s->loaded_key);
    if (s->db) {
        sqlite3_set_authorizer(s->db, NULL, NULL);
        sqlite3_progress_handler(s->db, 0, NULL, NULL);
        /* the functions keep s as user data: put back the owner's versions (store/sqlfuncs.c) */
        store_register_functions(s->db);
    }
    reads_clear(s);
    free(s->reads);
    names_free(&s->readable);
    names_free(&s->views);
    names_free(&s->objects);
    names_free(&s->mask_table);
    names_free(&s->mask_column);
    deps_clear(s);
    free(s);
}
