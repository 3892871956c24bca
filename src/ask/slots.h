/* The assistant's slot grammar: the parts of a question that become bound parameters of a query
 * template. Each recogniser finds its phrase in the question, fills its slot and records the
 * span, so the question can be "delexicalised" (slot phrases replaced by their type word) before
 * its intent is chosen by embedding similarity (ask.c).
 *
 *   time      "last week", "yesterday", "today", "past 3 days", "on 15 July 2025", "on 2025-07-15",
 *             "since June", "since 1 July 2024", "between 1 and 3 July 2025", "from X to Y",
 *             "in the 2024 data", "in July 2025", "before X", "after X"  -> [from, to) dates
 *   category  CAMEO codes in words ("protests" -> 14, "riots" -> 145, "air strikes" -> 195) or
 *             as numbers ("CAMEO 141", "event code 0231")
 *   quadclass "verbal cooperation" 1, "material cooperation" 2, "verbal conflict" 3,
 *             "material conflict" 4; "cooperation" {1,2}, "conflict" {3,4}
 *   country   English names, adjectives, capitals-free common forms and CLDR names in a few
 *             languages ("Deutschland", "Allemagne"), mapped to FIPS 10-4 (ActionGeo_CountryCode)
 *             and CAMEO alpha-3 (Actor1CountryCode); "Georgia" and friends are flagged ambiguous
 *   actor     actor roles ("police" -> type COP) and named actors (Actor1Name/Actor2Name values
 *             the caller supplies as a lookup)
 *   measure   tone, Goldstein, mentions, articles, sources; direction (most negative / highest)
 *             and thresholds ("tone below -5")
 *   top-N     "top 5", "five most", "3 largest"
 *   wiki      "enwiki", "the German Wikipedia"; bots / humans; a page title ("quoted" or after
 *             "page"/"article")
 *   object    a table or view name of the catalog; a term for "where is the tone stored" */
#ifndef WG_ASK_SLOTS_H
#define WG_ASK_SLOTS_H

#include <stddef.h>

#define ASK_TEXT 256

enum ask_measure { MEASURE_NONE = 0, MEASURE_TONE, MEASURE_GOLDSTEIN, MEASURE_MENTIONS, MEASURE_ARTICLES, MEASURE_SOURCES };

typedef struct ask_time {
    int set;
    char from[11];    /* YYYY-MM-DD inclusive, "" when open */
    char to[11];      /* YYYY-MM-DD exclusive, "" when open */
    char text[96];    /* the phrase as read */
    int relative;     /* 1 when it depends on the reference day (today / the data's latest day) */
} ask_time;

typedef struct ask_slots {
    ask_time time;
    /* CAMEO event code (2 = root, 3 = base, 4 = full) and its codebook description */
    char cameo[8];
    char cameo_desc[128];
    int quad_mask;              /* bit q-1 for QuadClass q; 0 = none */
    int quad_split;             /* "cooperation versus conflict": the split is asked for */
    /* country */
    int country_row;            /* country_table row, -1 none */
    char fips[4];
    char cameo_cc[4];
    char country_name[64];
    int country_actor;          /* 1: as actor (Actor1CountryCode), 0: where (ActionGeo) */
    char adm1[8];               /* a first-level division instead ("USGA": the US state) */
    char note[256];             /* an ambiguity stated, or "" */
    char ask_back[256];         /* an ambiguity that must be asked back (no query), or "" */
    /* actor */
    char actor_type[4];         /* CAMEO actor type code (COP, MIL, GOV...) */
    char actor_name[64];        /* Actor1Name/Actor2Name value (upper case) */
    char actor_words[64];       /* as written */
    /* measure */
    int measure;
    int direction;              /* -1 lowest/most negative, +1 highest, 0 unsaid */
    int threshold_set;
    char threshold_op[3];       /* "<", ">", "<=", ">=" */
    double threshold;
    int top_n;                  /* 0 = unsaid */
    int per_hour;               /* "per hour", "hourly" */
    /* wikipedia */
    char wiki[48];
    int bot;                    /* -1 any, 0 humans, 1 bots */
    int bots_and_humans;        /* both named ("bots vs humans") */
    char title[ASK_TEXT];
    /* schema */
    char object[64];
    char term[64];
    /* the question with the slot phrases replaced by their type word, lower case */
    char delex[1024];
} ask_slots;

/* A lookup the caller supplies for names that come from the data or the catalog. */
typedef struct ask_lexicon {
    const char *const *actors;  /* upper-case Actor1Name values, sorted by strcmp */
    size_t nactors;
    const char *const *objects; /* table and view names */
    size_t nobjects;
} ask_lexicon;

/* Parses question against the reference day ref ("YYYY-MM-DD": today, or the data's latest day).
 * Returns 0, or -1 with err for a question too long to read. */
int ask_slots_parse(const char *question, const char *ref, const ask_lexicon *lex, ask_slots *out,
                    char *err, size_t errlen);

/* Time expressions alone (used by the parser and the unit tests): finds the first time phrase in
 * text (lower case), fills t and the phrase's byte span. Returns 1 when one was found. */
int ask_time_parse(const char *text, const char *ref, ask_time *t, size_t *span_start, size_t *span_end);

/* The country a phrase names (used by the parser and the unit tests): returns the country_table
 * row, or -1; *ambiguous is set when the name also names something else. */
int ask_country_lookup(const char *name, int *ambiguous);

/* The CAMEO code a word or phrase names ("protest" -> "14"), or NULL. */
const char *ask_category_lookup(const char *phrase);

/* Adds days to a YYYY-MM-DD date (out gets 11 bytes). Returns 0, -1 on a bad date. */
int ask_date_add(const char *date, int days, char *out);

#endif
