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
#include "govern/session_int.h"

#include "core/grow.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void govern_names_add(name_list *l, const char *s)
{
    if (grow_array(&l->v, &l->cap, l->n, sizeof *l->v, 16)) return;
    char *d = strdup(s ? s : "");
    if (d) l->v[l->n++] = d;
}

void govern_names_clear(name_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    l->n = 0;
}

void govern_names_free(name_list *l)
{
    govern_names_clear(l);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
}

int govern_names_has(const name_list *l, const char *s)
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
        govern_names_free(&s->deps[i].tables);
    }
    free(s->deps);
    s->deps = NULL;
    s->ndeps = 0;
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
        store_fail(db, err, errlen, "cannot register current_user()/is_member()");
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
    sqlite3_set_authorizer(db, govern_authorizer, s);
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
        store_fail(s->db, err, errlen, "reading the grants");
        return -1;
    }
    if (param) sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        govern_names_add(a, (const char *)sqlite3_column_text(st, 0));
        if (b) govern_names_add(b, (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    govern_internal_depth--;
    if (rc != SQLITE_DONE) {
        store_fail(s->db, err, errlen, "reading the grants");
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
        store_fail(s->db, err, errlen, "reading the grants' version");
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
    govern_names_clear(&s->readable);
    govern_names_clear(&s->mask_table);
    govern_names_clear(&s->mask_column);
    if (!versions_same) {
        /* the views, the objects and what each view reads depend on the schema, not on p */
        s->have_lists = 0;
        govern_names_clear(&s->views);
        govern_names_clear(&s->objects);
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
            govern_names_clear(&s->readable);
            govern_names_clear(&s->mask_table);
            govern_names_clear(&s->mask_column);
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
    if (s->p.owner) return govern_names_has(&s->objects, object) || !strcasecmp(object, "sqlite_master") || !strcasecmp(object, "sqlite_schema");
    return govern_may_read_name(s, object) && !govern_is_harmless_vtab(object);
}

void govern_session_trusted(govern_session *s, int on)
{
    s->trusted = on;
}

const govern_principal *govern_session_principal(const govern_session *s)
{
    return s->bound ? &s->p : NULL;
}

govern_result govern_prepare(govern_session *s, const char *sql, sqlite3_stmt **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!s->bound) {
        snprintf(err, errlen, "no principal bound to the session");
        return GOVERN_ERROR;
    }
    if (!sql || !*govern_skip_tail(sql)) {
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
    if (!s->p.owner && govern_shadows_view(s, text, hit, sizeof hit)) {
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
            store_fail_at(s->db, err, errlen, "the SQL does not parse");
            res = GOVERN_BAD_SQL;
        }
    } else if (!st) {
        snprintf(err, errlen, "the query is empty");
        res = GOVERN_BAD_SQL;
    } else if (*govern_skip_tail(tail)) {
        snprintf(err, errlen, "one statement at a time (extra text starts at '%.30s')", govern_skip_tail(tail));
        res = GOVERN_BAD_SQL;
    } else if (s->denied || govern_decide_reads(s) != 0) {
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
    store_fail(s->db, err, errlen, "running the query");
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
    govern_names_free(&s->readable);
    govern_names_free(&s->views);
    govern_names_free(&s->objects);
    govern_names_free(&s->mask_table);
    govern_names_free(&s->mask_column);
    deps_clear(s);
    free(s);
}
