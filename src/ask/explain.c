/* explain (explain.h): EXPLAIN QUERY PLAN in words, a light reading of the query's FROM/JOIN/ON/
 * WHERE at its top level (tables, aliases, equality predicates, functions around columns), the
 * schema's indexes and declared types, and from those the warnings and one suggested rewrite. */
#include "ask/explain.h"

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

#define MAX_TABLES 8
#define MAX_PREDS 16

typedef struct qtable {
    char name[64];
    char alias[64];
    size_t item_end;    /* byte offset just after "name [AS] alias" */
    int has_on;         /* JOIN ... ON/USING follows */
    int is_join;        /* introduced by JOIN (not the first table, not a comma) */
    long long rows;
} qtable;

typedef struct qpred {
    int ta, tb;         /* table indices */
    char ca[64], cb[64];
} qpred;

typedef struct qsql {
    qtable t[MAX_TABLES];
    int nt;
    qpred p[MAX_PREDS];
    int np;
    size_t where_start, where_end; /* WHERE clause body, 0 when none */
    size_t from_end;               /* end of the FROM clause (WHERE / GROUP / ORDER / LIMIT or end) */
    int select_star;               /* SELECT * at the top level */
} qsql;

/* ---------- a small SQL tokenizer ---------- */

typedef struct stok {
    size_t s, e;
    char kind;   /* 'w' word, 's' string, 'n' number, 'p' punctuation, 'q' quoted identifier */
    int depth;   /* parenthesis depth at the token */
} stok;

static int lex(const char *sql, stok *out, int max)
{
    int n = 0, depth = 0;
    size_t i = 0, len = strlen(sql);
    while (i < len && n < max) {
        unsigned char c = (unsigned char)sql[i];
        if (isspace(c)) { i++; continue; }
        if (c == '-' && sql[i + 1] == '-') { while (i < len && sql[i] != '\n') i++; continue; }
        if (c == '/' && sql[i + 1] == '*') { const char *e = strstr(sql + i + 2, "*/"); i = e ? (size_t)(e - sql) + 2 : len; continue; }
        stok *t = &out[n];
        t->s = i;
        t->depth = depth;
        if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : (char)c;
            i++;
            while (i < len) {
                if (sql[i] == close) {
                    if (close != ']' && sql[i + 1] == close) { i += 2; continue; }
                    i++;
                    break;
                }
                i++;
            }
            t->kind = c == '\'' ? 's' : 'q';
        } else if (isalpha(c) || c == '_' || c >= 0x80) {
            while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '_' || (unsigned char)sql[i] >= 0x80)) i++;
            t->kind = 'w';
        } else if (isdigit(c)) {
            while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '.')) i++;
            t->kind = 'n';
        } else {
            if (c == '(') depth++;
            if (c == ')') { depth--; t->depth = depth; }
            i++;
            t->kind = 'p';
        }
        t->e = i;
        n++;
    }
    return n;
}

static int kw(const char *sql, const stok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == 'w' && t->e - t->s == n && !strncasecmp(sql + t->s, w, n);
}

static void tok_text(const char *sql, const stok *t, char *out, size_t cap)
{
    size_t s = t->s, e = t->e;
    if (t->kind == 'q' && e - s >= 2) s++, e--;
    size_t n = e - s < cap - 1 ? e - s : cap - 1;
    memcpy(out, sql + s, n);
    out[n] = '\0';
}

