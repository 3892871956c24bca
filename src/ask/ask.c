/* The assistant's parser (ask.h): slots by grammar (slots.c), intent by embedding similarity to
 * described templates, SQL assembled from fixed fragments with every value a bound parameter. */
#include "ask/ask.h"

#include "correlate/countries.h"
#include "embed/embedder.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

enum dom { D_GDELT, D_WIKI, D_GOLD, D_BURST, D_QUALITY, D_SCHEMA, D_HELP, D_NULL };
static const char *const dom_names[] = {"gdelt", "wiki", "gold", "gold", "quality", "schema", "", ""};

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

static const tmpl templates[] = {
    /* ---- GDELT events ---- */
    {"events_count", D_GDELT, 0, 0, "number of events",
     "SELECT COUNT(*) AS events FROM gdelt_silver g{W}",
     {"how many category events were there", "count the events", "number of category events in country",
      "how many events happened", "total events involving actor", "how many events were there in country", "how many events involved actor", "how many events had a tone below", "how many category were reported", "count events in country", "how many events involving the actor in country"}},
    {"events_by_country", D_GDELT, 0, 10, "events grouped by action country (ActionGeo_CountryCode)",
     "SELECT g.ActionGeo_CountryCode AS country, COALESCE(f.name, '') AS country_name, COUNT(*) AS events"
     " FROM gdelt_silver g " FIPS_NAME "{W} GROUP BY 1, 2 ORDER BY events DESC, country LIMIT {N}",
     {"which countries had the most category events", "top N countries by number of events",
      "rank countries by event count", "where did most category events happen", "number of events per country",
      "which nations saw the most category"}},
    {"events_by_actor_country", D_GDELT, 0, 10, "events grouped by Actor1's country (Actor1CountryCode)",
     "SELECT g.Actor1CountryCode AS actor_country, COUNT(*) AS events FROM gdelt_silver g{W}"
     " GROUP BY 1 ORDER BY events DESC, actor_country LIMIT {N}",
     {"which actor countries initiated the most category events", "events by actor country",
      "which countries' actors were most active", "rank actor nationalities by number of events"}},
    {"events_by_category", D_GDELT, 0, 10, "events grouped by CAMEO root code",
     "SELECT g.EventRootCode AS cameo_root, g.event_root_description AS category, COUNT(*) AS events"
     " FROM gdelt_silver g{W} GROUP BY 1, 2 ORDER BY events DESC, cameo_root LIMIT {N}",
     {"what were the most common event types", "events by category", "which kinds of events happened most in country",
      "breakdown of events by CAMEO root code", "what types of events did actor take part in"}},
    {"events_by_code", D_GDELT, 0, 10, "events grouped by CAMEO event code",
     "SELECT g.EventCode AS cameo_code, g.event_description AS description, COUNT(*) AS events"
     " FROM gdelt_silver g{W} GROUP BY 1, 2 ORDER BY events DESC, cameo_code LIMIT {N}",
     {"which specific event codes were most frequent", "breakdown of category events by sub-code",
      "most common detailed CAMEO codes", "what sub-types of category events occurred"}},
    {"events_by_actor", D_GDELT, 0, 10, "events grouped by Actor1Name",
     "SELECT g.Actor1Name AS actor, COUNT(*) AS events FROM gdelt_silver g{W} GROUP BY 1"
     " ORDER BY events DESC, actor LIMIT {N}",
     {"which actors were most active", "top actors in category events", "who initiated the most category events",
      "which actors appear most often in country", "most frequent actor names", "which N actors initiated the most category"}},
    {"events_trend", D_GDELT, 0, 0, "events per {B}",
     "SELECT {B} AS period, COUNT(*) AS events FROM gdelt_silver g{W} GROUP BY 1 ORDER BY 1",
     {"how did the number of category events change over time", "daily count of events",
      "trend of category events per day", "events per hour timeline", "category events over time in country"}},
    {"events_avg_measure", D_GDELT, 0, 0, "average {MN}",
     "SELECT ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g{W}",
     {"what was the average tone of category events", "mean goldstein score of events in country",
      "average sentiment of the news", "how negative was the coverage of category", "what is the mean tone", "mean sentiment of category"}},
    {"events_measure_by_country", D_GDELT, F_ASC, 10, "average {MN} by action country",
     "SELECT g.ActionGeo_CountryCode AS country, COALESCE(f.name, '') AS country_name,"
     " ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g " FIPS_NAME "{W}"
     " GROUP BY 1, 2 ORDER BY AVG({M}) {D}, country LIMIT {N}",
     {"which countries had the most negative tone", "countries ranked by average tone",
      "where was coverage most hostile", "which countries had the lowest goldstein scale",
      "average tone per country", "countries with the highest average goldstein"}},
    {"events_measure_trend", D_GDELT, 0, 0, "average {MN} per {B}",
     "SELECT {B} AS period, ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g{W}"
     " GROUP BY 1 ORDER BY 1",
     {"how did the tone change over time", "average tone per hour", "sentiment timeline",
      "goldstein scale over time for category events", "hourly average tone"}},
    {"events_quadclass", D_GDELT, F_NOQUAD, 0, "events by QuadClass, with shares",
     "SELECT g.QuadClass AS quadclass, CASE g.QuadClass WHEN 1 THEN 'verbal cooperation' WHEN 2 THEN"
     " 'material cooperation' WHEN 3 THEN 'verbal conflict' WHEN 4 THEN 'material conflict' END AS kind,"
     " COUNT(*) AS events, ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct"
     " FROM gdelt_silver g{W} GROUP BY 1 ORDER BY 1",
     {"share of category versus category events", "events by quad class",
      "how much verbal versus material category was there", "breakdown by QuadClass",
      "split of events between cooperation and conflict", "what is the split of events between category and category"}},
    {"events_share", D_GDELT, F_CATEGORY, 0, "share of events that are {S}",
     "SELECT ROUND(100.0 * SUM(CASE WHEN {S} THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0), 2) AS pct,"
     " SUM(CASE WHEN {S} THEN 1 ELSE 0 END) AS matching, COUNT(*) AS events FROM gdelt_silver g{W}",
     {"what share of events were category", "what percentage of events in country were category",
      "fraction of events that are category", "what proportion of the news is about category", "share of category events in country"}},
    {"events_top", D_GDELT, F_MEASURE_MENTIONS, 10, "events ordered by {MN}",
     "SELECT g.GLOBALEVENTID AS EventID, g.event_time, g.Actor1Name, g.Actor2Name, g.EventCode,"
     " g.event_description, g.ActionGeo_FullName, g.NumMentions, g.AvgTone, g.GoldsteinScale"
     " FROM gdelt_silver g{W} ORDER BY {M} {D}, g.GLOBALEVENTID LIMIT {N}",
     {"list the most reported category events", "show the top N events by mentions",
      "which events had the most negative tone", "show me category events in country",
      "what were the biggest news events", "list events involving actor", "show the N events with the lowest tone", "list events in country"}},
    /* ---- Wikipedia ---- */
    {"wiki_top_pages", D_WIKI, F_CONTENT, 10, "most edited pages (content edits)",
     "SELECT w.wiki, w.title, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1, 2"
     " ORDER BY edits DESC, w.wiki, w.title LIMIT {N}",
     {"what are the most edited pages", "which wikipedia articles got the most edits",
      "top N pages by edit count on wiki", "most edited articles", "which pages did bots edit most"}},
    {"wiki_by_wiki", D_WIKI, F_CONTENT, 10, "content edits per wiki",
     "SELECT w.wiki, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY edits DESC, w.wiki LIMIT {N}",
     {"which wikis have the most edits", "edits per wiki", "rank wikis by activity",
      "which language editions of wikipedia are busiest", "edit counts by wiki"}},
    {"wiki_bots", D_WIKI, F_NOBOT, 0, "changes by bots and by humans, with shares",
     "SELECT CASE WHEN w.bot = 1 THEN 'bot' ELSE 'human' END AS editor, COUNT(*) AS changes,"
     " ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY 1",
     {"how many edits were made by bots versus humans", "share of bot edits", "bots vs humans",
      "what fraction of changes come from bots", "compare bot and human activity"}},
    {"wiki_page_trend", D_WIKI, F_TITLE | F_HOURLY, 0, "edits of one page per {B}",
     "SELECT {B} AS period, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY 1",
     {"how was page edited over time", "edits of page per hour", "timeline of edits to page",
      "how many times was page edited each hour", "show the edit history of page"}},
    {"wiki_top_editors", D_WIKI, F_CONTENT, 10, "most active editors (content edits)",
     "SELECT w.user, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY edits DESC, w.user LIMIT {N}",
     {"who are the most active editors", "which users made the most edits", "top N editors on wiki",
      "most prolific wikipedia contributors"}},
    {"wiki_count", D_WIKI, F_CONTENT, 0, "number of content edits and pages",
     "SELECT COUNT(*) AS edits, COUNT(DISTINCT w.wiki || ':' || w.title) AS pages FROM wikimedia_silver w{W}",
     {"how many edits were made on wiki", "number of wikipedia edits", "how many pages were edited",
      "count the wikipedia changes"}},
    /* ---- gold ---- */
    {"gold_pages", D_GOLD, 0, 10, "Wikipedia pages correlated with the events",
     "SELECT c.wiki, c.title, COUNT(*) AS pairs, COUNT(DISTINCT c.EventID) AS events,"
     " ROUND(MAX(c.cosine_sim), 4) AS best_cosine FROM correlated_gold_events c{W}"
     " GROUP BY 1, 2 ORDER BY pairs DESC, best_cosine DESC, c.wiki, c.title LIMIT {N}",
     {"which wikipedia pages correlate with category events", "pages linked to news about country",
      "what pages were edited in response to category in country", "which articles are correlated with actor",
      "wikipedia pages related to category"}},
    {"gold_pairs", D_GOLD, 0, 10, "strongest event-page pairs by cosine similarity",
     "SELECT c.EventID, c.event_time, c.wiki, c.title, ROUND(c.cosine_sim, 4) AS cosine_sim, e.event_text"
     " FROM correlated_gold_events c LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id{W}"
     " ORDER BY c.cosine_sim DESC, c.id LIMIT {N}",
     {"what are the strongest event page pairs", "show the best matches between news and wikipedia",
      "highest similarity correlations", "top correlated pairs", "strongest correlations between news and edits"}},
    {"gold_events_for_page", D_GOLD, F_TITLE, 10, "news events correlated with one page",
     "SELECT c.EventID, c.event_time, c.wiki, ROUND(c.cosine_sim, 4) AS cosine_sim, e.event_text"
     " FROM correlated_gold_events c LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id{W}"
     " ORDER BY c.cosine_sim DESC, c.id LIMIT {N}",
     {"which news events correlate with page", "what news is behind the edits to page",
      "events matched to page", "why was page edited, which events"}},
    {"gold_breaking", D_BURST, 0, 20, "breaking-news bursts and the news behind them",
     "SELECT b.wiki, b.title, b.burst_start, b.burst_edits, b.burst_editors, b.EventID,"
     " ROUND(b.cosine_sim, 4) AS cosine_sim, b.event_text FROM breaking_news_gold b{W}"
     " ORDER BY b.burst_start DESC, b.burst_id, b.cosine_sim DESC LIMIT {N}",
     {"which pages had breaking news bursts", "show editing bursts and the news behind them",
      "what is breaking right now", "pages erupting with edits", "breaking news on wikipedia"}},
    {"gold_by_country", D_GOLD, 0, 10, "correlated pairs grouped by action country",
     "SELECT c.ActionGeo_CountryCode AS country, COUNT(*) AS pairs, COUNT(DISTINCT c.wiki || ':' || c.title) AS pages"
     " FROM correlated_gold_events c{W} GROUP BY 1 ORDER BY pairs DESC, country LIMIT {N}",
     {"which countries' events have the most correlated pages", "correlations by country",
      "which countries have the most wikipedia matches", "rank countries by correlated pairs"}},
    {"gold_match_rate", D_GOLD, 0, 0, "match and mismatch rates of the correlation (gold_mismatch)",
     "SELECT events, matched, no_match, no_partner_window, late, mismatch_rate, match_rate FROM gold_mismatch",
     {"what share of events found a wikipedia match", "what is the mismatch rate",
      "how many events were correlated", "match rate of the correlation"}},
    /* ---- data quality ---- */
    {"quality_valid_rate", D_QUALITY, 0, 0, "valid-record rates of both sources",
     "SELECT 'gdelt' AS source, rows_read, rows_valid, rows_quarantined, valid_rate FROM gdelt_quality"
     " UNION ALL SELECT 'wikimedia', s.n + q.n, s.n, q.n, ROUND(1.0 * s.n / NULLIF(s.n + q.n, 0), 6)"
     " FROM (SELECT COUNT(*) AS n FROM wikimedia_silver) s, (SELECT COUNT(*) AS n FROM wikimedia_quarantine) q",
     {"what is the valid record rate", "data quality of the sources", "how many rows passed the expectations",
      "how clean is the data", "percentage of valid records"}},
    {"quality_quarantine", D_QUALITY, 0, 0, "quarantined rows grouped by the rule they failed",
     "SELECT 'gdelt' AS source, rule AS reason, COUNT(*) AS rows, MIN(detail) AS example FROM gdelt_quarantine"
     " GROUP BY 2 UNION ALL SELECT 'wikimedia', stage || ': ' || reason, COUNT(*), MIN(substr(raw, 1, 80))"
     " FROM wikimedia_quarantine GROUP BY 2 ORDER BY rows DESC, reason",
     {"which rows were quarantined and why", "show quarantine reasons", "why were records rejected",
      "what failed the data quality rules", "list quarantined records"}},
    {"quality_expectations", D_QUALITY, 0, 0, "expectation results per flow and rule",
     "SELECT flow, rule, action, SUM(checked) AS checked, SUM(failed) AS failed FROM expectation_counts"
     " GROUP BY 1, 2, 3 ORDER BY failed DESC, flow, rule",
     {"which expectations failed most", "expectation results per rule", "how many rows failed each rule",
      "data quality rule failures"}},
    /* ---- schema discovery ---- */
    {"schema_describe", D_SCHEMA, F_OBJECT, 0, "columns of {O} with their descriptions",
     "SELECT ?1 AS table_name, p.name AS column_name, p.type AS data_type, COALESCE(c.description, '') AS description"
     " FROM pragma_table_xinfo(?1) p LEFT JOIN catalog_columns c ON c.table_name = ?1 AND c.column_name = p.name"
     " ORDER BY p.cid",
     {"describe table", "what columns does table have", "show me the schema for table with descriptions",
      "what is in table", "schema of table"}},
    {"schema_where", D_SCHEMA, F_TERM, 0, "columns whose name or description mentions '{Q}'",
     "SELECT c.table_name, c.column_name, c.description FROM catalog_columns c"
     " WHERE c.column_name LIKE ?1 OR c.description LIKE ?1"
     " ORDER BY (c.column_name LIKE ?1) DESC, c.table_name, c.column_name LIMIT 40",
     {"where is the column stored", "which column holds column", "which table has column",
      "where can i find column", "in which column is column"}},
    {"schema_tables", D_SCHEMA, F_CATALOG, 0, "tables and views of the catalog",
     "SELECT t.table_name, t.layer, t.description FROM catalog_tables t ORDER BY t.layer, t.table_name",
     {"what tables are there", "list the tables", "what data is available", "which tables can i query",
      "show the catalog"}},
    {"help", D_HELP, 0, 0, "what the assistant can answer", NULL,
     {"what can you do", "help", "what questions can i ask", "how do i use this"}},
    /* ---- the null class: questions outside this data ---- */
    {"cannot_write", D_NULL, 0, 0, "", NULL,
     {"delete the category events", "drop table", "update the rows", "insert a new event",
      "remove all the data", "change the tone of events"}},
    {"cannot_other", D_NULL, 0, 0, "", NULL,
     {"what is the weather tomorrow", "write a poem", "who will win the next election",
      "translate this sentence", "what is the meaning of life", "tell me a joke"}},
};
#define NTEMPLATES (sizeof templates / sizeof templates[0])

