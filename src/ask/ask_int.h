/* Private to the assistant (ask*.c): the query templates (ask_templates.c) and the SQL assembly
 * that expands one of them with a question's slots (ask_sql.c); ask.c holds the engine and the
 * parser that chooses the template. */
#ifndef WG_ASK_INT_H
#define WG_ASK_INT_H

#include "ask/ask.h"

#include <stddef.h>

enum dom { D_GDELT, D_WIKI, D_GOLD, D_BURST, D_QUALITY, D_SCHEMA, D_HELP, D_NULL };
extern const char *const ask_dom_names[];

enum {
    F_TITLE = 1,       /* needs a page title */
    F_OBJECT = 2,      /* needs a table name */
    F_TERM = 4,        /* needs a term */
    F_CATEGORY = 8,    /* needs a category or QuadClass (the share's numerator) */
    F_NOQUAD = 16,     /* the QuadClass is the grouping, not a filter */
    F_NOBOT = 32,      /* bots vs humans is the grouping */
    F_HOURLY = 64,     /* per hour unless asked per day */
    F_CONTENT = 128,   /* content edits only */
    F_CATALOG = 256,   /* rows are catalog objects */
    F_ASC = 512,       /* measure order ascending unless asked otherwise */
    F_MEASURE_MENTIONS = 1024, /* default measure: mentions */
};

typedef struct tmpl {
    const char *id;
    int dom;
    int flags;
    int default_n;
    const char *what;      /* the reading's head */
    const char *sql;       /* {W} where, {N} limit, {M} measure column, {MN} its name, {D} order,
                              {B} time bucket, {S} the share's numerator, {T} title param, {O}
                              object param, {Q} term param */
    const char *examples[12];
} tmpl;

#define FIPS_NAME "LEFT JOIN gdelt_fips_countries f ON f.code = g.ActionGeo_CountryCode"

#define ASK_MAX_TEMPLATES 64 /* a bound for per-template arrays; ask_templates.c checks it */

extern const tmpl ask_templates[];
extern const size_t ask_ntemplates;

/* Adds a text parameter to the plan; returns its number (?N), 0 when the plan is full. */
int ask_add_param_t(ask_plan *p, const char *v);
/* 1 when the question names a CAMEO category, QuadClass, country, actor or threshold. */
int ask_has_event_slots(const ask_slots *s);
/* Expands the template's markers into plan->sql with the slots' filters bound as parameters. */
int ask_expand(const tmpl *t, ask_slots *s, ask_plan *p);

#endif