static int is_clause_end(const char *sql, const stok *t)
{
    static const char *const ends[] = {"where", "group", "order", "limit", "having", "window", "union", "except", "intersect"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (kw(sql, t, ends[i])) return 1;
    return 0;
}

static int is_join_word(const char *sql, const stok *t)
{
    return kw(sql, t, "join") || kw(sql, t, "inner") || kw(sql, t, "left") || kw(sql, t, "cross") || kw(sql, t, "natural") ||
           kw(sql, t, "right") || kw(sql, t, "full") || kw(sql, t, "outer");
}

static int table_index(const qsql *q, const char *alias)
{
    for (int i = 0; i < q->nt; i++)
        if (!strcasecmp(q->t[i].alias, alias) || !strcasecmp(q->t[i].name, alias)) return i;
    return -1;
}

/* Reads the top-level FROM clause and the equality predicates between two tables' columns. */
static void read_query(const char *sql, qsql *q)
{
    memset(q, 0, sizeof *q);
    stok *ts = calloc(4096, sizeof *ts);
    if (!ts) return;
    int n = lex(sql, ts, 4096);
    int i = 0;
    /* SELECT [DISTINCT] * ... */
    for (; i < n; i++)
        if (ts[i].depth == 0 && kw(sql, &ts[i], "select")) break;
    if (i + 1 < n && sql[ts[i + 1].s] == '*' && ts[i + 1].kind == 'p') q->select_star = 1;
    if (i + 2 < n && kw(sql, &ts[i + 1], "distinct") && sql[ts[i + 2].s] == '*') q->select_star = 1;
    for (; i < n; i++)
        if (ts[i].depth == 0 && kw(sql, &ts[i], "from")) break;
    if (i >= n) { free(ts); return; }
    i++;
    int expect_table = 1, join_kind = 0;
    q->from_end = strlen(sql);
    for (; i < n; i++) {
        stok *t = &ts[i];
        if (t->depth > 0) continue;
        if (is_clause_end(sql, t) || (t->kind == 'p' && sql[t->s] == ';')) { q->from_end = t->s; break; }
        if (t->kind == 'p' && sql[t->s] == ',') { expect_table = 1, join_kind = 0; continue; }
        if (is_join_word(sql, t)) { if (kw(sql, t, "join")) expect_table = 1, join_kind = 1; continue; }
        if (kw(sql, t, "on") || kw(sql, t, "using")) {
            if (q->nt) q->t[q->nt - 1].has_on = 1;
            expect_table = 0;
            continue;
        }
        if (expect_table && (t->kind == 'w' || t->kind == 'q') && q->nt < MAX_TABLES) {
            qtable *x = &q->t[q->nt++];
            tok_text(sql, t, x->name, sizeof x->name);
            memcpy(x->alias, x->name, sizeof x->alias);
            x->item_end = t->e;
            x->is_join = join_kind;
            int j = i + 1;
            if (j < n && kw(sql, &ts[j], "as")) j++;
            if (j < n && (ts[j].kind == 'w' || ts[j].kind == 'q') && ts[j].depth == 0 && !is_clause_end(sql, &ts[j]) &&
                !is_join_word(sql, &ts[j]) && !kw(sql, &ts[j], "on") && !kw(sql, &ts[j], "using")) {
                tok_text(sql, &ts[j], x->alias, sizeof x->alias);
                x->item_end = ts[j].e;
                i = j;
            }
            expect_table = 0;
        }
    }
    /* WHERE */
    for (int k = 0; k < n; k++)
        if (ts[k].depth == 0 && kw(sql, &ts[k], "where") && ts[k].s >= q->from_end) {
            q->where_start = ts[k].e;
            q->where_end = strlen(sql);
            for (int m = k + 1; m < n; m++)
                if (ts[m].depth == 0 && (kw(sql, &ts[m], "group") || kw(sql, &ts[m], "order") || kw(sql, &ts[m], "limit") ||
                                         kw(sql, &ts[m], "having") || kw(sql, &ts[m], "union") || sql[ts[m].s] == ';')) {
                    q->where_end = ts[m].s;
                    break;
                }
            break;
        }
    /* a.x = b.y anywhere in the FROM clause's ON parts and the WHERE clause */
    for (int k = 0; k + 6 < n; k++) {
        if (ts[k].s < q->t[0].item_end) continue;
        if (q->where_end && ts[k].s >= q->where_end) break;
        if (!q->where_end && ts[k].s >= q->from_end) break;
        stok *a = &ts[k], *d1 = &ts[k + 1], *ca = &ts[k + 2], *eq = &ts[k + 3], *b = &ts[k + 4], *d2 = &ts[k + 5], *cb = &ts[k + 6];
        if ((a->kind == 'w' || a->kind == 'q') && sql[d1->s] == '.' && eq->kind == 'p' && sql[eq->s] == '=' &&
            (b->kind == 'w' || b->kind == 'q') && sql[d2->s] == '.' && (k == 0 || sql[ts[k - 1].s] != '.') &&
            !(k > 0 && ts[k - 1].kind == 'p' && sql[ts[k - 1].s] == '(')) {
            char an[64], bn[64];
            tok_text(sql, a, an, sizeof an);
            tok_text(sql, b, bn, sizeof bn);
            int ta = table_index(q, an), tb = table_index(q, bn);
            if (ta >= 0 && tb >= 0 && ta != tb && q->np < MAX_PREDS) {
                qpred *p = &q->p[q->np++];
                p->ta = ta, p->tb = tb;
                tok_text(sql, ca, p->ca, sizeof p->ca);
                tok_text(sql, cb, p->cb, sizeof p->cb);
            }
        }
    }
    free(ts);
}

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

/* SQL text with [pos, pos) replaced: out = sql[0..pos] + ins + sql[pos..]. */
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
static void check_functions(sqlite3 *db, qsql *q, explain_report *r)
{
    if (!q->where_start) return;
    const char *sql = r->sql;
    stok ts[512];
    char sub[8192];
    size_t wl = q->where_end - q->where_start;
    if (wl >= sizeof sub) return;
    memcpy(sub, sql + q->where_start, wl);
    sub[wl] = '\0';
    int n = lex(sub, ts, 512);
    for (int i = 0; i + 3 < n; i++) {
        if (ts[i].kind != 'w' || sub[ts[i + 1].s] != '(') continue;
        char fn[32];
        tok_text(sub, &ts[i], fn, sizeof fn);
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
            tok_text(sub, &ts[k], w, sizeof w);
            if (k + 2 < close && sub[ts[k + 1].s] == '.') {
                int x = table_index(q, w);
                char c2[64];
                tok_text(sub, &ts[k + 2], c2, sizeof c2);
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
        if (has_lit) tok_text(sub, &ts[close + 2], lit, sizeof lit);
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
            tok_text(sub, &ts[close - 3], one, sizeof one);
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
                r->rewrite = replace_span(sql, q->where_start + ts[i].s, q->where_start + ts[close + 2].e, rep);
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
        int ti = table_index(q, scans[s]);
        if (ti < 0 || q->t[ti].rows < large) continue;
        int already = 0;
        for (int w = 0; w < r->nwarn; w++)
            if (strstr(r->warn[w].message, q->t[ti].name) &&
                (!strcmp(r->warn[w].kind, "function_on_index") || !strcmp(r->warn[w].kind, "cross_join") ||
                 !strcmp(r->warn[w].kind, "join_unindexed")))
                already = 1;
        if (already) continue;
        /* the WHERE's columns of this table */
        const char *sql = r->sql;
        stok ts[512];
        char sub[8192];
        size_t wl = q->where_end - q->where_start;
        if (wl >= sizeof sub) continue;
        memcpy(sub, sql + q->where_start, wl);
        sub[wl] = '\0';
        int n = lex(sub, ts, 512);
        for (int i = 0; i < n; i++) {
            if (ts[i].kind != 'w' && ts[i].kind != 'q') continue;
            char w[64], col[64] = "";
            tok_text(sub, &ts[i], w, sizeof w);
            if (i + 2 < n && sub[ts[i + 1].s] == '.') {
                if (table_index(q, w) != ti) { i += 2; continue; }
                tok_text(sub, &ts[i + 2], col, sizeof col);
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
        char e[200] = "";
        if (govern_prepare(gs, sql, &st, e, sizeof e) != GOVERN_OK) {
            rs->error = 1;
            snprintf(rs->errmsg, sizeof rs->errmsg, "%s", e);
            return;
        }
        govern_session_deadline(gs, (int64_t)timeout_ms);
    } else if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        rs->error = 1;
        snprintf(rs->errmsg, sizeof rs->errmsg, "%s", sqlite3_errmsg(db));
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
    else if (rc != SQLITE_DONE) rs->error = 1, snprintf(rs->errmsg, sizeof rs->errmsg, "%s", sqlite3_errmsg(db));
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
        snprintf(err, errlen, "%s", st ? sqlite3_errmsg(meta) : (sqlite3_errmsg(meta)[0] ? sqlite3_errmsg(meta) : "empty query"));
        if (sqlite3_error_offset(meta) >= 0) {
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, " (at character %d)", sqlite3_error_offset(meta) + 1);
        }
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
    read_query(r->sql, &q);
    for (int i = 0; i < q.nt; i++) q.t[i].rows = row_count(meta, q.t[i].name);
    long long large = config_get_int(cfg, "explain.large_rows", 1000);
    check_cross(meta, r->sql, &q, r);
    check_joins(meta, &q, r);
    check_functions(meta, &q, r);
    check_scans(meta, &q, r, large, scans, nscans);
    check_star(meta, &q, r);

    if (run) {
        double timeout = (double)config_get_int(cfg, "explain.timeout_ms", 60000);
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
