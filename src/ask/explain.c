/* explain (explain.h): EXPLAIN QUERY PLAN in words, a light reading of the query's FROM/JOIN/ON/
 * WHERE at its top level (tables, aliases, equality predicates, functions around columns), the
 * schema's indexes and declared types, and from those the warnings and one suggested rewrite
 * (explain_query.c reads the query, explain_checks.c warns; this file: the plan, runs and output). */
#include "ask/explain_int.h"
#include "core/settings.h"

/* Plan lines and messages are cut to their buffers on purpose (gcc's warning; clang has none). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include "govern/govern.h"
#include "store/store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------- the plan in words ---------- */

static void plan_words(const char *d, char *out, size_t cap)
{
    char t[200];
    if (!strncmp(d, "SCAN ", 5)) {
        const char *rest = d + 5;
        const char *u = strstr(rest, " USING ");
        size_t tl = u ? (size_t)(u - rest) : strlen(rest);
        snprintf(t, sizeof t, "%.*s", (int)tl, rest);
        if (u && strstr(u, "COVERING INDEX")) snprintf(out, cap, "reads %s through %s alone (the index covers every column needed)", t, strstr(u, "INDEX ") + 6);
        else if (u && strstr(u, "INDEX")) snprintf(out, cap, "reads all of %s in the order of %s", t, strstr(u, "INDEX ") + 6);
        else snprintf(out, cap, "reads every row of %s (full scan)", t);
    } else if (!strncmp(d, "SEARCH ", 7)) {
        const char *rest = d + 7;
        const char *u = strstr(rest, " USING ");
        size_t tl = u ? (size_t)(u - rest) : strlen(rest);
        snprintf(t, sizeof t, "%.*s", (int)tl, rest);
        if (u && strstr(u, "AUTOMATIC"))
            snprintf(out, cap, "builds a temporary index on %s for this query (no permanent index serves it) and looks rows up in it: %s", t, u + 7);
        else if (u && strstr(u, "PRIMARY KEY"))
            snprintf(out, cap, "looks %s up by its row id", t);
        else if (u)
            snprintf(out, cap, "looks %s up through %s", t, strstr(u, "INDEX ") ? strstr(u, "INDEX ") + 6 : u + 7);
        else
            snprintf(out, cap, "looks %s up", t);
    } else if (strstr(d, "TEMP B-TREE FOR GROUP BY")) snprintf(out, cap, "sorts the rows in a temporary b-tree to group them");
    else if (strstr(d, "TEMP B-TREE FOR ORDER BY")) snprintf(out, cap, "sorts the result in a temporary b-tree (no index gives the order)");
    else if (strstr(d, "TEMP B-TREE FOR DISTINCT")) snprintf(out, cap, "removes duplicates through a temporary b-tree");
    else if (!strncmp(d, "CO-ROUTINE", 10)) snprintf(out, cap, "computes the subquery %s row by row as it is needed", d + 11);
    else if (!strncmp(d, "MATERIALIZE", 11)) snprintf(out, cap, "computes the subquery %s once into a temporary table", d + 12);
    else if (strstr(d, "CORRELATED SCALAR SUBQUERY")) snprintf(out, cap, "runs a subquery again for every row (correlated)");
    else if (strstr(d, "SCALAR SUBQUERY")) snprintf(out, cap, "runs a subquery once");
    else if (strstr(d, "LIST SUBQUERY")) snprintf(out, cap, "builds the IN (...) list once");
    else if (strstr(d, "COMPOUND QUERY")) snprintf(out, cap, "combines several SELECTs");
    else if (strstr(d, "BLOOM FILTER")) snprintf(out, cap, "filters through a Bloom filter first: %s", d);
    else snprintf(out, cap, "%s", d);
}


/* ---------- running ---------- */

typedef struct runstat {
    double ms;
    long long rows;
    uint64_t hash;
    int timed_out;
    int error;
    char errmsg[WG_ERR_LEN];
} runstat;

