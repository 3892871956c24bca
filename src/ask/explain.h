/* `explain`: a query's plan (EXPLAIN QUERY PLAN) in plain words, warnings for what makes it slow
 * or wrong, and a suggested rewrite; --run times the query before and after the rewrite and
 * checks they return the same rows.
 *
 * Warnings (kind names are stable, tests match them):
 *   cross_join        two tables joined with no predicate between them (a cross product)
 *   join_unindexed    a join on a column with no index on the inner table (automatic index or scan)
 *   join_type_mismatch a join between columns of different declared types (no index can serve it)
 *   full_scan         a full scan of a large table under a WHERE that an index serves or should
 *   function_on_index a function wrapped around an indexed column, which disables its index
 *   select_star_wide  SELECT * of a wide table
 * Settings: explain.large_rows (default 1000: a "large" table), explain.timeout_ms (--run, 60000). */
#ifndef WG_ASK_EXPLAIN_H
#define WG_ASK_EXPLAIN_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/config.h"

#define EXPLAIN_MAX_WARN 16
#define EXPLAIN_MAX_PLAN 64

typedef struct explain_warning {
    char kind[32];
    char message[512];
} explain_warning;

typedef struct explain_report {
    char *sql;
    char plan[EXPLAIN_MAX_PLAN][256];   /* plan lines in plain words, indented by depth */
    int nplan;
    explain_warning warn[EXPLAIN_MAX_WARN];
    int nwarn;
    char *rewrite;                      /* NULL when nothing to rewrite */
    char rewrite_note[512];
    char rewrite_kind[32];              /* the warning the rewrite answers */
    int ran;
    double before_ms, after_ms;
    long long before_rows, after_rows;
    int same_rows;                      /* 1 same multiset of rows, 0 differ, -1 not compared */
    int before_timed_out;
    char run_note[256];
} explain_report;

struct govern_session;
/* Explains sql. db runs the plan and the timings; with gs (a session bound to the asker) every
 * statement is first prepared through govern_prepare, so a query the asker may not run is
 * refused (returns 1, reason in err) and no plan of it is shown. meta (a connection without an
 * authorizer, may be db) answers the schema questions: indexes, declared types, row counts. */
int explain_sql(sqlite3 *db, sqlite3 *meta, struct govern_session *gs, const config *cfg, const char *sql, int run,
                explain_report *r, char *err, size_t errlen);
void explain_text(const explain_report *r, buf *out);
json_t *explain_json(const explain_report *r);
void explain_free(explain_report *r);

#endif
