/* Running the assistant's answers with the asker's rights: a question -> plan (ask.h) -> the SQL
 * prepared through govern_prepare under the principal (the authorizer has the last word) -> rows.
 * Questions outside the parser go to the optional LLM backend (ask.llm.url), whose SQL is shown,
 * checked by the same govern_prepare, and refused (not run) if it writes or reads an object the
 * asker has no grant for. Used by `wikigdelt ask` and POST /api/ask. */
#ifndef WG_ASK_RUN_H
#define WG_ASK_RUN_H

#include <jansson.h>
#include <sqlite3.h>

#include "ask/ask.h"
#include "core/config.h"
#include "govern/govern.h"

typedef struct ask_session {
    ask_engine *engine;
    int own_engine;
    sqlite3 *db;               /* read-only; the caller's */
    sqlite3 *catalog_db;       /* a second read-only connection with no authorizer, for the catalog */
    const config *cfg;
    govern_session *gs;        /* bound to principal; NULL for the local owner */
    int own_gs;
    govern_principal principal;
    int has_principal;
    char client[64];
    int64_t max_rows;
    int64_t timeout_ms;
} ask_session;

typedef struct ask_result {
    size_t ncols, nrows;
    char **cols;
    char **cells;              /* nrows * ncols, NULL for SQL NULL */
    int *types;                /* SQLite type of each cell */
    int truncated;
} ask_result;

typedef struct ask_answer {
    ask_plan plan;
    ask_result result;
    char refused[512];         /* the authorizer's (or the write check's) refusal; nothing ran */
    char error[WG_ERR_LEN];           /* a runtime error */
    char *llm_sql;             /* SQL the LLM proposed (shown whatever happens to it) */
    char llm_model[96];
    double run_ms;
} ask_answer;

/* Opens a session on db for principal as_name (NULL: the local owner). Opens its own engine. */
int ask_session_open(const config *cfg, sqlite3 *db, const char *as_name, const char *client, ask_session **out,
                     char *err, size_t errlen);
/* A session around an existing engine and govern session (the HTTP server's worker). db_path
 * names the store for the catalog connection. */
int ask_session_wrap(ask_engine *engine, const config *cfg, sqlite3 *db, const char *db_path, govern_session *gs,
                     const govern_principal *p, const char *client, ask_session **out, char *err, size_t errlen);
void ask_session_close(ask_session *s);

int ask_answer_question(ask_session *s, const char *question, int sql_only, ask_answer *ans, char *err, size_t errlen);
json_t *ask_answer_json(const ask_answer *ans, const char *question);
void ask_answer_free(ask_answer *ans);

/* 1 when the session's principal may read object (always for the local owner). */
int ask_session_may_read(ask_session *s, const char *object);

#endif