static int progress_stop(void *ud)
{
    const double *deadline = ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 > *deadline;
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

/* Runs sql to the end; rows are hashed as a multiset (order-free). */
static void run_once(sqlite3 *db, govern_session *gs, const char *sql, double timeout_ms, runstat *rs)
{
    memset(rs, 0, sizeof *rs);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    double deadline = a.tv_sec * 1e3 + a.tv_nsec / 1e6 + timeout_ms;
    sqlite3_progress_handler(db, 10000, progress_stop, &deadline);
    sqlite3_stmt *st = NULL;
    if (gs) {
        /* the session's own deadline stands in for the progress handler */
        sqlite3_progress_handler(db, 0, NULL, NULL);
        char e[WG_ERR_LEN] = "";
        if (govern_prepare(gs, sql, &st, e, sizeof e) != GOVERN_OK) {
            rs->error = 1;
            snprintf(rs->errmsg, sizeof rs->errmsg, "%s", e);
            return;
        }
        govern_session_deadline(gs, (int64_t)timeout_ms);
    } else if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        rs->error = 1;
        store_fail_at(db, rs->errmsg, sizeof rs->errmsg, "the SQL does not parse");
        sqlite3_progress_handler(db, 0, NULL, NULL);
        return;
    }
    int rc, nc = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t h = 1469598103934665603ULL;
        for (int c = 0; c < nc; c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            int n = sqlite3_column_bytes(st, c);
            h = fnv(v ? (const void *)v : "\x01NULL", v ? (size_t)n : 5, h);
            h = fnv("\x1f", 1, h);
        }
        rs->hash += h * 0x9E3779B97F4A7C15ULL + (h >> 29);
        rs->rows++;
    }
    if (rc == SQLITE_INTERRUPT || (gs && govern_session_timed_out(gs))) rs->timed_out = 1;
    else if (rc != SQLITE_DONE) rs->error = 1, store_fail(db, rs->errmsg, sizeof rs->errmsg, "running the query");
    sqlite3_finalize(st);
    if (gs) govern_session_deadline(gs, 0);
    else sqlite3_progress_handler(db, 0, NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    rs->ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static char *rewrite_dbx(const char *sql)
{
    /* CURRENT_DATE() -> CURRENT_DATE, as `sql` accepts */
    size_t n = strlen(sql);
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if ((!strncasecmp(sql + i, "current_date()", 14) || !strncasecmp(sql + i, "current_timestamp()", 19))) {
            size_t k = sql[i + 8] == '_' && (sql[i + 9] == 'd' || sql[i + 9] == 'D') ? 12 : 17;
            memcpy(o + w, sql + i, k);
            w += k;
            i += k + 1;
            continue;
        }
        o[w++] = sql[i];
    }
    o[w] = '\0';
    return o;
}

int explain_sql(sqlite3 *db, sqlite3 *meta, govern_session *gs, const config *cfg, const char *sql, int run,
                explain_report *r, char *err, size_t errlen)
{
    if (!meta) meta = db;
    memset(r, 0, sizeof *r);
    r->same_rows = -1;
    if (!sql || strlen(sql) > 60000) {
        snprintf(err, errlen, "the query is empty or longer than 60000 bytes");
        return -1;
    }
    r->sql = rewrite_dbx(sql);
    if (!r->sql) return -1;
    /* the asker's rights first: what they may not run, they may not see the plan of */
    sqlite3_stmt *st;
    if (gs) {
        govern_result g = govern_prepare(gs, r->sql, &st, err, errlen);
        if (g == GOVERN_DENIED) return 1;
        if (g != GOVERN_OK) return -1;
        sqlite3_finalize(st);
    }
    /* one read-only statement */
    const char *tail = NULL;
    /* the plan comes from meta: under a principal the query was decided above, and the governed
       connection answers only through govern_prepare */
    if (sqlite3_prepare_v2(meta, r->sql, -1, &st, &tail) != SQLITE_OK || !st) {
        if (st || sqlite3_errcode(meta) != SQLITE_OK) store_fail_at(meta, err, errlen, "the SQL does not parse");
        else snprintf(err, errlen, "empty query");
        sqlite3_finalize(st);
        return -1;
    }
    int ro = sqlite3_stmt_readonly(st);
    sqlite3_finalize(st);
    while (tail && *tail && (isspace((unsigned char)*tail) || *tail == ';')) tail++;
    if (tail && *tail) {
        snprintf(err, errlen, "one statement at a time (extra text starts at '%.30s')", tail);
        return -1;
    }
    if (!ro) {
        snprintf(err, errlen, "the statement writes; explain reads only");
        return -1;
    }
    char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", r->sql);
    int ids[EXPLAIN_MAX_PLAN], depth[EXPLAIN_MAX_PLAN];
    char scans[EXPLAIN_MAX_PLAN][64];
    int nscans = 0;
    if (sqlite3_prepare_v2(meta, eqp, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW && r->nplan < EXPLAIN_MAX_PLAN) {
            int id = sqlite3_column_int(st, 0), parent = sqlite3_column_int(st, 1);
            const char *d = (const char *)sqlite3_column_text(st, 3);
            int dep = 0;
            for (int k = 0; k < r->nplan; k++)
                if (ids[k] == parent) dep = depth[k] + 1;
            ids[r->nplan] = id, depth[r->nplan] = dep;
            char words[220];
            plan_words(d ? d : "", words, sizeof words);
            snprintf(r->plan[r->nplan], sizeof r->plan[0], "%*s- %s", dep * 2, "", words);
            if (d && !strncmp(d, "SCAN ", 5) && !strstr(d, "USING")) {
                snprintf(scans[nscans], sizeof scans[0], "%.*s", (int)strcspn(d + 5, " "), d + 5);
                nscans++;
            }
            r->nplan++;
        }
    }
    sqlite3_finalize(st);
    sqlite3_free(eqp);

    qsql q;
    explain_read_query(r->sql, &q);
    long long large = setting_int(cfg, "explain.large_rows");
    explain_check(meta, &q, r, large, scans, nscans);

    if (run) {
        double timeout = (double)setting_int(cfg, "explain.timeout_ms");
        runstat a1, b1;
        run_once(db, gs, r->sql, timeout, &a1);
        if (a1.error) {
            snprintf(err, errlen, "running the query: %s", a1.errmsg);
            return -1;
        }
        r->ran = 1;
        r->before_ms = a1.ms, r->before_rows = a1.rows, r->before_timed_out = a1.timed_out;
        if (r->rewrite) {
            run_once(db, gs, r->rewrite, timeout, &b1);
            if (b1.error) {
                snprintf(r->run_note, sizeof r->run_note, "the rewrite failed: %s", b1.errmsg);
            } else {
                /* a second round when both are quick, keeping the faster of each */
                if (!a1.timed_out && a1.ms < 2000 && b1.ms < 2000) {
                    runstat a2, b2;
                    run_once(db, gs, r->sql, timeout, &a2);
                    run_once(db, gs, r->rewrite, timeout, &b2);
                    if (a2.ms < a1.ms) a1.ms = a2.ms;
                    if (b2.ms < b1.ms) b1.ms = b2.ms;
                }
                r->before_ms = a1.ms;
                r->after_ms = b1.ms, r->after_rows = b1.rows;
                /* narrowed columns: the same rows have other hashes; compare the count */
                if (!strcmp(r->rewrite_kind, "select_star_wide")) r->same_rows = a1.timed_out ? -1 : a1.rows == b1.rows;
                else r->same_rows = a1.timed_out ? -1 : (a1.rows == b1.rows && a1.hash == b1.hash);
                if (a1.timed_out)
                    snprintf(r->run_note, sizeof r->run_note, "the original was stopped after %.0f ms (explain.timeout_ms)", a1.ms);
            }
        }
    }
    return 0;
}

