/* The assistant: a plain-language question -> one of the described query templates (chosen by
 * cosine similarity of the delexicalised question to the templates' example questions, with the
 * project's embedder) -> parameterised SQL whose slots (slots.h) are bound, never pasted.
 *
 * Settings:
 *   ask.relative_to = today | data    "last week", "yesterday"... relative to CURRENT_DATE (today,
 *                                     the default) or to the latest day in the table asked about
 *   ask.min_score   = X               below this cosine the question is not mapped ("cannot");
 *                                     default 0.60 with the real model, 0.40 with the fallback
 *   ask.llm.url / ask.llm.model / ask.llm.key_file   optional backend (llm.h) */
#ifndef WG_ASK_H
#define WG_ASK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "ask/slots.h"
#include "core/buf.h"
#include "core/config.h"

typedef enum ask_status {
    ASK_SQL = 0,       /* plan->sql with plan->params: run it */
    ASK_CANNOT = 1,    /* not mappable: plan->message says so and lists what can be asked */
    ASK_CLARIFY = 2,   /* ambiguous: plan->message asks back */
    ASK_HELP = 3,      /* "what can you do": plan->message */
} ask_status;

#define ASK_MAX_PARAMS 24

typedef struct ask_param {
    char type; /* 'i' integer, 'd' double, 't' text */
    int64_t i;
    double d;
    char t[ASK_TEXT];
} ask_param;

typedef struct ask_plan {
    ask_status status;
    const char *intent;        /* template id, "cannot", "clarify", "help" */
    const char *domain;        /* "gdelt", "wiki", "gold", "quality", "schema", "" */
    double score;              /* cosine of the chosen template (after slot adjustments) */
    const char *runner_up;     /* the next template and its score, for --verbose */
    double runner_score;
    char *sql;                 /* malloc'd; NULL unless ASK_SQL */
    ask_param params[ASK_MAX_PARAMS];
    int nparams;
    int catalog;               /* 1: rows describe catalog objects, first column = table name */
    char reading[768];         /* one line: how the question was read */
    char message[2048];        /* ASK_CANNOT / ASK_CLARIFY / ASK_HELP text */
    ask_slots slots;
    double parse_ms;           /* question -> SQL, model load excluded */
} ask_plan;

typedef struct ask_engine ask_engine;

/* db: the store (read-only is enough) for the catalog, the actor names and the data's latest
 * days. The embedder is opened from cfg (embed.*); with no model installed it is the fallback. */
int ask_engine_open(const config *cfg, sqlite3 *db, ask_engine **out, char *err, size_t errlen);
void ask_engine_close(ask_engine *e);
const char *ask_engine_embedder(const ask_engine *e);
int ask_engine_is_fallback(const ask_engine *e);

/* Maps a question to a plan. Returns 0 (whatever the status), -1 on an internal error. */
int ask_parse(ask_engine *e, const char *question, ask_plan *plan, char *err, size_t errlen);
void ask_plan_free(ask_plan *plan);

/* Binds plan's parameters to a statement prepared from plan->sql. */
int ask_bind(sqlite3_stmt *st, const ask_plan *plan);
/* The SQL with its parameters shown after it ("-- ?1 = '14'"), for printing. */
void ask_plan_sql_text(const ask_plan *plan, buf *out);
/* What the assistant can answer, one line per kind of question. */
const char *ask_capabilities(void);

/* Template ids and descriptions, for docs and tests: returns the count; ask_template_info
 * gives each one's id, domain and description. */
size_t ask_template_count(void);
void ask_template_info(size_t i, const char **id, const char **domain, const char **description);

#endif
