/* explain's warnings (explain.h, explain_int.h): the schema's facts (indexes, declared types,
 * widths, row counts) set against the query's reading, each finding a warning and the first that
 * can be rewritten the suggested rewrite. */
#include "ask/explain_int.h"

/* Plan lines and messages are cut to their buffers on purpose (gcc's warning; clang has none). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------- schema facts ---------- */

/* 1 when col of table is the first column of an index, or its INTEGER PRIMARY KEY. */
static int col_indexed(sqlite3 *db, const char *table, const char *col)
{
    int found = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE AND pk = 1 AND upper(type) = 'INTEGER'"
                               " AND (SELECT COUNT(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1"
                               " UNION ALL SELECT 1 FROM pragma_index_list(?1) l, pragma_index_info(l.name) i"
                               " WHERE i.seqno = 0 AND i.name = ?2 COLLATE NOCASE",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found && (!strcasecmp(col, "rowid") || !strcasecmp(col, "_rowid_") || !strcasecmp(col, "oid"))) found = 1;
    return found;
}

/* Declared type affinity letter: 'i' integer, 'r' real, 't' text, 'b' blob/none, 0 unknown. */
static char col_affinity(sqlite3 *db, const char *table, const char *col)
{
    sqlite3_stmt *st;
    char a = 0;
    if (sqlite3_prepare_v2(db, "SELECT upper(type) FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        t = t ? t : "";
        if (strstr(t, "INT")) a = 'i';
        else if (strstr(t, "CHAR") || strstr(t, "CLOB") || strstr(t, "TEXT")) a = 't';
        else if (strstr(t, "REAL") || strstr(t, "FLOA") || strstr(t, "DOUB")) a = 'r';
        else a = 'b';
    }
    sqlite3_finalize(st);
    return a;
}

static int col_count(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int has_column(sqlite3 *db, const char *table, const char *col)
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
    n = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return n;
}

static long long row_count(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    long long n = -1;
    /* only real tables: a view's count could be as slow as the query */
    if (sqlite3_prepare_v2(db, "SELECT type FROM sqlite_schema WHERE name = ?1", -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    int is_table = sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "table");
    sqlite3_finalize(st);
    if (!is_table) return -1;
    char *q = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\"", table);
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(q);
    return n;
}

/* Columns that hold the same value as another, indexed one: a generated copy. */
static const struct { const char *table, *col, *indexed; } equivalents[] = {
    {"gdelt_silver", "EventID", "GLOBALEVENTID"},
};

/* The known join keys between two tables (the lineage columns), first the best. */
static const struct { const char *a, *ca, *b, *cb; } join_keys[] = {
    {"correlated_gold_events", "EventID", "gdelt_silver", "GLOBALEVENTID"},
    {"correlated_gold_events", "gdelt_silver_id", "gdelt_silver", "silver_id"},
    {"correlated_gold_events", "title", "wikimedia_silver", "title"},
    {"correlated_gold_events", "wiki_silver_id", "wikimedia_silver", "silver_id"},
    {"correlated_gold_events", "gdelt_silver_id", "gold_events", "gdelt_silver_id"},
    {"gold_events", "gdelt_silver_id", "gdelt_silver", "silver_id"},
    {"gold_events", "EventID", "gdelt_silver", "GLOBALEVENTID"},
    {"breaking_news_bursts", "title", "wikimedia_silver", "title"},
    {"breaking_news_bursts", "title", "correlated_gold_events", "title"},
    {"gdelt_silver", "bronze_id", "gdelt_bronze", "bronze_id"},
    {"wikimedia_silver", "bronze_id", "wikimedia_bronze", "bronze_id"},
};

/* ---------- the report ---------- */

static void warn(explain_report *r, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(explain_report *r, const char *kind, const char *fmt, ...)
{
    if (r->nwarn >= EXPLAIN_MAX_WARN) return;
    explain_warning *w = &r->warn[r->nwarn++];
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

static char *insert_at(const char *sql, size_t pos, const char *ins)
{
    size_t n = strlen(sql), m = strlen(ins);
    char *o = malloc(n + m + 1);
    if (!o) return NULL;
    memcpy(o, sql, pos);
    memcpy(o + pos, ins, m);
    memcpy(o + pos + m, sql + pos, n - pos + 1);
    return o;
}

static char *replace_span(const char *sql, size_t s, size_t e, const char *ins)
{
    size_t n = strlen(sql), m = strlen(ins);
    char *o = malloc(n - (e - s) + m + 1);
    if (!o) return NULL;
    memcpy(o, sql, s);
    memcpy(o + s, ins, m);
    memcpy(o + s + m, sql + e, n - e + 1);
    return o;
}

/* Finds "alias.col" (or "col") inside [s, e) of sql; returns its start or -1. */
static long find_colref(const char *sql, size_t s, size_t e, const char *alias, const char *col, size_t *end)
{
    char pat[160];
    snprintf(pat, sizeof pat, "%s.%s", alias, col);
    size_t pl = strlen(pat);
    for (size_t i = s; i + pl <= e; i++)
        if (!strncasecmp(sql + i, pat, pl) && (i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_')) &&
            !(isalnum((unsigned char)sql[i + pl]) || sql[i + pl] == '_')) {
            *end = i + pl;
            return (long)i;
        }
    return -1;
}

/* cross_join: a table with no predicate to the tables before it. */
static void check_cross(sqlite3 *db, const char *sql, qsql *q, explain_report *r)
{
    for (int i = 1; i < q->nt; i++) {
        if (q->t[i].has_on) continue;
        int linked = 0;
        for (int k = 0; k < q->np; k++)
            if ((q->p[k].ta == i && q->p[k].tb < i) || (q->p[k].tb == i && q->p[k].ta < i)) linked = 1;
        if (linked) continue;
        /* a key to one of the earlier tables */
        int other = -1;
        char ca[64] = "", cb[64] = "";
        for (int j = 0; j < i && other < 0; j++)
            for (size_t k = 0; k < sizeof join_keys / sizeof join_keys[0]; k++) {
                if (!strcasecmp(join_keys[k].a, q->t[j].name) && !strcasecmp(join_keys[k].b, q->t[i].name)) {
                    other = j, snprintf(ca, sizeof ca, "%s", join_keys[k].ca), snprintf(cb, sizeof cb, "%s", join_keys[k].cb);
                    break;
                }
                if (!strcasecmp(join_keys[k].b, q->t[j].name) && !strcasecmp(join_keys[k].a, q->t[i].name)) {
                    other = j, snprintf(ca, sizeof ca, "%s", join_keys[k].cb), snprintf(cb, sizeof cb, "%s", join_keys[k].ca);
                    break;
                }
            }
        /* or a column both have, indexed on the new table */
        if (other < 0) {
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(db, "SELECT a.name FROM pragma_table_info(?1) a JOIN pragma_table_info(?2) b ON a.name = b.name COLLATE NOCASE",
                                   -1, &st, NULL) == SQLITE_OK) {
                for (int j = 0; j < i && other < 0; j++) {
                    sqlite3_reset(st);
                    sqlite3_bind_text(st, 1, q->t[j].name, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_text(st, 2, q->t[i].name, -1, SQLITE_TRANSIENT);
                    while (sqlite3_step(st) == SQLITE_ROW) {
                        const char *c = (const char *)sqlite3_column_text(st, 0);
                        if (col_indexed(db, q->t[i].name, c)) {
                            other = j, snprintf(ca, sizeof ca, "%s", c), snprintf(cb, sizeof cb, "%s", c);
                            break;
                        }
                    }
                }
                sqlite3_finalize(st);
            }
        }
        long long ra = q->t[0].rows, rb = q->t[i].rows;
        if (other >= 0) {
            warn(r, "cross_join",
                 "%s (%s) is joined with no predicate to the tables before it: every row of it meets every row of the "
                 "others (a cross product%s%lld x %lld rows before any filter). Join it on %s.%s = %s.%s.",
                 q->t[i].name, q->t[i].alias, ra > 0 && rb > 0 ? ", " : "", ra > 0 ? ra : 0, rb > 0 ? rb : 0,
                 q->t[other].alias, ca, q->t[i].alias, cb);
            if (!r->rewrite) {
                char ins[300];
                if (q->t[i].is_join) {
                    snprintf(ins, sizeof ins, " ON %s.%s = %s.%s", q->t[other].alias, ca, q->t[i].alias, cb);
                    r->rewrite = insert_at(r->sql, q->t[i].item_end, ins);
                } else if (q->where_start) {
                    snprintf(ins, sizeof ins, " %s.%s = %s.%s AND", q->t[other].alias, ca, q->t[i].alias, cb);
                    r->rewrite = insert_at(r->sql, q->where_start, ins);
                } else {
                    snprintf(ins, sizeof ins, " WHERE %s.%s = %s.%s ", q->t[other].alias, ca, q->t[i].alias, cb);
                    r->rewrite = insert_at(r->sql, q->from_end, ins);
                }
                snprintf(r->rewrite_kind, sizeof r->rewrite_kind, "cross_join");
                snprintf(r->rewrite_note, sizeof r->rewrite_note,
                         "adds the missing join predicate %s.%s = %s.%s (the result changes: the original pairs every row with every row)",
                         q->t[other].alias, ca, q->t[i].alias, cb);
            }
        } else {
            warn(r, "cross_join", "%s (%s) is joined with no predicate to the tables before it (a cross product), and no key "
                 "between them is known: add the ON condition that relates them.", q->t[i].name, q->t[i].alias);
        }
    }
    (void)sql;
}

static void check_joins(sqlite3 *db, qsql *q, explain_report *r)
{
    for (int k = 0; k < q->np; k++) {
        qpred *p = &q->p[k];
        qtable *a = &q->t[p->ta], *b = &q->t[p->tb];
        char fa = col_affinity(db, a->name, p->ca), fb = col_affinity(db, b->name, p->cb);
        if (fa && fb && fa != fb && !((fa == 'i' && fb == 'r') || (fa == 'r' && fb == 'i'))) {
            warn(r, "join_type_mismatch",
                 "%s.%s (%s) is compared with %s.%s (%s): different declared types, so each comparison converts a value "
                 "and an index on either column cannot be used for the join. Store both as the same type, or CAST the "
                 "other side once in a subquery.",
                 a->alias, p->ca, fa == 'i' ? "INTEGER" : fa == 't' ? "TEXT" : fa == 'r' ? "REAL" : "untyped", b->alias, p->cb,
                 fb == 'i' ? "INTEGER" : fb == 't' ? "TEXT" : fb == 'r' ? "REAL" : "untyped");
            continue;
        }
        int ia = col_indexed(db, a->name, p->ca), ib = col_indexed(db, b->name, p->cb);
        if (ia && ib) continue;
        /* the unindexed side: an equivalent indexed column? */
        for (int side = 0; side < 2; side++) {
            qtable *t = side ? b : a;
            const char *col = side ? p->cb : p->ca;
            if (side ? ib : ia) continue;
            for (size_t e = 0; e < sizeof equivalents / sizeof equivalents[0]; e++)
                if (!strcasecmp(t->name, equivalents[e].table) && !strcasecmp(col, equivalents[e].col)) {
                    warn(r, "join_unindexed",
                         "the join reads %s.%s, which has no index (%s is a generated copy of %s, which has one): "
                         "SQLite builds a temporary index or scans %s for this join. Join on %s.%s instead.",
                         t->alias, col, equivalents[e].col, equivalents[e].indexed, t->name, t->alias, equivalents[e].indexed);
                    if (!r->rewrite) {
                        char *base = r->sql;
                        size_t end;
                        long at = find_colref(base, 0, strlen(base), t->alias, col, &end);
                        if (at >= 0) {
                            char rep[160];
                            snprintf(rep, sizeof rep, "%s.%s", t->alias, equivalents[e].indexed);
                            r->rewrite = replace_span(base, (size_t)at, end, rep);
                            snprintf(r->rewrite_kind, sizeof r->rewrite_kind, "join_unindexed");
                            snprintf(r->rewrite_note, sizeof r->rewrite_note, "joins on the indexed %s.%s (same values as %s)",
                                     t->name, equivalents[e].indexed, col);
                        }
                    }
                    goto next;
                }
        }
        if (!ia && !ib) {
            warn(r, "join_unindexed",
                 "neither %s.%s nor %s.%s has an index: SQLite builds a temporary index (or scans) for every run of "
                 "this join. An index such as CREATE INDEX %s_%s ON %s(%s) would serve it.",
                 a->alias, p->ca, b->alias, p->cb, b->name, p->cb, b->name, p->cb);
        }
    next:;
    }
}

/* Functions around indexed columns in WHERE, and what to write instead. */
/* The WHERE clause's body copied into sub and split into ts; -1 when it is longer than sub. */
static int lex_where(const char *sql, const qsql *q, char sub[8192], stok ts[512])
{
    size_t wl = q->where_end - q->where_start;
    if (wl >= 8192) return -1;
    memcpy(sub, sql + q->where_start, wl);
    sub[wl] = '\0';
    return explain_lex(sub, ts, 512);
}

static void check_functions(sqlite3 *db, qsql *q, explain_report *r)
{
    if (!q->where_start) return;
    stok ts[512];
    char sub[8192];
    int n = lex_where(r->sql, q, sub, ts);
    if (n < 0) return;
    for (int i = 0; i + 3 < n; i++) {
        if (ts[i].kind != 'w' || sub[ts[i + 1].s] != '(') continue;
        char fn[32];
        explain_tok_text(sub, &ts[i], fn, sizeof fn);
        static const char *const fns[] = {"date", "substr", "substring", "strftime", "lower", "upper", "date_trunc", "datetime", "trim", "cast", "abs", "round"};
        int known = 0;
        for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++)
            if (!strcasecmp(fn, fns[f])) known = 1;
        if (!known) continue;
        /* the column inside: the first [alias.]word that is a column of a query table */
        int close = -1;
        for (int k = i + 2; k < n; k++)
            if (ts[k].depth == ts[i + 1].depth && sub[ts[k].s] == ')') { close = k; break; }
        if (close < 0) continue;
        int ti = -1;
        char col[64] = "";
        for (int k = i + 2; k < close && ti < 0; k++) {
            if (ts[k].kind != 'w' && ts[k].kind != 'q') continue;
            char w[64];
            explain_tok_text(sub, &ts[k], w, sizeof w);
            if (k + 2 < close && sub[ts[k + 1].s] == '.') {
                int x = explain_table_index(q, w);
                char c2[64];
                explain_tok_text(sub, &ts[k + 2], c2, sizeof c2);
                if (x >= 0 && has_column(db, q->t[x].name, c2)) ti = x, snprintf(col, sizeof col, "%s", c2);
                k += 2;
            } else if (q->nt == 1 && has_column(db, q->t[0].name, w)) {
                ti = 0, snprintf(col, sizeof col, "%s", w);
            }
        }
        if (ti < 0 || !col_indexed(db, q->t[ti].name, col)) continue;
        /* what follows: = 'literal' */
        char lit[64] = "";
        int has_lit = close + 2 < n && sub[ts[close + 1].s] == '=' && ts[close + 2].kind == 's';
        if (has_lit) explain_tok_text(sub, &ts[close + 2], lit, sizeof lit);
        char inner[64] = "";
        if (has_lit && strlen(lit) >= 2) snprintf(inner, sizeof inner, "%.*s", (int)strlen(lit) - 2, lit + 1);
        char lo[80] = "", hi[80] = "";
        int ok = 0;
        if (has_lit && (!strcasecmp(fn, "date") || !strcasecmp(fn, "date_trunc") ||
                        (!strcasecmp(fn, "strftime") && strstr(sub + ts[i].s, "'%Y-%m-%d'") == sub + ts[i + 2].s))) {
            int y, m, d;
            if (sscanf(inner, "%4d-%2d-%2d", &y, &m, &d) == 3) {
                struct tm tm = {0};
                tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d + 1, tm.tm_hour = 12;
                time_t t = timegm(&tm);
                struct tm nx;
                gmtime_r(&t, &nx);
                snprintf(lo, sizeof lo, "%.10s", inner);
                strftime(hi, sizeof hi, "%Y-%m-%d", &nx);
                ok = 1;
            }
        } else if (has_lit && (!strcasecmp(fn, "substr") || !strcasecmp(fn, "substring")) && close - i >= 6) {
            /* substr(col, 1, n) = 'prefix' -> col >= 'prefix' AND col < 'prefiy' */
            char one[8];
            explain_tok_text(sub, &ts[close - 3], one, sizeof one);
            if (!strcmp(one, "1") && inner[0] && (unsigned char)inner[strlen(inner) - 1] < 0x7f) {
                snprintf(lo, sizeof lo, "%s", inner);
                snprintf(hi, sizeof hi, "%s", inner);
                hi[strlen(hi) - 1]++;
                ok = 1;
            }
        }
        char colref[140];
        snprintf(colref, sizeof colref, "%s%s%s", q->nt > 1 || strchr(sub + ts[i].s, '.') ? q->t[ti].alias : "",
                 q->nt > 1 || strchr(sub + ts[i].s, '.') ? "." : "", col);
        if (ok) {
            warn(r, "function_on_index",
                 "%s(...) around %s.%s hides the column from its index, so every row is read and the function called on "
                 "each. Compare the column itself: %s >= '%s' AND %s < '%s'.",
                 fn, q->t[ti].name, col, colref, lo, colref, hi);
            if (!r->rewrite) {
                char rep[400];
                snprintf(rep, sizeof rep, "%s >= '%s' AND %s < '%s'", colref, lo, colref, hi);
                r->rewrite = replace_span(r->sql, q->where_start + ts[i].s, q->where_start + ts[close + 2].e, rep);
                snprintf(r->rewrite_kind, sizeof r->rewrite_kind, "function_on_index");
                snprintf(r->rewrite_note, sizeof r->rewrite_note, "compares %s as stored, so its index serves the range", col);
            }
        } else {
            warn(r, "function_on_index",
                 "%s(...) around %s.%s hides the column from its index, so every row is read. Compare the column itself "
                 "(a range for dates and prefixes), or index the expression.", fn, q->t[ti].name, col);
        }
    }
}

/* Plain full scans of large tables under a WHERE. */
static void check_scans(sqlite3 *db, qsql *q, explain_report *r, long long large, char scans[][64], int nscans)
{
    if (!q->where_start) return;
    for (int s = 0; s < nscans; s++) {
        int ti = explain_table_index(q, scans[s]);
        if (ti < 0 || q->t[ti].rows < large) continue;
        int already = 0;
        for (int w = 0; w < r->nwarn; w++)
            if (strstr(r->warn[w].message, q->t[ti].name) &&
                (!strcmp(r->warn[w].kind, "function_on_index") || !strcmp(r->warn[w].kind, "cross_join") ||
                 !strcmp(r->warn[w].kind, "join_unindexed")))
                already = 1;
        if (already) continue;
        /* the WHERE's columns of this table */
        stok ts[512];
        char sub[8192];
        int n = lex_where(r->sql, q, sub, ts);
        if (n < 0) continue;
        for (int i = 0; i < n; i++) {
            if (ts[i].kind != 'w' && ts[i].kind != 'q') continue;
            char w[64], col[64] = "";
            explain_tok_text(sub, &ts[i], w, sizeof w);
            if (i + 2 < n && sub[ts[i + 1].s] == '.') {
                if (explain_table_index(q, w) != ti) { i += 2; continue; }
                explain_tok_text(sub, &ts[i + 2], col, sizeof col);
                i += 2;
            } else if (q->nt == 1) {
                snprintf(col, sizeof col, "%s", w);
            }
            if (!col[0] || !has_column(db, q->t[ti].name, col)) continue;
            /* compared with a constant right after? */
            int cmp = i + 1 < n && ts[i + 1].kind == 'p' && strchr("=<>", sub[ts[i + 1].s]);
            if (!cmp) continue;
            if (col_indexed(db, q->t[ti].name, col)) {
                warn(r, "full_scan", "%s (%lld rows) is read in full although %s has an index: the condition's form keeps "
                     "the index out (a function, an OR, a type conversion or a leading wildcard).",
                     q->t[ti].name, q->t[ti].rows, col);
            } else {
                warn(r, "full_scan", "%s (%lld rows) is read in full to filter on %s, which has no index. An index would "
                     "serve it: CREATE INDEX %s_%s ON %s(%s) (the store is read-only here: this is a suggestion for its owner).",
                     q->t[ti].name, q->t[ti].rows, col, q->t[ti].name, col, q->t[ti].name, col);
            }
            break;
        }
    }
}

/* Default narrow column lists for SELECT * of the wide tables. */
static const struct { const char *table, *cols; } narrow[] = {
    {"gdelt_silver", "GLOBALEVENTID, event_time, Actor1Name, Actor2Name, EventCode, event_description, ActionGeo_FullName, "
                     "ActionGeo_CountryCode, NumMentions, AvgTone, GoldsteinScale, SOURCEURL"},
    {"wikimedia_silver", "event_time, wiki, title, type, bot, user, comment"},
    {"gold_events", "EventID, event_time, EventCode, event_description, ActionGeo_CountryCode, best_wiki, best_title, best_cosine_sim, status"},
    {"correlated_gold_events", "EventID, event_time, wiki, title, cosine_sim, EventCode, ActionGeo_CountryCode"},
};

static void check_star(sqlite3 *db, qsql *q, explain_report *r)
{
    if (!q->select_star || q->nt != 1) return;
    int nc = col_count(db, q->t[0].name);
    if (nc <= 20) return;
    const char *cols = NULL;
    for (size_t i = 0; i < sizeof narrow / sizeof narrow[0]; i++)
        if (!strcasecmp(narrow[i].table, q->t[0].name)) cols = narrow[i].cols;
    warn(r, "select_star_wide", "SELECT * reads and returns all %d columns of %s for every row; name the columns the "
         "answer needs%s%s.", nc, q->t[0].name, cols ? ", for example: " : "", cols ? cols : "");
    if (!r->rewrite && cols) {
        const char *star = strchr(r->sql, '*');
        if (star) {
            r->rewrite = replace_span(r->sql, (size_t)(star - r->sql), (size_t)(star - r->sql) + 1, cols);
            snprintf(r->rewrite_kind, sizeof r->rewrite_kind, "select_star_wide");
            snprintf(r->rewrite_note, sizeof r->rewrite_note, "returns %s's main columns only (the rows are the same, narrower)", q->t[0].name);
        }
    }
}

void explain_check(sqlite3 *meta, qsql *q, explain_report *r, long long large, char scans[][64], int nscans)
{
    for (int i = 0; i < q->nt; i++) q->t[i].rows = row_count(meta, q->t[i].name);
    check_cross(meta, r->sql, q, r);
    check_joins(meta, q, r);
    check_functions(meta, q, r);
    check_scans(meta, q, r, large, scans, nscans);
    check_star(meta, q, r);
}
