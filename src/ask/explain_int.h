/* Private to explain (explain*.c): the light reading of a query's top level (explain_query.c) and
 * the warnings drawn from it and the schema (explain_checks.c); explain.c runs the plan and the
 * timings. */
#ifndef WG_ASK_EXPLAIN_INT_H
#define WG_ASK_EXPLAIN_INT_H

#include "ask/explain.h"

#include <sqlite3.h>
#include <stddef.h>

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

typedef struct stok {
    size_t s, e;
    char kind;   /* 'w' word, 's' string, 'n' number, 'p' punctuation, 'q' quoted identifier */
    int depth;   /* parenthesis depth at the token */
} stok;

/* Splits sql into at most max tokens; returns their count. */
int explain_lex(const char *sql, stok *out, int max);
/* The token's text (unquoted) into out. */
void explain_tok_text(const char *sql, const stok *t, char *out, size_t cap);
/* The index of the table named or aliased alias, -1 when none. */
int explain_table_index(const qsql *q, const char *alias);
/* Reads the top level of sql: its tables, aliases, equality predicates and clause bounds. */
void explain_read_query(const char *sql, qsql *q);

/* Counts the tables' rows and adds the warnings and the one rewrite (explain.h) for the query read
 * into q; meta answers the schema questions; scans are the plan's full scans. */
void explain_check(sqlite3 *meta, qsql *q, explain_report *r, long long large, char scans[][64], int nscans);

#endif
