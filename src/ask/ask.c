/* The assistant's parser (ask.h): slots by grammar (slots.c), intent by embedding similarity to
 * described templates, SQL assembled from fixed fragments with every value a bound parameter. */
#include "ask/ask_int.h"
#include "core/settings.h"

#include "core/grow.h"
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
        if (grow_array(&out, &cap, *n, sizeof *out, 256)) break;
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
    const char *rel = setting_str(cfg, "ask.relative_to");
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
    for (size_t t = 0; t < ask_ntemplates; t++)
        for (int k = 0; k < 12 && ask_templates[t].examples[k]; k++) total++;
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
    for (size_t t = 0; t < ask_ntemplates; t++)
        for (int k = 0; k < 12 && ask_templates[t].examples[k]; k++) {
            texts[i] = ask_templates[t].examples[k];
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
    for (int j = 0; j < n; j++) buf_appendf(&sql, "%s?%d", j ? ", " : "", ask_add_param_t(p, e->ckey[top[j]]));
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
    double best[ASK_MAX_TEMPLATES];
    for (size_t t = 0; t < ask_ntemplates; t++) best[t] = -2;
    for (size_t i = 0; i < e->nex; i++) {
        double d = 0;
        for (int k = 0; k < EMBED_DIM; k++) d += (double)v[k] * e->ex[i].v[k];
        if (d > best[e->ex[i].tmpl]) best[e->ex[i].tmpl] = d;
    }
    /* slot compatibility: a template that needs a slot the question lacks is out; one that
       cannot apply a slot the question fills loses a little */
    int ev = ask_has_event_slots(s), wk = s->wiki[0] || s->bot >= 0 || s->bots_and_humans;
    double raw_best = -2;
    int count_q = 0;
    {
        const char *d = s->delex;
        if (!strncmp(d, "how many ", 9) || !strncmp(d, "count ", 6) || !strncmp(d, "number of ", 10))
            count_q = !strstr(d, " per ") && !strstr(d, " each ") && !strstr(d, " by ") && !strstr(d, " versus ") &&
                      !strstr(d, " vs ") && !strstr(d, "failed");
    }
    for (size_t t = 0; t < ask_ntemplates; t++) {
        const tmpl *tp = &ask_templates[t];
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
    for (size_t t = 0; t < ask_ntemplates; t++)
        if (best[t] > best[bi]) bi = t;
    si = bi == 0 ? 1 : 0;
    for (size_t t = 0; t < ask_ntemplates; t++)
        if (t != bi && best[t] > best[si]) si = t;
    const tmpl *tp = &ask_templates[bi];
    p->score = best[bi];
    p->runner_up = ask_templates[si].id;
    p->runner_score = best[si];
    p->intent = tp->id;
    p->domain = ask_dom_names[tp->dom];
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
                     ask_templates[bi].id, best[bi], e->min_score, ask_capabilities());
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
    if (ask_expand(tp, s, p) != 0) {
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