size_t ask_template_count(void) { return NTEMPLATES; }
void ask_template_info(size_t i, const char **id, const char **domain, const char **description)
{
    if (i >= NTEMPLATES) return;
    if (id) *id = templates[i].id;
    if (domain) *domain = dom_names[templates[i].dom];
    if (description) *description = templates[i].what;
}

const char *ask_capabilities(void)
{
    return "I can answer, about the data in this lakehouse:\n"
           "  - GDELT events: counts, rankings by action country, actor country, actor, CAMEO category or code;\n"
           "    shares of a category, QuadClass splits, average tone / Goldstein (overall, per country, over time),\n"
           "    the most reported or most negative events; filtered by CAMEO category in words (protest, demand,\n"
           "    threaten, assault, fight, aid...) or code, country, actor, QuadClass, tone/Goldstein thresholds\n"
           "  - time: today, yesterday, last week, past N days, on 15 July 2025, since June, between X and Y,\n"
           "    in the 2024 data\n"
           "  - Wikipedia: most edited pages, edits per wiki, bots vs humans, top editors, a \"page\" over time\n"
           "  - gold: pages correlated with an event type, country or actor; strongest pairs; events behind a\n"
           "    page; breaking-news bursts and the news behind them; match and mismatch rates\n"
           "  - data quality: valid-record rates, quarantined rows and why, expectation failures\n"
           "  - schema: \"describe TABLE\", \"what columns does TABLE have\", \"where is the tone stored\", \"list the tables\"";
}