void explain_text(const explain_report *r, buf *out)
{
    buf_append_str(out, "plan:\n");
    for (int i = 0; i < r->nplan; i++) buf_appendf(out, "  %s\n", r->plan[i]);
    if (!r->nwarn) buf_append_str(out, "warnings: none\n");
    else {
        buf_append_str(out, "warnings:\n");
        for (int i = 0; i < r->nwarn; i++) buf_appendf(out, "  [%s] %s\n", r->warn[i].kind, r->warn[i].message);
    }
    if (r->rewrite) buf_appendf(out, "suggested rewrite (%s):\n  %s\n", r->rewrite_note, r->rewrite);
    if (r->ran) {
        buf_appendf(out, "run: original %.1f ms, %lld rows%s\n", r->before_ms, r->before_rows, r->before_timed_out ? " (stopped)" : "");
        if (r->rewrite && !r->run_note[0])
            buf_appendf(out, "     rewrite  %.1f ms, %lld rows: %s; %.0f%% %s\n", r->after_ms, r->after_rows,
                        r->same_rows == 1 ? (strcmp(r->rewrite_kind, "select_star_wide") ? "same rows" : "same rows, fewer columns") : "different rows", r->before_ms > 0 ? 100.0 * (r->before_ms - r->after_ms) / r->before_ms : 0,
                        r->after_ms <= r->before_ms ? "less time" : "MORE time");
        else if (r->rewrite)
            buf_appendf(out, "     rewrite  %.1f ms, %lld rows (%s)\n", r->after_ms, r->after_rows, r->run_note);
    }
}

json_t *explain_json(const explain_report *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "sql", json_string(r->sql ? r->sql : ""));
    json_t *plan = json_array();
    for (int i = 0; i < r->nplan; i++) json_array_append_new(plan, json_string(r->plan[i]));
    json_object_set_new(o, "plan", plan);
    json_t *w = json_array();
    for (int i = 0; i < r->nwarn; i++)
        json_array_append_new(w, json_pack("{s:s, s:s}", "kind", r->warn[i].kind, "message", r->warn[i].message));
    json_object_set_new(o, "warnings", w);
    if (r->rewrite) {
        json_object_set_new(o, "rewrite", json_string(r->rewrite));
        json_object_set_new(o, "rewrite_note", json_string(r->rewrite_note));
        json_object_set_new(o, "rewrite_kind", json_string(r->rewrite_kind));
    }
    if (r->ran) {
        json_object_set_new(o, "before_ms", json_real(r->before_ms));
        json_object_set_new(o, "before_rows", json_integer(r->before_rows));
        json_object_set_new(o, "before_timed_out", json_boolean(r->before_timed_out));
        if (r->rewrite) {
            json_object_set_new(o, "after_ms", json_real(r->after_ms));
            json_object_set_new(o, "after_rows", json_integer(r->after_rows));
            if (r->same_rows >= 0) json_object_set_new(o, "same_rows", json_boolean(r->same_rows));
        }
        if (r->run_note[0]) json_object_set_new(o, "run_note", json_string(r->run_note));
    }
    return o;
}

void explain_free(explain_report *r)
{
    free(r->sql);
    free(r->rewrite);
    r->sql = r->rewrite = NULL;
}
