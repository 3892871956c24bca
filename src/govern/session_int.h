/* Private to governed sessions (session*.c): the session and its lists. session.c binds a
 * session to a principal and prepares statements; session_access.c holds the authorizer and the
 * decision on the reads it recorded; session_sql.c reads just enough SQL to find CTE names and
 * where a statement ends. */
#ifndef WG_GOVERN_SESSION_INT_H
#define WG_GOVERN_SESSION_INT_H

#include "govern/govern.h"
#include "govern/govern_internal.h"

#include <stddef.h>
#include <stdint.h>

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

/* session.c: a list of names compared without case. */
void govern_names_add(name_list *l, const char *s);
void govern_names_clear(name_list *l);
void govern_names_free(name_list *l);
int govern_names_has(const name_list *l, const char *s);

/* session_access.c */
int govern_authorizer(void *ud, int action, const char *a1, const char *a2, const char *db, const char *ctx);
/* Decides the reads recorded while preparing: 0 allowed, -1 refused (the reason in s->reason). */
int govern_decide_reads(govern_session *s);
/* 1 when the bound principal may read the table or view t. */
int govern_may_read_name(const govern_session *s, const char *t);
int govern_is_harmless_vtab(const char *t);

/* session_sql.c */
/* 1 when a CTE or WINDOW of sql is named like a view (hit: the name). */
int govern_shadows_view(const govern_session *s, const char *sql, char *hit, size_t hitlen);
/* Skips whitespace, comments and semicolons; returns the first other character. */
const char *govern_skip_tail(const char *p);

#endif