/* ---------- the engine ---------- */

typedef struct example_vec {
    int tmpl;
    float v[EMBED_DIM];
} example_vec;

struct ask_engine {
    embedder *emb;
    example_vec *ex;
    size_t nex;
    char **actors;
    size_t nactors;
    char **objects;
    size_t nobjects;
    int relative_data;
    double min_score;
    char latest[4][11]; /* data's latest day per table: gdelt, wiki, gold, bursts */
    /* the catalog's column descriptions, for "where is X stored" when no name or description
       contains X: embedded on first need, then ranked by similarity to X */
    char **ckey, **ctext;
    size_t ncat;
    float *cvec;
    pthread_mutex_t cat_lock;
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char **load_strings(sqlite3 *db, const char *sql, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    char **out = NULL;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (!s || !*s) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            char **p = realloc(out, cap * sizeof *p);
            if (!p) break;
            out = p;
        }
        out[(*n)++] = strdup(s);
    }
    sqlite3_finalize(st);
    return out;
}

static void latest_day(sqlite3 *db, const char *sql, char out[11])
{
    out[0] = '\0';
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, 11, "%.10s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int ask_engine_open(const config *cfg, sqlite3 *db, ask_engine **out, char *err, size_t errlen)
{
    *out = NULL;
    ask_engine *e = calloc(1, sizeof *e);
    if (!e) return -1;
    if (embedder_open(cfg, &e->emb, err, errlen) != 0) {
        free(e);
        return -1;
    }
    const char *rel = config_get_str(cfg, "ask.relative_to", "today");
    if (strcmp(rel, "today") && strcmp(rel, "data")) {
        snprintf(err, errlen, "ask.relative_to = %s: expected today or data", rel);
        ask_engine_close(e);
        return -1;
    }
    e->relative_data = !strcmp(rel, "data");
    pthread_mutex_init(&e->cat_lock, NULL);
    e->min_score = config_get_double(cfg, "ask.min_score", embedder_is_fallback(e->emb) ? 0.40 : 0.60);
    /* every example of every template, embedded once */
    size_t total = 0;
    for (size_t t = 0; t < NTEMPLATES; t++)
        for (int k = 0; k < 12 && templates[t].examples[k]; k++) total++;
    const char **texts = calloc(total, sizeof *texts);
    e->ex = calloc(total, sizeof *e->ex);
    float *vecs = calloc(total * EMBED_DIM, sizeof *vecs);
    if (!texts || !e->ex || !vecs) {
        free(texts), free(vecs);
        ask_engine_close(e);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t i = 0;
    for (size_t t = 0; t < NTEMPLATES; t++)
        for (int k = 0; k < 12 && templates[t].examples[k]; k++) {
            texts[i] = templates[t].examples[k];
            e->ex[i].tmpl = (int)t;
            i++;
        }
    if (embedder_encode(e->emb, texts, total, vecs, err, errlen) != 0) {
        free(texts), free(vecs);
        ask_engine_close(e);
        return -1;
    }
    for (i = 0; i < total; i++) memcpy(e->ex[i].v, vecs + i * EMBED_DIM, sizeof e->ex[i].v);
    e->nex = total;
    free(texts);
    free(vecs);
    if (db) {
        e->actors = load_strings(db, "SELECT DISTINCT Actor1Name FROM gdelt_silver UNION SELECT DISTINCT Actor2Name FROM gdelt_silver", &e->nactors);
        if (e->actors) qsort(e->actors, e->nactors, sizeof *e->actors, cmp_str);
        size_t nk = 0, nt = 0;
        e->ckey = load_strings(db, "SELECT table_name || '.' || column_name FROM catalog_columns ORDER BY rowid", &nk);
        e->ctext = load_strings(db, "SELECT column_name || ': ' || COALESCE(description, '') FROM catalog_columns ORDER BY rowid", &nt);
        e->ncat = nk == nt ? nk : 0;
        e->objects = load_strings(db, "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'"
                                      " UNION SELECT table_name FROM catalog_tables", &e->nobjects);
        if (e->relative_data) {
            latest_day(db, "SELECT MAX(event_time) FROM gdelt_silver", e->latest[0]);
            latest_day(db, "SELECT MAX(event_time) FROM wikimedia_silver", e->latest[1]);
            latest_day(db, "SELECT MAX(event_time) FROM correlated_gold_events", e->latest[2]);
            latest_day(db, "SELECT MAX(burst_start) FROM breaking_news_bursts", e->latest[3]);
        }
    }
    *out = e;
    return 0;
}

void ask_engine_close(ask_engine *e)
{
    if (!e) return;
    embedder_close(e->emb);
    free(e->ex);
    for (size_t i = 0; i < e->nactors; i++) free(e->actors[i]);
    free(e->actors);
    for (size_t i = 0; i < e->nobjects; i++) free(e->objects[i]);
    free(e->objects);
    for (size_t i = 0; e->ckey && i < e->ncat; i++) free(e->ckey[i]);
    for (size_t i = 0; e->ctext && i < e->ncat; i++) free(e->ctext[i]);
    free(e->ckey);
    free(e->ctext);
    free(e->cvec);
    pthread_mutex_destroy(&e->cat_lock);
    free(e);
}

const char *ask_engine_embedder(const ask_engine *e) { return embedder_name(e->emb); }
int ask_engine_is_fallback(const ask_engine *e) { return embedder_is_fallback(e->emb); }

/* ---------- SQL assembly ---------- */

typedef struct sqlb {
    buf where;          /* " WHERE a AND b" */
    int nconds;
    ask_plan *plan;
    buf read;           /* reading of the filters */
    buf ignored;
} sqlb;

static int add_param_t(ask_plan *p, const char *v)
{
    if (p->nparams >= ASK_MAX_PARAMS) return 0;
    ask_param *a = &p->params[p->nparams++];
    a->type = 't';
    snprintf(a->t, sizeof a->t, "%s", v);
    return p->nparams;
}
static int add_param_i(ask_plan *p, int64_t v)
{
    if (p->nparams >= ASK_MAX_PARAMS) return 0;
    ask_param *a = &p->params[p->nparams++];
    a->type = 'i';
    a->i = v;
    return p->nparams;
}
static int add_param_d(ask_plan *p, double v)
{
    if (p->nparams >= ASK_MAX_PARAMS) return 0;
    ask_param *a = &p->params[p->nparams++];
    a->type = 'd';
    a->d = v;
    return p->nparams;
}

static void cond(sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cond(sqlb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_appendf(&b->where, "%s%s", b->nconds ? " AND " : " WHERE ", tmp);
    b->nconds++;
}
static void readf(sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void readf(sqlb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_appendf(&b->read, "%s%s", b->read.len ? ", " : "", tmp);
}
static void ignoredf(sqlb *b, const char *what) { buf_appendf(&b->ignored, "%s%s", b->ignored.len ? ", " : "", what); }

static const char *measure_col(int m, char alias)
{
    static char out[64];
    const char *c = m == MEASURE_GOLDSTEIN ? "GoldsteinScale" : m == MEASURE_MENTIONS ? "NumMentions"
                  : m == MEASURE_ARTICLES ? "NumArticles" : m == MEASURE_SOURCES ? "NumSources" : "AvgTone";
    snprintf(out, sizeof out, "%c.%s", alias, c);
    return out;
}
static const char *measure_name(int m)
{
    return m == MEASURE_GOLDSTEIN ? "goldstein" : m == MEASURE_MENTIONS ? "mentions" : m == MEASURE_ARTICLES ? "articles"
         : m == MEASURE_SOURCES ? "sources" : "tone";
}

static const char *quad_names[] = {"verbal cooperation", "material cooperation", "verbal conflict", "material conflict"};

/* The category condition on alias a (gdelt_silver: root/base/code columns). */
static void category_cond(sqlb *b, const ask_slots *s, char *out, size_t cap)
{
    size_t n = strlen(s->cameo);
    int k = add_param_t(b->plan, s->cameo);
    snprintf(out, cap, "g.%s = ?%d", n == 2 ? "EventRootCode" : n == 3 ? "EventBaseCode" : "EventCode", k);
}

static void quad_cond(sqlb *b, const ask_slots *s, char *out, size_t cap)
{
    size_t o = 0;
    o += (size_t)snprintf(out + o, cap - o, "g.QuadClass IN (");
    int first = 1;
    for (int q = 0; q < 4; q++)
        if (s->quad_mask & (1 << q)) {
            int k = add_param_i(b->plan, q + 1);
            o += (size_t)snprintf(out + o, cap - o, "%s?%d", first ? "" : ", ", k);
            first = 0;
        }
    snprintf(out + o, cap - o, ")");
}

static void quad_reading(const ask_slots *s, char *out, size_t cap)
{
    out[0] = '\0';
    size_t o = 0;
    for (int q = 0; q < 4; q++)
        if (s->quad_mask & (1 << q)) o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " or " : "", quad_names[q]);
    snprintf(out + o, cap - o, " (QuadClass)");
}

/* Event filters expressed on gdelt_silver g (the event domain, and the gold domains' subquery). */
static void event_conds(sqlb *b, const ask_slots *s, const tmpl *t, int share)
{
    char c[256];
    if (s->cameo[0] && !(share && !s->quad_mask)) {
        category_cond(b, s, c, sizeof c);
        cond(b, "%s", c);
        readf(b, "CAMEO %s %s", s->cameo, s->cameo_desc);
    }
    if (s->quad_mask && !(t->flags & F_NOQUAD) && !share) {
        quad_cond(b, s, c, sizeof c);
        cond(b, "%s", c);
        char r[128];
        quad_reading(s, r, sizeof r);
        readf(b, "%s", r);
    }
    if (s->country_row >= 0 || s->adm1[0]) {
        if (s->adm1[0]) {
            cond(b, "g.ActionGeo_ADM1Code = ?%d", add_param_t(b->plan, s->adm1));
            readf(b, "where: %s (ActionGeo_ADM1Code %s)", s->country_name, s->adm1);
        } else if (s->country_actor) {
            cond(b, "g.Actor1CountryCode = ?%d", add_param_t(b->plan, s->cameo_cc));
            readf(b, "actor country %s (Actor1CountryCode %s)", s->country_name, s->cameo_cc);
        } else {
            /* a country with two FIPS codes (Palestine: Gaza Strip and West Bank) */
            const char *second = NULL;
            for (size_t r = 0; r < country_table_n; r++)
                if ((int)r != s->country_row && !strcmp(country_table[r].cameo, s->cameo_cc) && country_table[r].fips[0] &&
                    strcmp(country_table[r].fips, s->fips))
                    second = country_table[r].fips;
            if (second && !strcmp(s->cameo_cc, "PSE")) {
                int k1 = add_param_t(b->plan, s->fips), k2 = add_param_t(b->plan, second);
                cond(b, "g.ActionGeo_CountryCode IN (?%d, ?%d)", k1, k2);
                readf(b, "where: %s (ActionGeo_CountryCode %s or %s)", s->country_name, s->fips, second);
            } else {
                cond(b, "g.ActionGeo_CountryCode = ?%d", add_param_t(b->plan, s->fips));
                readf(b, "where: %s (ActionGeo_CountryCode %s)", s->country_name, s->fips);
            }
        }
    }
    if (s->actor_type[0]) {
        int k = add_param_t(b->plan, s->actor_type);
        cond(b, "(g.Actor1Type1Code = ?%d OR g.Actor2Type1Code = ?%d)", k, k);
        readf(b, "actor %s (Actor1/2Type1Code %s)", s->actor_words, s->actor_type);
    } else if (s->actor_name[0]) {
        int k = add_param_t(b->plan, s->actor_name);
        cond(b, "(g.Actor1Name = ?%d OR g.Actor2Name = ?%d)", k, k);
        readf(b, "actor %s (Actor1Name or Actor2Name)", s->actor_name);
    }
    if (s->threshold_set) {
        int k = add_param_d(b->plan, s->threshold);
        cond(b, "%s %s ?%d", measure_col(s->measure, 'g'), s->threshold_op, k);
        readf(b, "%s %s %g", measure_name(s->measure), s->threshold_op, s->threshold);
    }
}

static void time_conds(sqlb *b, const ask_slots *s, const char *col)
{
    if (!s->time.set) return;
    if (s->time.from[0]) cond(b, "%s >= ?%d", col, add_param_t(b->plan, s->time.from));
    if (s->time.to[0]) cond(b, "%s < ?%d", col, add_param_t(b->plan, s->time.to));
    char last[11] = "";
    if (s->time.to[0]) ask_date_add(s->time.to, -1, last);
    if (s->time.from[0] && s->time.to[0] && !strcmp(s->time.from, last))
        readf(b, "on %s", s->time.from);
    else if (s->time.from[0] && s->time.to[0])
        readf(b, "from %s to %s", s->time.from, last);
    else if (s->time.from[0])
        readf(b, "from %s on", s->time.from);
    else
        readf(b, "before %s", s->time.to);
}

static int has_event_slots(const ask_slots *s)
{
    return s->cameo[0] || s->quad_mask || s->country_row >= 0 || s->adm1[0] || s->actor_type[0] || s->actor_name[0] ||
           s->threshold_set;
}

static void build_filters(sqlb *b, const tmpl *t, ask_slots *s)
{
    switch (t->dom) {
    case D_GDELT:
        event_conds(b, s, t, (t->flags & F_CATEGORY) != 0);
        time_conds(b, s, "g.event_time");
        if (!strcmp(t->id, "events_by_country") || !strcmp(t->id, "events_measure_by_country"))
            cond(b, "g.ActionGeo_CountryCode <> ''");
        if (!strcmp(t->id, "events_by_actor")) cond(b, "g.Actor1Name <> ''");
        if (!strcmp(t->id, "events_by_actor_country")) cond(b, "g.Actor1CountryCode <> ''");
        if (s->wiki[0] || s->title[0]) ignoredf(b, "the wiki and page (events have none)");
        break;
    case D_GOLD:
    case D_BURST: {
        char a = t->dom == D_GOLD ? 'c' : 'b';
        if (!strcmp(t->id, "gold_match_rate")) {
            if (has_event_slots(s) || s->time.set || s->wiki[0]) ignoredf(b, "the filters (the view counts every event)");
            break;
        }
        if (s->cameo[0]) {
            /* a prefix by substr, not LIKE: a bound LIKE pattern makes SQLite re-plan the statement
               when it is bound, which the governed connection refuses */
            cond(b, "substr(%c.EventCode, 1, %d) = ?%d", a, (int)strlen(s->cameo), add_param_t(b->plan, s->cameo));
            readf(b, "CAMEO %s %s", s->cameo, s->cameo_desc);
        }
        if ((s->country_row >= 0 && !s->country_actor && !s->adm1[0])) {
            cond(b, "%c.ActionGeo_CountryCode = ?%d", a, add_param_t(b->plan, s->fips));
            readf(b, "where: %s (ActionGeo_CountryCode %s)", s->country_name, s->fips);
        }
        /* the rest of the event filters need the silver event: a subquery on gdelt_silver */
        ask_slots rest = *s;
        rest.cameo[0] = '\0';
        if (!rest.country_actor && !rest.adm1[0]) rest.country_row = -1;
        rest.time.set = 0;
        if (a == 'c' && rest.threshold_set && rest.measure == MEASURE_TONE) {
            cond(b, "c.AvgTone %s ?%d", rest.threshold_op, add_param_d(b->plan, rest.threshold));
            readf(b, "tone %s %g", rest.threshold_op, rest.threshold);
            rest.threshold_set = 0;
        }
        if (has_event_slots(&rest)) {
            sqlb sub = {BUF_INIT, 0, b->plan, BUF_INIT, BUF_INIT};
            event_conds(&sub, &rest, t, 0);
            cond(b, "%c.gdelt_silver_id IN (SELECT g.silver_id FROM gdelt_silver g%s)", a, sub.where.data ? sub.where.data : "");
            if (sub.read.data) readf(b, "%s (through gdelt_silver)", sub.read.data);
            buf_free(&sub.where), buf_free(&sub.read), buf_free(&sub.ignored);
        }
        if (s->wiki[0]) {
            cond(b, "%c.wiki = ?%d", a, add_param_t(b->plan, s->wiki));
            readf(b, "wiki %s", s->wiki);
        }
        if (s->title[0]) {
            cond(b, "%c.title = ?%d", a, add_param_t(b->plan, s->title));
            readf(b, "page '%s'", s->title);
        }
        time_conds(b, s, a == 'c' ? "c.event_time" : "b.burst_start");
        break;
    }
    case D_WIKI:
        if (t->flags & F_CONTENT) cond(b, "w.is_content = 1");
        if (s->wiki[0]) {
            cond(b, "w.wiki = ?%d", add_param_t(b->plan, s->wiki));
            readf(b, "wiki %s", s->wiki);
        }
        if (s->bot >= 0 && !(t->flags & F_NOBOT)) {
            cond(b, "w.bot = ?%d", add_param_i(b->plan, s->bot));
            readf(b, "%s only", s->bot ? "bots" : "humans");
        }
        if (s->title[0]) {
            cond(b, "w.title = ?%d", add_param_t(b->plan, s->title));
            readf(b, "page '%s'", s->title);
        }
        time_conds(b, s, "w.event_time");
        if (has_event_slots(s)) ignoredf(b, "the event filters (edits have no CAMEO code, country or actor)");
        break;
    default:
        break;
    }
}

/* Expands the template's markers into plan->sql. */
static int expand(const tmpl *t, ask_slots *s, ask_plan *p)
{
    sqlb b = {BUF_INIT, 0, p, BUF_INIT, BUF_INIT};
    buf out = BUF_INIT;
    int measure = s->measure;
    if (!measure) measure = (t->flags & F_MEASURE_MENTIONS) ? MEASURE_MENTIONS : MEASURE_TONE;
    int hourly = s->per_hour || ((t->flags & F_HOURLY) && !strstr(s->delex, "day"));
    char bucket[96];
    char alias = t->dom == D_WIKI ? 'w' : t->dom == D_GOLD ? 'c' : t->dom == D_BURST ? 'b' : 'g';
    const char *tcol = alias == 'b' ? "burst_start" : "event_time";
    if (hourly) snprintf(bucket, sizeof bucket, "substr(%c.%s, 1, 13) || ':00'", alias, tcol);
    else snprintf(bucket, sizeof bucket, "substr(%c.%s, 1, 10)", alias, tcol);
    int dir = s->direction;
    if (!dir) dir = (t->flags & F_ASC) && measure != MEASURE_MENTIONS ? -1 : 1;
    if (!strcmp(t->id, "events_top") && !s->direction && measure == MEASURE_TONE) dir = -1;

    /* parameters of the template itself come first: ?1 for the object / term */
    if (t->flags & F_OBJECT) add_param_t(p, s->object);
    if (t->flags & F_TERM) {
        char like[ASK_TEXT];
        snprintf(like, sizeof like, "%%%s%%", s->term);
        add_param_t(p, like);
    }
    build_filters(&b, t, s);
    char share[256] = "";
    if (t->flags & F_CATEGORY) {
        if (s->quad_mask) quad_cond(&b, s, share, sizeof share);
        else category_cond(&b, s, share, sizeof share);
    }
    for (const char *q = t->sql; *q; q++) {
        if (*q != '{') {
            buf_append(&out, q, 1);
            continue;
        }
        const char *e = strchr(q, '}');
        if (!e) break;
        size_t n = (size_t)(e - q - 1);
        if (n == 1 && q[1] == 'W') buf_append_str(&out, b.where.data ? b.where.data : "");
        else if (n == 1 && q[1] == 'N') {
            int top = s->top_n > 0 ? s->top_n : t->default_n;
            if (top > 1000) top = 1000;
            buf_appendf(&out, "?%d", add_param_i(p, top));
        } else if (n == 1 && q[1] == 'M') buf_append_str(&out, measure_col(measure, alias == 'w' ? 'g' : alias));
        else if (n == 2 && q[1] == 'M' && q[2] == 'N') buf_append_str(&out, measure_name(measure));
        else if (n == 1 && q[1] == 'D') buf_append_str(&out, dir < 0 ? "ASC" : "DESC");
        else if (n == 1 && q[1] == 'B') buf_append_str(&out, bucket);
        else if (n == 1 && q[1] == 'S') buf_append_str(&out, share);
        q = e;
    }
    p->sql = buf_detach(&out);
    /* the reading */
    char what[256];
    size_t w = 0;
    for (const char *q = t->what; *q && w + 64 < sizeof what; q++) {
        if (!strncmp(q, "{MN}", 4)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", measure_name(measure)), q += 3;
        else if (!strncmp(q, "{B}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", hourly ? "hour" : "day"), q += 2;
        else if (!strncmp(q, "{O}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", s->object), q += 2;
        else if (!strncmp(q, "{Q}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", s->term), q += 2;
        else if (!strncmp(q, "{S}", 3)) {
            char r[192];
            if (s->quad_mask) quad_reading(s, r, sizeof r);
            else snprintf(r, sizeof r, "CAMEO %s %s", s->cameo, s->cameo_desc);
            w += (size_t)snprintf(what + w, sizeof what - w, "%s", r), q += 2;
        } else what[w++] = *q;
    }
    what[w] = '\0';
    int top = s->top_n > 0 ? s->top_n : t->default_n;
    snprintf(p->reading, sizeof p->reading, "%s%s%s%s%s%s%s%s", what, b.read.len ? "; " : "", b.read.data ? b.read.data : "",
             t->default_n ? "; top " : "", "", "", b.ignored.len ? "; ignored: " : "", b.ignored.data ? b.ignored.data : "");
    if (t->default_n) {
        char tail[32];
        snprintf(tail, sizeof tail, "%d", top);
        /* insert N after "top " */
        char tmp[768];
        const char *at = strstr(p->reading, "; top ");
        if (at) {
            size_t pre = (size_t)(at - p->reading) + 6;
            snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)pre, p->reading, tail, p->reading + pre);
            snprintf(p->reading, sizeof p->reading, "%s", tmp);
        }
    }
    if (s->note[0]) {
        size_t l = strlen(p->reading);
        snprintf(p->reading + l, sizeof p->reading - l, " (%s)", s->note);
    }
    buf_free(&b.where), buf_free(&b.read), buf_free(&b.ignored);
    return p->sql ? 0 : -1;
}

/* "where is the sentiment stored": when no column name or description contains the term, the
 * columns whose "name: description" is closest in meaning (the catalog embedded once, lazily).
 * Returns 1 when it wrote the plan, 0 to keep the LIKE template. */
#define SEMANTIC_TOP 6
static int semantic_columns(ask_engine *e, const ask_slots *s, ask_plan *p)
{
    if (!e->ncat || !s->term[0]) return 0;
    for (size_t i = 0; i < e->ncat; i++)
        if (strcasestr(e->ckey[i], s->term) || strcasestr(e->ctext[i], s->term)) return 0;
    char err[WG_ERR_LEN];
    pthread_mutex_lock(&e->cat_lock);
    if (!e->cvec) {
        float *v = malloc(e->ncat * EMBED_DIM * sizeof *v);
        if (v && embedder_encode(e->emb, (const char *const *)e->ctext, e->ncat, v, err, sizeof err) == 0) e->cvec = v;
        else free(v);
    }
    pthread_mutex_unlock(&e->cat_lock);
    if (!e->cvec) return 0;
    float q[EMBED_DIM];
    const char *term = s->term;
    if (embedder_encode(e->emb, &term, 1, q, err, sizeof err) != 0) return 0;
    size_t top[SEMANTIC_TOP];
    double sc[SEMANTIC_TOP];
    int n = 0;
    for (size_t i = 0; i < e->ncat; i++) {
        double d = 0;
        for (int k = 0; k < EMBED_DIM; k++) d += (double)q[k] * e->cvec[i * EMBED_DIM + k];
        int at = n < SEMANTIC_TOP ? n : -1;
        for (int j = 0; j < n; j++)
            if (d > sc[j]) { at = j; break; }
        if (at < 0) continue;
        for (int j = (n < SEMANTIC_TOP ? n : SEMANTIC_TOP - 1); j > at; j--) top[j] = top[j - 1], sc[j] = sc[j - 1];
        top[at] = i, sc[at] = d;
        if (n < SEMANTIC_TOP) n++;
    }
    if (!n) return 0;
    buf sql = BUF_INIT;
    buf_append_str(&sql, "SELECT c.table_name, c.column_name, c.description FROM catalog_columns c"
                         " WHERE c.table_name || '.' || c.column_name IN (");
    for (int j = 0; j < n; j++) buf_appendf(&sql, "%s?%d", j ? ", " : "", add_param_t(p, e->ckey[top[j]]));
    buf_append_str(&sql, ") ORDER BY c.table_name, c.column_name");
    p->sql = buf_detach(&sql);
    snprintf(p->reading, sizeof p->reading,
             "no column name or description contains '%s': the %d columns whose descriptions are closest in meaning "
             "(MiniLM similarity over the catalog, best %.2f)", s->term, n, sc[0]);
    return p->sql ? 1 : 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void today(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int write_verb(const char *q)
{
    static const char *const verbs[] = {"delete", "drop", "update", "insert", "truncate", "alter", "remove", "create",
                                        "replace", "vacuum", "attach", "pragma", "erase", "purge", "wipe", "modify",
                                        "overwrite", "rename", "grant", "revoke"};
    while (*q && !isalpha((unsigned char)*q)) q++;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        size_t n = strlen(verbs[i]);
        if (!strncasecmp(q, verbs[i], n) && !isalpha((unsigned char)q[n])) return 1;
    }
    return 0;
}

int ask_parse(ask_engine *e, const char *question, ask_plan *p, char *err, size_t errlen)
{
    double t0 = now_ms();
    memset(p, 0, sizeof *p);
    char ref[11];
    today(ref);
    ask_lexicon lex = {(const char *const *)e->actors, e->nactors, (const char *const *)e->objects, e->nobjects};
    if (ask_slots_parse(question, ref, &lex, &p->slots, err, errlen) != 0) return -1;
    ask_slots *s = &p->slots;
    if (s->ask_back[0]) {
        p->status = ASK_CLARIFY;
        p->intent = "clarify";
        p->domain = "";
        snprintf(p->message, sizeof p->message, "%s", s->ask_back);
        snprintf(p->reading, sizeof p->reading, "ambiguous: %s", s->ask_back);
        p->parse_ms = now_ms() - t0;
        return 0;
    }
    const char *text = s->delex[0] ? s->delex : "empty";
    float v[EMBED_DIM];
    if (embedder_encode(e->emb, &text, 1, v, err, errlen) != 0) return -1;
    double best[NTEMPLATES];
    for (size_t t = 0; t < NTEMPLATES; t++) best[t] = -2;
    for (size_t i = 0; i < e->nex; i++) {
        double d = 0;
        for (int k = 0; k < EMBED_DIM; k++) d += (double)v[k] * e->ex[i].v[k];
        if (d > best[e->ex[i].tmpl]) best[e->ex[i].tmpl] = d;
    }
    /* slot compatibility: a template that needs a slot the question lacks is out; one that
       cannot apply a slot the question fills loses a little */
    int ev = has_event_slots(s), wk = s->wiki[0] || s->bot >= 0 || s->bots_and_humans;
    double raw_best = -2;
    int count_q = 0;
    {
        const char *d = s->delex;
        if (!strncmp(d, "how many ", 9) || !strncmp(d, "count ", 6) || !strncmp(d, "number of ", 10))
            count_q = !strstr(d, " per ") && !strstr(d, " each ") && !strstr(d, " by ") && !strstr(d, " versus ") &&
                      !strstr(d, " vs ") && !strstr(d, "failed");
    }
    for (size_t t = 0; t < NTEMPLATES; t++) {
        const tmpl *tp = &templates[t];
        if (best[t] > raw_best) raw_best = best[t];
        if ((tp->flags & F_TITLE) && !s->title[0]) best[t] = -2;
        if ((tp->flags & F_OBJECT) && !s->object[0]) best[t] = -2;
        if ((tp->flags & F_TERM) && !s->term[0]) best[t] = -2;
        if ((tp->flags & F_CATEGORY) && !s->cameo[0] && !s->quad_mask) best[t] = -2;
        if (tp->dom == D_WIKI && ev) best[t] -= 0.08;
        if ((tp->dom == D_GDELT) && (wk || s->title[0])) best[t] -= 0.08;
        if (s->title[0] && (tp->flags & F_TITLE)) best[t] += 0.05;
        /* "how many ..." with no "per"/"each"/"by": a count, not a ranking */
        if (count_q && (!strcmp(tp->id, "events_count") || !strcmp(tp->id, "wiki_count"))) best[t] += 0.1;
        /* grouping by the very thing the question fixes to one value is not what it asks */
        int action_country = (s->country_row >= 0 && !s->country_actor) || s->adm1[0];
        if (action_country && (!strcmp(tp->id, "events_by_country") || !strcmp(tp->id, "events_measure_by_country") ||
                               !strcmp(tp->id, "gold_by_country")))
            best[t] -= 0.15;
        if (s->country_row >= 0 && s->country_actor && !strcmp(tp->id, "events_by_actor_country")) best[t] -= 0.1;
        if ((s->actor_name[0] || s->actor_type[0]) && !strcmp(tp->id, "events_by_actor")) best[t] -= 0.1;
        if (s->cameo[0] && strlen(s->cameo) == 2 && !strcmp(tp->id, "events_by_category")) best[t] -= 0.1;
        if (s->term[0] && (tp->flags & F_TERM)) best[t] += 0.05;
        if (s->object[0] && (tp->flags & F_OBJECT)) best[t] += 0.05;
    }
    size_t bi = 0, si = 1;
    for (size_t t = 0; t < NTEMPLATES; t++)
        if (best[t] > best[bi]) bi = t;
    si = bi == 0 ? 1 : 0;
    for (size_t t = 0; t < NTEMPLATES; t++)
        if (t != bi && best[t] > best[si]) si = t;
    const tmpl *tp = &templates[bi];
    p->score = best[bi];
    p->runner_up = templates[si].id;
    p->runner_score = best[si];
    p->intent = tp->id;
    p->domain = dom_names[tp->dom];
    if (write_verb(question) || tp->dom == D_NULL || best[bi] < e->min_score) {
        p->status = ASK_CANNOT;
        p->intent = "cannot";
        p->domain = "";
        if (write_verb(question) || !strcmp(tp->id, "cannot_write"))
            snprintf(p->message, sizeof p->message,
                     "I cannot answer that: the assistant only reads (queries run on a read-only connection "
                     "with the asker's rights; nothing is ever written).\n%s", ask_capabilities());
        else if (tp->dom == D_NULL)
            snprintf(p->message, sizeof p->message,
                     "I cannot answer that: it is not a question about this data.\n%s", ask_capabilities());
        else
            snprintf(p->message, sizeof p->message,
                     "I cannot map that question onto this data (closest: %s, similarity %.2f < %.2f).\n%s",
                     templates[bi].id, best[bi], e->min_score, ask_capabilities());
        snprintf(p->reading, sizeof p->reading, "not a question about this data");
        p->parse_ms = now_ms() - t0;
        return 0;
    }
    if (tp->dom == D_HELP) {
        p->status = ASK_HELP;
        snprintf(p->message, sizeof p->message, "%s", ask_capabilities());
        snprintf(p->reading, sizeof p->reading, "a question about the assistant itself");
        p->parse_ms = now_ms() - t0;
        return 0;
    }
    /* time relative to the data's latest day in the table asked about */
    if (e->relative_data && s->time.set && s->time.relative) {
        int di = tp->dom == D_WIKI ? 1 : tp->dom == D_GOLD ? 2 : tp->dom == D_BURST ? 3 : 0;
        if (e->latest[di][0]) {
            ask_slots again;
            if (ask_slots_parse(question, e->latest[di], &lex, &again, err, errlen) == 0) s->time = again.time;
        }
    }
    p->catalog = (tp->flags & (F_CATALOG | F_OBJECT | F_TERM)) != 0;
    if ((tp->flags & F_TERM) && semantic_columns(e, s, p) == 1) {
        p->status = ASK_SQL;
        p->parse_ms = now_ms() - t0;
        return 0;
    }
    if (expand(tp, s, p) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (s->time.set && e->relative_data && s->time.relative) {
        size_t l = strlen(p->reading);
        snprintf(p->reading + l, sizeof p->reading - l, " (\"%s\" relative to the data's latest day)", s->time.text);
    }
    p->status = ASK_SQL;
    p->parse_ms = now_ms() - t0;
    return 0;
}

void ask_plan_free(ask_plan *p)
{
    if (!p) return;
    free(p->sql);
    p->sql = NULL;
}

int ask_bind(sqlite3_stmt *st, const ask_plan *p)
{
    for (int i = 0; i < p->nparams; i++) {
        const ask_param *a = &p->params[i];
        int rc = a->type == 'i' ? sqlite3_bind_int64(st, i + 1, a->i)
               : a->type == 'd' ? sqlite3_bind_double(st, i + 1, a->d)
                                : sqlite3_bind_text(st, i + 1, a->t, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK && rc != SQLITE_RANGE) return -1;
    }
    return 0;
}

void ask_plan_sql_text(const ask_plan *p, buf *out)
{
    if (!p->sql) return;
    buf_append_str(out, p->sql);
    buf_append_str(out, ";\n");
    for (int i = 0; i < p->nparams; i++) {
        const ask_param *a = &p->params[i];
        if (a->type == 'i') buf_appendf(out, "-- ?%d = %lld\n", i + 1, (long long)a->i);
        else if (a->type == 'd') buf_appendf(out, "-- ?%d = %g\n", i + 1, a->d);
        else {
            buf_appendf(out, "-- ?%d = '", i + 1);
            for (const char *c = a->t; *c; c++) buf_append(out, *c == '\'' ? "''" : c, *c == '\'' ? 2 : 1);
            buf_append_str(out, "'\n");
        }
    }
}
