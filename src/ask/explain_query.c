/* explain's reading of a query (explain_int.h): a small SQL tokenizer, then the top level of the
 * FROM/JOIN/ON/WHERE: tables, aliases, equality predicates between them, and where each clause
 * starts and ends. */
#include "ask/explain_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int explain_lex(const char *sql, stok *out, int max)
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

void explain_tok_text(const char *sql, const stok *t, char *out, size_t cap)
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

int explain_table_index(const qsql *q, const char *alias)
{
    for (int i = 0; i < q->nt; i++)
        if (!strcasecmp(q->t[i].alias, alias) || !strcasecmp(q->t[i].name, alias)) return i;
    return -1;
}

/* Reads the top-level FROM clause and the equality predicates between two tables' columns. */
void explain_read_query(const char *sql, qsql *q)
{
    memset(q, 0, sizeof *q);
    stok *ts = calloc(4096, sizeof *ts);
    if (!ts) return;
    int n = explain_lex(sql, ts, 4096);
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
            explain_tok_text(sql, t, x->name, sizeof x->name);
            memcpy(x->alias, x->name, sizeof x->alias);
            x->item_end = t->e;
            x->is_join = join_kind;
            int j = i + 1;
            if (j < n && kw(sql, &ts[j], "as")) j++;
            if (j < n && (ts[j].kind == 'w' || ts[j].kind == 'q') && ts[j].depth == 0 && !is_clause_end(sql, &ts[j]) &&
                !is_join_word(sql, &ts[j]) && !kw(sql, &ts[j], "on") && !kw(sql, &ts[j], "using")) {
                explain_tok_text(sql, &ts[j], x->alias, sizeof x->alias);
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
            explain_tok_text(sql, a, an, sizeof an);
            explain_tok_text(sql, b, bn, sizeof bn);
            int ta = explain_table_index(q, an), tb = explain_table_index(q, bn);
            if (ta >= 0 && tb >= 0 && ta != tb && q->np < MAX_PREDS) {
                qpred *p = &q->p[q->np++];
                p->ta = ta, p->tb = tb;
                explain_tok_text(sql, ca, p->ca, sizeof p->ca);
                explain_tok_text(sql, cb, p->cb, sizeof p->cb);
            }
        }
    }
    free(ts);
}
