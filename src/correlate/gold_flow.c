/* The gold flow: windowed stream-stream join of news events and Wikipedia edits (gold_flow.h). */
#include "correlate/gold_flow.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "correlate/burst.h"
#include "correlate/countries.h"
#include "correlate/country_names.h"
#include "correlate/event_text.h"
#include "correlate/prefilter.h"
#include "correlate/rerank.h"
#include "correlate/simjoin.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_TIME INT64_MIN

/* ---- settings ---------------------------------------------------------------------------- */

typedef struct settings {
    int64_t bucket_seconds;
    int64_t lateness;
    float threshold;
    int top_k;
    int neighbours;
    int64_t batch_rows;
    int64_t max_open_buckets;
    unsigned fields;
    const char *fields_text;
    burst_params burst;
    /* Second stage (rerank.h): with it, the join keeps candidates by cosine >= candidate and
       pairs by reranker score >= rerank_threshold; without it, pairs by cosine >= threshold. */
    int rerank;
    float candidate_threshold, rerank_threshold;
    int candidate_k;
} settings;

double gold_threshold(const config *cfg, const embedder *emb)
{
    /* Defaults from the sweeps of `wikigdelt eval tests/data/labels.tsv` (docs/gold.md). */
    double def = embedder_is_fallback(emb) ? 0.15 : 0.40;
    return config_get_double(cfg, "correlate.threshold", def);
}

static int load_settings(const config *cfg, const embedder *emb, settings *s, char *err,
                         size_t errlen)
{
    s->bucket_seconds = config_get_int(cfg, "pipeline.bucket_seconds", 14400);
    s->lateness = config_get_int(cfg, "correlate.allowed_lateness_seconds", 14400);
    s->threshold = (float)gold_threshold(cfg, emb);
    s->top_k = (int)config_get_int(cfg, "correlate.top_k", 5);
    s->neighbours = config_get_bool(cfg, "correlate.neighbour_buckets", 0);
    s->batch_rows = config_get_int(cfg, "correlate.batch_rows", 4096);
    /* A stream that stops (a source down) holds its watermark back and no bucket would ever
       close; this cap keeps memory bounded anyway: past it the oldest bucket is closed early. */
    s->max_open_buckets = config_get_int(cfg, "correlate.max_open_buckets", 12);
    s->fields_text = config_get_str(cfg, "correlate.event_text_fields", EVENT_TEXT_DEFAULT_FIELDS);
    burst_params_from_config(cfg, &s->burst);
    s->rerank = rerank_enabled(cfg, emb);
    s->candidate_threshold = (float)rerank_candidate_threshold(cfg);
    s->rerank_threshold = (float)rerank_threshold(cfg);
    s->candidate_k = rerank_candidate_k(cfg);
    if (s->rerank && (!(s->candidate_threshold >= -1.0f && s->candidate_threshold <= 1.0f) ||
                      !(s->rerank_threshold >= 0.0f && s->rerank_threshold <= 1.0f) ||
                      s->candidate_k < 1 || s->candidate_k > 1000)) {
        snprintf(err, errlen, "correlate.candidate_threshold must be -1..1,"
                              " correlate.rerank.threshold 0..1, correlate.rerank.candidates 1..1000");
        return -1;
    }
    if (s->bucket_seconds < 60 || s->bucket_seconds > 7 * 86400) {
        snprintf(err, errlen, "pipeline.bucket_seconds = %lld: must be 60..604800",
                 (long long)s->bucket_seconds);
        return -1;
    }
    if (s->lateness < 0) {
        snprintf(err, errlen, "correlate.allowed_lateness_seconds must be >= 0");
        return -1;
    }
    if (s->top_k < 1 || s->top_k > 100) {
        snprintf(err, errlen, "correlate.top_k = %d: must be 1..100", s->top_k);
        return -1;
    }
    if (!(s->threshold >= -1.0f && s->threshold <= 1.0f)) {
        snprintf(err, errlen, "correlate.threshold must be between -1 and 1");
        return -1;
    }
    if (s->batch_rows < 1) s->batch_rows = 1;
    if (s->max_open_buckets < 1) s->max_open_buckets = 1;
    return event_text_parse_fields(s->fields_text, &s->fields, err, errlen);
}

/* ---- in-memory state of open buckets ----------------------------------------------------- */

typedef struct title_entry {
    char *wiki, *title;
    int64_t edit_count, first_sid, last_sid;
    int dirty; /* edit_count changed in this batch (only for titles from earlier batches) */
    long xrow;  /* row of its model vector in bucket.x_vec; -1 while not embedded (cascade) */
    int wanted; /* the cascade's first stage selected it in this batch */
} title_entry;

/* Indices of a bucket's titles or events, per country_table row (the candidate stage's country
   pages, below). */
typedef struct row_index {
    uint32_t *v;
    uint32_t n, cap;
} row_index;

typedef struct bucket {
    int64_t start;
    char start_text[TIME_TEXT_LEN];
    /* events: parallel arrays */
    size_t ne, ecap;
    int64_t *ev_sid;
    float *ev_vec;
    float *ev_floor;   /* k-th best similarity once the event has k pairs, else -2 */
    int *ev_pairs;     /* pairs stored */
    char **ev_text;    /* texts of events not embedded yet, freed after embedding */
    /* Lazy events (correlate.prefilter = lazy): a window's events are embedded only once it or
       a partner window has a title. ev_live is 0 while none of them is embedded (they wait with
       their texts, stored with an empty vector), 1 once all are (then every new one is embedded
       on arrival): a window's events are never half embedded, so the store's empty vectors say
       it exactly. In the other modes every window is live. */
    int ev_live;
    /* Events at index >= ev_jmark are embedded in the current batch and join as new events (all
       of a window that went live in this batch, else its new ones; ne while it waits). */
    size_t ev_jmark;
    /* titles */
    size_t nt, tcap;
    title_entry *titles;
    float *t_svec;     /* static vectors of every title, when the prefilter is on */
    uint32_t *slots;   /* open addressing: title index + 1, 0 = empty */
    size_t nslots;
    /* The titles embedded with the model ("exact rows", the only ones the exact join sees), in
       the order they were embedded: every title when the prefilter is off, else those the first
       stage selected so far. */
    size_t nx, xcap;
    uint32_t *x_title; /* title index of each exact row */
    float *x_vec;
    int sdim;          /* floats per static vector, 0 when the prefilter is off */
    /* marks: items at index >= mark arrived (exact rows: were embedded) in the current batch */
    size_t ev_mark, t_mark, x_mark;
    /* Per country_table row (NULL until the bucket has one): the titles that are that country's
       page in their wiki's language (country_names.h) and the events whose codes name it
       (Actor1/2CountryCode, ActionGeo_CountryCode). The candidate stage pairs them whatever
       their cosine: a Syria story and Syrien on dewiki. */
    row_index *country_titles, *country_events;
    int64_t batch_events, batch_titles, batch_edits, batch_late_events, batch_late_edits;
} bucket;

typedef struct state {
    bucket **b;
    size_t n, cap;
} state;

static uint64_t key_hash(const char *wiki, const char *title)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)wiki; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static void bucket_free(bucket *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->nt; i++) {
        free(b->titles[i].wiki);
        free(b->titles[i].title);
    }
    for (size_t i = 0; i < b->ne; i++) free(b->ev_text ? b->ev_text[i] : NULL);
    free(b->ev_sid);
    free(b->ev_vec);
    free(b->ev_floor);
    free(b->ev_pairs);
    free(b->ev_text);
    free(b->titles);
    free(b->t_svec);
    free(b->x_title);
    free(b->x_vec);
    free(b->slots);
    for (size_t i = 0; i < country_table_n; i++) {
        if (b->country_titles) free(b->country_titles[i].v);
        if (b->country_events) free(b->country_events[i].v);
    }
    free(b->country_titles);
    free(b->country_events);
    free(b);
}

/* Appends item to (*idx)[row], allocating the per-row array on first use. -1 out of memory. */
static int row_index_add(row_index **idx, size_t row, uint32_t item)
{
    if (row >= country_table_n) return 0;
    if (!*idx && !(*idx = calloc(country_table_n, sizeof **idx))) return -1;
    row_index *ri = &(*idx)[row];
    if (ri->n && ri->v[ri->n - 1] == item) return 0; /* the same item through another code */
    if (ri->n == ri->cap) {
        uint32_t cap = ri->cap ? ri->cap * 2 : 4;
        uint32_t *v = realloc(ri->v, cap * sizeof *v);
        if (!v) return -1;
        ri->v = v;
        ri->cap = cap;
    }
    ri->v[ri->n++] = item;
    return 0;
}

static void state_free(state *s)
{
    for (size_t i = 0; i < s->n; i++) bucket_free(s->b[i]);
    free(s->b);
    memset(s, 0, sizeof *s);
}

static bucket *state_find(state *s, int64_t start)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i]->start == start) return s->b[i];
    return NULL;
}

static bucket *state_add(state *s, int64_t start, int sdim)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        bucket **v = realloc(s->b, cap * sizeof *v);
        if (!v) return NULL;
        s->b = v;
        s->cap = cap;
    }
    bucket *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->start = start;
    b->sdim = sdim;
    time_format(start, b->start_text);
    s->b[s->n++] = b;
    return b;
}

static void state_remove(state *s, bucket *b)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i] == b) {
            s->b[i] = s->b[--s->n];
            break;
        }
    bucket_free(b);
}

static int event_reserve(bucket *b, size_t need)
{
    if (need <= b->ecap) return 0;
    size_t cap = b->ecap ? b->ecap : 256;
    while (cap < need) cap *= 2;
    int64_t *sid = realloc(b->ev_sid, cap * sizeof *sid);
    if (!sid) return -1;
    b->ev_sid = sid;
    float *vec = realloc(b->ev_vec, cap * EMBED_DIM * sizeof *vec);
    if (!vec) return -1;
    b->ev_vec = vec;
    float *fl = realloc(b->ev_floor, cap * sizeof *fl);
    if (!fl) return -1;
    b->ev_floor = fl;
    int *pc = realloc(b->ev_pairs, cap * sizeof *pc);
    if (!pc) return -1;
    b->ev_pairs = pc;
    char **tx = realloc(b->ev_text, cap * sizeof *tx);
    if (!tx) return -1;
    b->ev_text = tx;
    b->ecap = cap;
    return 0;
}

/* codes: Actor1CountryCode, Actor2CountryCode, ActionGeo_CountryCode (any NULL). */
static int event_add(bucket *b, int64_t sid, const float *vec, char *text,
                     const char *const codes[3])
{
    if (event_reserve(b, b->ne + 1) != 0) return -1;
    size_t rows[8];
    size_t nrows = codes ? country_rows_of_codes(codes[0], codes[1], codes[2], rows, 8) : 0;
    for (size_t k = 0; k < nrows; k++)
        if (row_index_add(&b->country_events, rows[k], (uint32_t)b->ne) != 0) return -1;
    size_t i = b->ne++;
    b->ev_sid[i] = sid;
    if (vec) memcpy(b->ev_vec + i * EMBED_DIM, vec, EMBED_DIM * sizeof(float));
    b->ev_floor[i] = -2.0f;
    b->ev_pairs[i] = 0;
    b->ev_text[i] = text;
    return 0;
}

/* The events of b embedded before the current batch (they join only the batch's new titles). */
static size_t ev_old(const bucket *b)
{
    return b->ev_live ? b->ev_jmark : 0;
}

static int slots_grow(bucket *b)
{
    size_t n = b->nslots ? b->nslots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < b->nt; i++) {
        size_t h = (size_t)key_hash(b->titles[i].wiki, b->titles[i].title) & (n - 1);
        while (s[h]) h = (h + 1) & (n - 1);
        s[h] = (uint32_t)(i + 1);
    }
    free(b->slots);
    b->slots = s;
    b->nslots = n;
    return 0;
}

/* Index of (wiki, title) in the bucket, or -1. */
static long title_find(const bucket *b, const char *wiki, const char *title)
{
    if (!b->nslots) return -1;
    size_t h = (size_t)key_hash(wiki, title) & (b->nslots - 1);
    while (b->slots[h]) {
        const title_entry *t = &b->titles[b->slots[h] - 1];
        if (!strcmp(t->wiki, wiki) && !strcmp(t->title, title)) return (long)(b->slots[h] - 1);
        h = (h + 1) & (b->nslots - 1);
    }
    return -1;
}

static int exact_reserve(bucket *b, size_t need)
{
    if (need > b->xcap) {
        size_t cap = b->xcap ? b->xcap : 256;
        while (cap < need) cap *= 2;
        uint32_t *xt = realloc(b->x_title, cap * sizeof *xt);
        if (!xt) return -1;
        b->x_title = xt;
        float *v = realloc(b->x_vec, cap * EMBED_DIM * sizeof *v);
        if (!v) return -1;
        b->x_vec = v;
        b->xcap = cap;
    }
    return 0;
}

/* Appends an exact row for title i and returns it (its vector is the caller's to fill). Rows
   returned earlier move unless exact_reserve made room for them all first. */
static float *exact_row_add(bucket *b, size_t i)
{
    if (exact_reserve(b, b->nx + 1) != 0) return NULL;
    b->x_title[b->nx] = (uint32_t)i;
    b->titles[i].xrow = (long)b->nx;
    return b->x_vec + b->nx++ * EMBED_DIM;
}

/* vec: the title's model vector when it has one (from the store), else NULL (embedded later,
   if the prefilter selects it). */
static long title_add(bucket *b, const char *wiki, const char *title, int64_t edits,
                      int64_t first_sid, int64_t last_sid, const float *vec)
{
    if ((b->nt + 1) * 2 > b->nslots && slots_grow(b) != 0) return -1;
    if (b->nt == b->tcap) {
        size_t cap = b->tcap ? b->tcap * 2 : 256;
        title_entry *t = realloc(b->titles, cap * sizeof *t);
        if (!t) return -1;
        b->titles = t;
        if (b->sdim) {
            float *v = realloc(b->t_svec, cap * (size_t)b->sdim * sizeof *v);
            if (!v) return -1;
            b->t_svec = v;
        }
        b->tcap = cap;
    }
    title_entry *t = &b->titles[b->nt];
    memset(t, 0, sizeof *t);
    t->wiki = strdup(wiki);
    t->title = strdup(title);
    if (!t->wiki || !t->title) {
        free(t->wiki);
        free(t->title);
        return -1;
    }
    t->edit_count = edits;
    t->first_sid = first_sid;
    t->last_sid = last_sid;
    t->xrow = -1;
    if (vec) {
        float *row = exact_row_add(b, b->nt);
        if (!row) {
            free(t->wiki);
            free(t->title);
            return -1;
        }
        memcpy(row, vec, EMBED_DIM * sizeof(float));
    }
    size_t rows[COUNTRY_MAX_ROWS];
    size_t nrows = country_page_rows(wiki, title, rows);
    for (size_t k = 0; k < nrows; k++)
        if (row_index_add(&b->country_titles, rows[k], (uint32_t)b->nt) != 0) {
            free(t->wiki);
            free(t->title);
            return -1;
        }
    size_t h = (size_t)key_hash(wiki, title) & (b->nslots - 1);
    while (b->slots[h]) h = (h + 1) & (b->nslots - 1);
    b->slots[h] = (uint32_t)(b->nt + 1);
    return (long)b->nt++;
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct run {
    sqlite3 *db;
    embedder *emb;
    prefilter *pf;                       /* the cascade's first stage; NULL unless static */
    prefilter_mode pf_mode;              /* correlate.prefilter */
    settings s;
    state st;
    gold_stats *stats;
    burst_detector *bursts;
    int have_gdelt, have_wiki;
    int64_t cp_gdelt, cp_wiki;           /* silver_id checkpoints */
    int64_t max_gdelt, max_wiki;         /* max event time seen per stream, NO_TIME if none */
    int64_t closed_before;               /* buckets ending at or before this are closed */
    char now_text[TIME_TEXT_LEN];
    char *err;
    size_t errlen;
    sqlite3_stmt *ins_event, *ins_late, *ins_pair, *rank_pairs, *prune_pairs, *best_event,
        *event_floor, *upd_title_pairs, *ins_open_event, *ins_open_title, *upd_open_title,
        *bucket_upsert, *bucket_late, *set_best_event, *upd_open_title_vec;
} run;

static int db_fail(run *r, const char *what)
{
    snprintf(r->err, r->errlen, "%s: %s", what, sqlite3_errmsg(r->db));
    return -1;
}

static int prepare(run *r, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) return db_fail(r, "prepare");
    return 0;
}

static int step_done(run *r, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_fail(r, what);
    return 0;
}

static void finalize_all(run *r)
{
    sqlite3_stmt **all[] = {&r->ins_event, &r->ins_late, &r->ins_pair, &r->rank_pairs,
                            &r->prune_pairs, &r->best_event, &r->event_floor,
                            &r->upd_title_pairs, &r->ins_open_event, &r->ins_open_title,
                            &r->upd_open_title, &r->bucket_upsert, &r->bucket_late,
                            &r->set_best_event, &r->upd_open_title_vec};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

static int prepare_all(run *r)
{
    return prepare(r, &r->ins_event,
                   "INSERT INTO gold_events(gdelt_silver_id, EventID, event_time, time_bucket,"
                   " EventCode, event_description, AvgTone, GoldsteinScale, ActionGeo_FullName,"
                   " ActionGeo_CountryCode, ActionGeo_Lat, ActionGeo_Long, event_text,"
                   " text_fields, status) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
                   "?14,?15) ON CONFLICT(gdelt_silver_id) DO NOTHING") ||
           prepare(r, &r->ins_late,
                   "INSERT INTO gold_late(stream, silver_id, event_time, time_bucket,"
                   " closed_before, detail, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7)"
                   " ON CONFLICT(stream, silver_id) DO NOTHING") ||
           prepare(r, &r->ins_pair,
                   "INSERT INTO correlated_gold_events(EventID, event_time, time_bucket, wiki,"
                   " title, title_time_bucket, edit_count, cosine_sim, rank, EventCode, AvgTone,"
                   " ActionGeo_Lat, ActionGeo_Long, ActionGeo_CountryCode, gdelt_silver_id,"
                   " wiki_silver_id, wiki_last_silver_id, emitted_at, match_score)"
                   " SELECT EventID, event_time, time_bucket, ?2, ?3, ?4, ?5, ?6, ?7, EventCode,"
                   " AvgTone, ActionGeo_Lat, ActionGeo_Long, ActionGeo_CountryCode,"
                   " gdelt_silver_id, ?8, ?9, ?10, ?11 FROM gold_events WHERE gdelt_silver_id = ?1"
                   " ON CONFLICT DO NOTHING") ||
           prepare(r, &r->rank_pairs,
                   "UPDATE correlated_gold_events AS c SET rank = 1 + (SELECT COUNT(*) FROM"
                   " correlated_gold_events d WHERE d.gdelt_silver_id = ?1 AND (d.match_score >"
                   " c.match_score OR (d.match_score = c.match_score AND d.id < c.id)))"
                   " WHERE c.gdelt_silver_id = ?1") ||
           prepare(r, &r->prune_pairs,
                   "DELETE FROM correlated_gold_events WHERE gdelt_silver_id = ?1 AND rank > ?2") ||
           prepare(r, &r->best_event,
                   "UPDATE gold_events SET best_wiki = b.wiki, best_title = b.title,"
                   " best_cosine_sim = b.cosine_sim, match_count = b.n FROM (SELECT wiki, title,"
                   " cosine_sim, (SELECT COUNT(*) FROM correlated_gold_events WHERE"
                   " gdelt_silver_id = ?1) AS n FROM correlated_gold_events WHERE"
                   " gdelt_silver_id = ?1 AND rank = 1) AS b WHERE gdelt_silver_id = ?1") ||
           prepare(r, &r->set_best_event,
                   "UPDATE gold_events SET best_wiki = ?2, best_title = ?3, best_cosine_sim = ?4,"
                   " match_count = ?5 WHERE gdelt_silver_id = ?1") ||
           prepare(r, &r->event_floor,
                   "SELECT COUNT(*), MIN(match_score) FROM correlated_gold_events"
                   " WHERE gdelt_silver_id = ?1") ||
           prepare(r, &r->upd_title_pairs,
                   "UPDATE correlated_gold_events SET edit_count = ?4, wiki_last_silver_id = ?5"
                   " WHERE title_time_bucket = ?1 AND wiki = ?2 AND title = ?3") ||
           prepare(r, &r->ins_open_event,
                   "INSERT OR REPLACE INTO gold_open_events(gdelt_silver_id, time_bucket, vector)"
                   " VALUES (?1, ?2, ?3)") ||
           prepare(r, &r->ins_open_title,
                   "INSERT OR REPLACE INTO gold_open_titles(time_bucket, wiki, title, edit_count,"
                   " first_silver_id, last_silver_id, vector) VALUES (?1,?2,?3,?4,?5,?6,?7)") ||
           prepare(r, &r->upd_open_title,
                   "UPDATE gold_open_titles SET edit_count = ?4, last_silver_id = ?5"
                   " WHERE time_bucket = ?1 AND wiki = ?2 AND title = ?3") ||
           prepare(r, &r->upd_open_title_vec,
                   "UPDATE gold_open_titles SET vector = ?4"
                   " WHERE time_bucket = ?1 AND wiki = ?2 AND title = ?3") ||
           prepare(r, &r->bucket_upsert,
                   "INSERT INTO gold_buckets(time_bucket, status, events, titles, edits,"
                   " opened_at) VALUES (?1, 'open', ?2, ?3, ?4, ?5) ON CONFLICT(time_bucket)"
                   " DO UPDATE SET events = events + ?2, titles = titles + ?3,"
                   " edits = edits + ?4") ||
           prepare(r, &r->bucket_late,
                   "INSERT INTO gold_buckets(time_bucket, status, late_events, late_edits,"
                   " opened_at, closed_at) VALUES (?1, 'closed', ?2, ?3, ?4, ?4)"
                   " ON CONFLICT(time_bucket) DO UPDATE SET late_events = late_events + ?2,"
                   " late_edits = late_edits + ?3");
}

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Span of a bucket's state: its own width, plus the next bucket's when neighbours match. */
static int64_t bucket_close_time(const run *r, int64_t start)
{
    return start + r->s.bucket_seconds * (r->s.neighbours ? 2 : 1);
}

static int is_late(const run *r, int64_t bucket_start)
{
    return r->closed_before != NO_TIME && bucket_close_time(r, bucket_start) <= r->closed_before;
}

/* ---- loading state ----------------------------------------------------------------------- */

static int load_state(run *r)
{
    sqlite3_stmt *bq = NULL, *eq = NULL, *tq = NULL, *fq = NULL;
    buf text = BUF_INIT;
    int rc = -1;
    if (prepare(r, &bq, "SELECT time_bucket FROM gold_buckets WHERE status = 'open'") ||
        /* The events' country codes (the candidate stage's country pages) come from silver;
           without gdelt_silver (only edits are read) there are none. */
        prepare(r, &eq, table_exists(r->db, "gdelt_silver")
                            ? "SELECT o.gdelt_silver_id, o.vector, g.event_text, s.Actor1CountryCode,"
                              " s.Actor2CountryCode, s.ActionGeo_CountryCode FROM gold_open_events o"
                              " LEFT JOIN gold_events g ON g.gdelt_silver_id = o.gdelt_silver_id"
                              " LEFT JOIN gdelt_silver s ON s.silver_id = o.gdelt_silver_id"
                              " WHERE o.time_bucket = ?1 ORDER BY o.gdelt_silver_id"
                            : "SELECT o.gdelt_silver_id, o.vector, g.event_text, NULL, NULL, NULL"
                              " FROM gold_open_events o"
                              " LEFT JOIN gold_events g ON g.gdelt_silver_id = o.gdelt_silver_id"
                              " WHERE o.time_bucket = ?1 ORDER BY o.gdelt_silver_id") ||
        prepare(r, &tq, "SELECT wiki, title, edit_count, first_silver_id, last_silver_id, vector"
                        " FROM gold_open_titles WHERE time_bucket = ?1 ORDER BY id") ||
        prepare(r, &fq, "SELECT gdelt_silver_id, COUNT(*), MIN(match_score) FROM"
                        " correlated_gold_events WHERE time_bucket = ?1 GROUP BY 1"))
        goto out;
    while (sqlite3_step(bq) == SQLITE_ROW) {
        const char *bt = (const char *)sqlite3_column_text(bq, 0);
        int64_t start;
        if (!bt || time_parse_iso8601(bt, &start) != 0) continue;
        bucket *b = state_add(&r->st, start, r->pf ? prefilter_dim(r->pf) : 0);
        if (!b) goto oom;
        sqlite3_bind_text(eq, 1, b->start_text, -1, SQLITE_STATIC);
        size_t waiting = 0;
        while (sqlite3_step(eq) == SQLITE_ROW) {
            const char *codes[3] = {(const char *)sqlite3_column_text(eq, 3),
                                    (const char *)sqlite3_column_text(eq, 4),
                                    (const char *)sqlite3_column_text(eq, 5)};
            const void *v = sqlite3_column_blob(eq, 1);
            int bytes = sqlite3_column_bytes(eq, 1);
            if (bytes == 0) { /* a lazy event not embedded yet: it waits with its text */
                const char *t = (const char *)sqlite3_column_text(eq, 2);
                char *copy = strdup(t ? t : "");
                if (!copy || event_add(b, sqlite3_column_int64(eq, 0), NULL, copy, codes) != 0) {
                    free(copy);
                    goto oom;
                }
                waiting++;
                continue;
            }
            if (bytes != EMBED_DIM * (int)sizeof(float)) continue;
            if (event_add(b, sqlite3_column_int64(eq, 0), v, NULL, codes) != 0) goto oom;
        }
        sqlite3_reset(eq);
        if (waiting && waiting < b->ne) {
            /* Never written by this flow (a window goes live whole, in one transaction). */
            snprintf(r->err, r->errlen, "gold_open_events: window %s has %zu of %zu events"
                     " without a vector", b->start_text, waiting, b->ne);
            goto out;
        }
        b->ev_live = b->ne > 0 && !waiting;
        sqlite3_bind_text(tq, 1, b->start_text, -1, SQLITE_STATIC);
        while (sqlite3_step(tq) == SQLITE_ROW) {
            const char *wiki = (const char *)sqlite3_column_text(tq, 0);
            const char *title = (const char *)sqlite3_column_text(tq, 1);
            int bytes = sqlite3_column_bytes(tq, 5);
            /* No bytes: a title the cascade has not selected yet. */
            if (bytes != EMBED_DIM * (int)sizeof(float) && bytes != 0) continue;
            long ti = title_add(b, wiki ? wiki : "", title ? title : "",
                                sqlite3_column_int64(tq, 2), sqlite3_column_int64(tq, 3),
                                sqlite3_column_int64(tq, 4),
                                bytes ? sqlite3_column_blob(tq, 5) : NULL);
            if (ti < 0) goto oom;
            if (r->pf) { /* static vectors are not stored: recomputing them is cheaper */
                if (event_text_title(b->titles[ti].title, &text) != 0) goto oom;
                prefilter_embed(r->pf, text.data, b->t_svec + (size_t)ti * b->sdim);
            }
        }
        sqlite3_reset(tq);
        /* Each event's pair count and k-th best similarity, so new titles only add pairs that
           enter its top-k. Events are sorted by silver id: binary search. */
        sqlite3_bind_text(fq, 1, b->start_text, -1, SQLITE_STATIC);
        while (sqlite3_step(fq) == SQLITE_ROW) {
            int64_t sid = sqlite3_column_int64(fq, 0);
            size_t lo = 0, hi = b->ne;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (b->ev_sid[mid] < sid) lo = mid + 1;
                else hi = mid;
            }
            if (lo < b->ne && b->ev_sid[lo] == sid) {
                b->ev_pairs[lo] = sqlite3_column_int(fq, 1);
                if (b->ev_pairs[lo] >= r->s.top_k)
                    b->ev_floor[lo] = (float)sqlite3_column_double(fq, 2);
            }
        }
        sqlite3_reset(fq);
    }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory loading the open buckets");
out:
    buf_free(&text);
    sqlite3_finalize(bq);
    sqlite3_finalize(eq);
    sqlite3_finalize(tq);
    sqlite3_finalize(fq);
    return rc;
}

/* ---- one batch --------------------------------------------------------------------------- */

static bucket *open_bucket(run *r, int64_t start)
{
    bucket *b = state_find(&r->st, start);
    if (!b) {
        b = state_add(&r->st, start, r->pf ? prefilter_dim(r->pf) : 0);
        if (!b) snprintf(r->err, r->errlen, "out of memory");
    }
    return b;
}

static int record_late(run *r, const char *stream, int64_t sid, const char *event_time,
                       int64_t bucket_start, const char *detail)
{
    char bt[TIME_TEXT_LEN], cb[TIME_TEXT_LEN];
    time_format(bucket_start, bt);
    time_format(r->closed_before, cb);
    sqlite3_bind_text(r->ins_late, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(r->ins_late, 2, sid);
    sqlite3_bind_text(r->ins_late, 3, event_time, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 4, bt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 5, cb, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 6, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 7, r->now_text, -1, SQLITE_STATIC);
    if (step_done(r, r->ins_late, "gold_late insert")) return -1;
    int is_gdelt = !strcmp(stream, "gdelt");
    sqlite3_bind_text(r->bucket_late, 1, bt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(r->bucket_late, 2, is_gdelt);
    sqlite3_bind_int(r->bucket_late, 3, !is_gdelt);
    sqlite3_bind_text(r->bucket_late, 4, r->now_text, -1, SQLITE_STATIC);
    return step_done(r, r->bucket_late, "gold_buckets late");
}

static int read_wiki(run *r, int64_t *last_sid, int64_t *rows)
{
    sqlite3_stmt *q;
    *rows = 0;
    if (prepare(r, &q, "SELECT silver_id, event_time, wiki, title, user, is_content"
                       " FROM wikimedia_silver WHERE silver_id > ?1 ORDER BY silver_id LIMIT ?2"))
        return -1;
    sqlite3_bind_int64(q, 1, r->cp_wiki);
    sqlite3_bind_int64(q, 2, r->s.batch_rows);
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(q, 0);
        const char *et = (const char *)sqlite3_column_text(q, 1);
        const char *wiki = (const char *)sqlite3_column_text(q, 2);
        const char *title = (const char *)sqlite3_column_text(q, 3);
        const char *user = (const char *)sqlite3_column_text(q, 4);
        int content = sqlite3_column_int(q, 5);
        *last_sid = sid;
        (*rows)++;
        r->stats->edits_read++;
        int64_t t;
        if (!et || time_parse_iso8601(et, &t) != 0) {
            r->stats->bad_rows++;
            continue;
        }
        if (r->max_wiki == NO_TIME || t > r->max_wiki) r->max_wiki = t;
        if (!content || !title || !*title) continue;
        if (!wiki) wiki = "";
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        if (is_late(r, start)) {
            char detail[600];
            snprintf(detail, sizeof detail, "%s:%.500s", wiki, title);
            if (record_late(r, "wiki", sid, et, start, detail)) { rc = -1; break; }
            r->stats->late_edits++;
            continue;
        }
        bucket *b = open_bucket(r, start);
        if (!b) { rc = -1; break; }
        r->stats->content_edits++;
        b->batch_edits++;
        long i = title_find(b, wiki, title);
        if (i >= 0) {
            title_entry *te = &b->titles[i];
            te->edit_count++;
            if (sid > te->last_sid) te->last_sid = sid;
            if ((size_t)i < b->t_mark) te->dirty = 1;
        } else {
            if (title_add(b, wiki, title, 1, sid, sid, NULL) < 0) {
                snprintf(r->err, r->errlen, "out of memory");
                rc = -1;
                break;
            }
            b->batch_titles++;
            r->stats->new_titles++;
        }
        int nb = 0;
        if (burst_observe(r->bursts, wiki, title, user, t, sid, r->max_wiki, b->start_text,
                          &nb) != 0) {
            rc = db_fail(r, "burst detection");
            break;
        }
        r->stats->bursts += nb;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW) rc = db_fail(r, "reading wikimedia_silver");
    sqlite3_finalize(q);
    return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, sqlite3_stmt *src, int col)
{
    if (sqlite3_column_type(src, col) == SQLITE_NULL) sqlite3_bind_null(st, i);
    else sqlite3_bind_value(st, i, sqlite3_column_value(src, col));
}

static int read_gdelt(run *r, int64_t *last_sid, int64_t *rows)
{
    sqlite3_stmt *q;
    *rows = 0;
    if (prepare(r, &q, "SELECT silver_id, EventID, event_time, EventCode, event_description,"
                       " AvgTone, GoldsteinScale, ActionGeo_FullName, ActionGeo_CountryCode,"
                       " ActionGeo_Lat, ActionGeo_Long, Actor1Name, Actor2Name, SOURCEURL,"
                       " Actor1CountryCode, Actor2CountryCode"
                       " FROM gdelt_silver WHERE silver_id > ?1 ORDER BY silver_id LIMIT ?2"))
        return -1;
    sqlite3_bind_int64(q, 1, r->cp_gdelt);
    sqlite3_bind_int64(q, 2, r->s.batch_rows);
    buf text = BUF_INIT;
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(q, 0);
        const char *et = (const char *)sqlite3_column_text(q, 2);
        *last_sid = sid;
        (*rows)++;
        r->stats->events_read++;
        int64_t t;
        if (!et || time_parse_iso8601(et, &t) != 0) {
            r->stats->bad_rows++;
            continue;
        }
        if (r->max_gdelt == NO_TIME || t > r->max_gdelt) r->max_gdelt = t;
        event_parts parts = {
            (const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 11),
            (const char *)sqlite3_column_text(q, 12), (const char *)sqlite3_column_text(q, 7),
            (const char *)sqlite3_column_text(q, 13)};
        if (event_text_compose(&parts, r->s.fields, &text) != 0) {
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            break;
        }
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        char bt[TIME_TEXT_LEN];
        time_format(start, bt);
        int late = is_late(r, start);
        sqlite3_stmt *ins = r->ins_event;
        sqlite3_bind_int64(ins, 1, sid);
        bind_text_or_null(ins, 2, q, 1);
        sqlite3_bind_text(ins, 3, et, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, bt, -1, SQLITE_TRANSIENT);
        for (int c = 3; c <= 10; c++) bind_text_or_null(ins, c + 2, q, c);
        sqlite3_bind_text(ins, 13, text.data, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 14, r->s.fields_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 15, late ? "late" : "open", -1, SQLITE_STATIC);
        if (step_done(r, ins, "gold_events insert")) { rc = -1; break; }
        if (late) {
            char detail[32];
            snprintf(detail, sizeof detail, "%lld", (long long)sqlite3_column_int64(q, 1));
            if (record_late(r, "gdelt", sid, et, start, detail)) { rc = -1; break; }
            r->stats->late_events++;
            continue;
        }
        bucket *b = open_bucket(r, start);
        if (!b) { rc = -1; break; }
        char *copy = strdup(text.data);
        const char *codes[3] = {(const char *)sqlite3_column_text(q, 14),
                                (const char *)sqlite3_column_text(q, 15),
                                (const char *)sqlite3_column_text(q, 8)};
        if (!copy || event_add(b, sid, NULL, copy, codes) != 0) {
            free(copy);
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            break;
        }
        b->batch_events++;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW) rc = db_fail(r, "reading gdelt_silver");
    buf_free(&text);
    sqlite3_finalize(q);
    return rc;
}

static size_t partner_buckets(run *r, bucket *b, bucket *out[3]);
static int partners_hold(bucket *const *partners, size_t np, int titles);

static void select_hits(bucket *tb, size_t t_offset, const simjoin_hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        title_entry *te = &tb->titles[h->v[i].col + t_offset];
        if (te->xrow < 0) te->wanted = 1;
    }
}

/* The lazy mode's selection: every title not embedded yet of a window that has a partner window
   (itself, or a neighbour when those are joined) with at least one event. Exact, since such a
   title meets the join exactly as it would have on arrival; a window without events costs
   nothing until one comes. */
static int lazy_select(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = partner_buckets(r, b, partners);
        if (!partners_hold(partners, np, 0)) continue;
        for (size_t i = 0; i < b->nt; i++)
            if (b->titles[i].xrow < 0) b->titles[i].wanted = 1;
    }
    return 0;
}

/* The cascade's first stage, after the batch's events are embedded: static vectors for the
   batch's new titles, then the same two-way search as the exact join (new events against every
   title of their partner buckets, new titles against the earlier events), scoring each event's
   model vector against the titles' static vectors (both live in the model's output space: a
   static vector is a mean of pooled one-token texts), each event keeping its
   correlate.prefilter.top_n best at or above correlate.prefilter.threshold. Events are long and
   contextual, so they keep their exact vectors; titles are a few tokens, where the static
   approximation is closest. The titles kept that have no model vector yet are marked wanted:
   embed_new embeds them and the exact join takes them from there. A title not kept stays in the
   window and is tried again against every later event. */
static int prefilter_select(run *r)
{
    if (r->pf_mode == PREFILTER_LAZY) return lazy_select(r);
    if (!r->pf) return 0;
    int64_t t0 = time_monotonic_ms();
    size_t dim = (size_t)prefilter_dim(r->pf);
    float threshold = prefilter_threshold(r->pf);
    int top_n = prefilter_top_n(r->pf);
    buf text = BUF_INIT;
    simjoin_hits h = {0};
    int rc = -1;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        for (size_t i = b->t_mark; i < b->nt; i++) {
            if (event_text_title(b->titles[i].title, &text) != 0) goto oom;
            prefilter_embed(r->pf, text.data, b->t_svec + i * dim);
        }
    }
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = partner_buckets(r, b, partners);
        for (size_t k = 0; k < np && b->ne > b->ev_jmark; k++) {
            bucket *tb = partners[k];
            h.n = 0;
            if (simjoin_topk(b->ev_vec + b->ev_jmark * EMBED_DIM, b->ne - b->ev_jmark, tb->t_svec,
                             tb->nt, dim, threshold, top_n, NULL, &h) != 0)
                goto oom;
            select_hits(tb, 0, &h);
        }
        for (size_t k = 0; k < np && b->nt > b->t_mark; k++) {
            bucket *eb = partners[k];
            h.n = 0;
            if (!ev_old(eb)) continue;
            if (simjoin_topk(eb->ev_vec, ev_old(eb), b->t_svec + b->t_mark * dim,
                             b->nt - b->t_mark, dim, threshold, top_n, NULL, &h) != 0)
                goto oom;
            select_hits(b, b->t_mark, &h);
        }
    }
    /* The candidate stage also proposes the country pages of the events' countries whatever
       their cosine (inject_country_pages), so the cascade embeds those too: a few titles. */
    if (r->s.rerank)
        for (size_t bi = 0; bi < r->st.n; bi++) {
            bucket *b = r->st.b[bi];
            if (!b->country_titles) continue;
            bucket *partners[3];
            size_t np = partner_buckets(r, b, partners);
            for (size_t row = 0; row < country_table_n; row++) {
                const row_index *ts = &b->country_titles[row];
                int events = 0;
                for (size_t k = 0; k < np && !events; k++)
                    events = partners[k]->country_events && partners[k]->country_events[row].n > 0;
                for (uint32_t j = 0; events && j < ts->n; j++)
                    if (b->titles[ts->v[j]].xrow < 0) b->titles[ts->v[j]].wanted = 1;
            }
        }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory in the prefilter");
out:
    r->stats->prefilter_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    buf_free(&text);
    simjoin_hits_free(&h);
    return rc;
}

/* Embeds this batch's new events (events = 1) or the titles to embed (events = 0), in chunks so
   the embedder sees sizeable batches. */
static int embed_new(run *r, int events)
{
    enum { CHUNK = 512 };
    const char *texts[CHUNK];
    float *dst[CHUNK];
    float *out = malloc((size_t)CHUNK * EMBED_DIM * sizeof *out);
    buf tb[CHUNK];
    memset(tb, 0, sizeof tb);
    if (!out) {
        snprintf(r->err, r->errlen, "out of memory");
        return -1;
    }
    int64_t t0 = time_monotonic_ms();
    size_t n = 0;
    int rc = 0;
    char eerr[512] = "";
#define FLUSH()                                                                          \
    do {                                                                                 \
        if (n && embedder_encode(r->emb, texts, n, out, eerr, sizeof eerr) != 0) {       \
            snprintf(r->err, r->errlen, "embedding: %s", eerr);                          \
            rc = -1;                                                                     \
            goto done;                                                                   \
        }                                                                                \
        for (size_t k = 0; k < n; k++)                                                   \
            memcpy(dst[k], out + k * EMBED_DIM, EMBED_DIM * sizeof(float));              \
        n = 0;                                                                           \
    } while (0)
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        for (size_t i = b->ev_jmark; i < b->ne && events; i++) {
            texts[n] = b->ev_text[i] ? b->ev_text[i] : "";
            dst[n++] = b->ev_vec + i * EMBED_DIM;
            r->stats->events_embedded++;
            if (n == CHUNK) FLUSH();
        }
        FLUSH();
        if (events) {
            for (size_t i = b->ev_jmark; i < b->ne; i++) {
                free(b->ev_text[i]);
                b->ev_text[i] = NULL;
            }
            continue;
        }
        /* The titles to embed: without the prefilter every title not embedded yet (this batch's
           new ones, or all when a store kept by a prefiltered run is reopened without it);
           with it, those its first stage selected. Room first: dst points into x_vec. */
        size_t want = 0;
        for (size_t i = 0; i < b->nt; i++)
            want += b->titles[i].xrow < 0 && (r->pf_mode == PREFILTER_OFF || b->titles[i].wanted);
        if (exact_reserve(b, b->nx + want) != 0) {
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            goto done;
        }
        for (size_t i = 0; i < b->nt && want; i++) {
            title_entry *te = &b->titles[i];
            if (te->xrow >= 0 || (r->pf_mode != PREFILTER_OFF && !te->wanted)) continue;
            te->wanted = 0;
            want--;
            if (event_text_title(te->title, &tb[n]) != 0) {
                snprintf(r->err, r->errlen, "out of memory");
                rc = -1;
                goto done;
            }
            texts[n] = tb[n].data;
            dst[n++] = exact_row_add(b, i);
            r->stats->titles_embedded++;
            if (n == CHUNK) FLUSH();
        }
        FLUSH();
    }
done:
#undef FLUSH
    r->stats->embed_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    for (size_t k = 0; k < CHUNK; k++) buf_free(&tb[k]);
    free(out);
    return rc;
}

typedef struct pending_pair {
    bucket *eb;
    uint32_t ev;
    bucket *tb;
    uint32_t t;
    float sim;
    float score; /* what the pair is ranked by: the reranker's score, or sim without it */
} pending_pair;

typedef struct pending {
    pending_pair *v;
    size_t n, cap;
} pending;

static int pending_push(pending *p, pending_pair pp)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        pending_pair *v = realloc(p->v, cap * sizeof *v);
        if (!v) return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = pp;
    return 0;
}

/* Hits of event rows (from ev_offset) against exact rows of tb (from x_offset). */
static int pending_from_hits(pending *p, const simjoin_hits *h, bucket *eb, size_t ev_offset,
                             bucket *tb, size_t x_offset)
{
    for (size_t i = 0; i < h->n; i++)
        if (pending_push(p, (pending_pair){eb, (uint32_t)(h->v[i].row + ev_offset), tb,
                                           tb->x_title[h->v[i].col + x_offset], h->v[i].sim,
                                           h->v[i].sim}) != 0)
            return -1;
    return 0;
}

static int pair_cmp(const void *x, const void *y)
{
    const pending_pair *a = x, *b = y;
    if (a->eb != b->eb) return (uintptr_t)a->eb < (uintptr_t)b->eb ? -1 : 1;
    if (a->ev != b->ev) return a->ev < b->ev ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return 0;
}

/* The buckets whose titles an event of bucket b may meet (itself, and its neighbours if set). */
/* The open buckets a row of the window starting at start is joined with: that window and, with
   neighbour buckets, the ones before and after (those of them that are open). */
static size_t partners_of(run *r, int64_t start, bucket *out[3])
{
    const int64_t w = r->s.bucket_seconds;
    const int64_t starts[3] = {start, start - w, start + w};
    size_t n = 0;
    for (int i = 0; i < (r->s.neighbours ? 3 : 1); i++) {
        bucket *p = state_find(&r->st, starts[i]);
        if (p) out[n++] = p;
    }
    return n;
}

static size_t partner_buckets(run *r, bucket *b, bucket *out[3])
{
    return partners_of(r, b->start, out);
}

/* Whether any of the buckets holds titles (titles = 1) or events (titles = 0). */
static int partners_hold(bucket *const *partners, size_t np, int titles)
{
    for (size_t k = 0; k < np; k++)
        if (titles ? partners[k]->nt > 0 : partners[k]->ne > 0) return 1;
    return 0;
}

/* Similarities are stored rounded to 1e-6 so equal pairs compare equal across runs. */
static double stored_sim(float sim)
{
    return round((double)sim * 1e6) / 1e6;
}

static int insert_pair(run *r, const pending_pair *pp, int rank)
{
    const title_entry *te = &pp->tb->titles[pp->t];
    sqlite3_stmt *st = r->ins_pair;
    sqlite3_bind_int64(st, 1, pp->eb->ev_sid[pp->ev]);
    sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pp->tb->start_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, te->edit_count);
    sqlite3_bind_double(st, 6, stored_sim(pp->sim));
    sqlite3_bind_int(st, 7, rank);
    sqlite3_bind_int64(st, 8, te->first_sid);
    sqlite3_bind_int64(st, 9, te->last_sid);
    sqlite3_bind_text(st, 10, r->now_text, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 11, stored_sim(pp->score));
    if (step_done(r, st, "correlated_gold_events insert")) return -1;
    r->stats->pairs_written += sqlite3_changes(r->db);
    return 0;
}

static int refresh_event(run *r, bucket *b, uint32_t ev, int reranked)
{
    int64_t sid = b->ev_sid[ev];
    if (reranked) {
        sqlite3_bind_int64(r->rank_pairs, 1, sid);
        if (step_done(r, r->rank_pairs, "ranking pairs")) return -1;
        sqlite3_bind_int64(r->prune_pairs, 1, sid);
        sqlite3_bind_int(r->prune_pairs, 2, r->s.top_k);
        if (step_done(r, r->prune_pairs, "pruning pairs")) return -1;
        r->stats->pairs_pruned += sqlite3_changes(r->db);
    }
    sqlite3_bind_int64(r->best_event, 1, sid);
    if (step_done(r, r->best_event, "gold_events best match")) return -1;
    sqlite3_bind_int64(r->event_floor, 1, sid);
    int rc = sqlite3_step(r->event_floor);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(r->event_floor);
        return db_fail(r, "event pairs");
    }
    b->ev_pairs[ev] = sqlite3_column_int(r->event_floor, 0);
    b->ev_floor[ev] = b->ev_pairs[ev] >= r->s.top_k
                          ? (float)sqlite3_column_double(r->event_floor, 1)
                          : -2.0f;
    sqlite3_reset(r->event_floor);
    return 0;
}

/* A new event's pairs were all inserted from one ranked list: its best match and floor are
   known without asking the store. */
static int set_best(run *r, bucket *b, uint32_t ev, const pending_pair *best, size_t count)
{
    const title_entry *te = &best->tb->titles[best->t];
    sqlite3_stmt *st = r->set_best_event;
    sqlite3_bind_int64(st, 1, b->ev_sid[ev]);
    sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, stored_sim(best->sim));
    sqlite3_bind_int64(st, 5, (int64_t)count);
    if (step_done(r, st, "gold_events best match")) return -1;
    b->ev_pairs[ev] = (int)count;
    b->ev_floor[ev] = (int)count >= r->s.top_k ? (float)stored_sim(best[count - 1].score) : -2.0f;
    return 0;
}

/* Second stage: scores every event's candidates (p is grouped by event) with the reranker,
   keeps those that reach correlate.rerank.threshold and would enter the event's top-k, and
   orders each event's pairs by score. The events' fields come from gdelt_silver by silver id. */
static int rerank_pending(run *r, pending *p)
{
    int64_t t0 = time_monotonic_ms();
    size_t ngroups = 0;
    for (size_t i = 0; i < p->n; i++)
        ngroups += i == 0 || p->v[i].eb != p->v[i - 1].eb || p->v[i].ev != p->v[i - 1].ev;
    rerank_event *evs = calloc(ngroups, sizeof *evs);
    if (!evs) {
        snprintf(r->err, r->errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    char err[512] = "";
    rerank_loader *loader = rerank_loader_open(r->db, 0, err, sizeof err);
    if (!loader) {
        snprintf(r->err, r->errlen, "reranker: %s", err);
        goto out;
    }
    for (size_t i = 0, g = 0; i < p->n; i++) {
        if (i && p->v[i].eb == p->v[i - 1].eb && p->v[i].ev == p->v[i - 1].ev) continue;
        int lr = rerank_loader_get(loader, p->v[i].eb->ev_sid[p->v[i].ev], &evs[g++], err,
                                   sizeof err);
        if (lr < 0) {
            snprintf(r->err, r->errlen, "reranker: %s", err);
            goto out;
        } /* lr == 1: the silver row is gone; the event is scored on its cosines alone */
    }
    if (rerank_events_embed(evs, ngroups, r->emb, err, sizeof err) != 0) {
        snprintf(r->err, r->errlen, "reranker: embedding event fields: %s", err);
        goto out;
    }
    size_t kept = 0;
    for (size_t i = 0, g = 0; i < p->n; g++) {
        size_t j = i;
        while (j < p->n && p->v[j].eb == p->v[i].eb && p->v[j].ev == p->v[i].ev) j++;
        bucket *eb = p->v[i].eb;
        uint32_t ev = p->v[i].ev;
        float floor = eb->ev_pairs[ev] >= r->s.top_k ? eb->ev_floor[ev] : -2.0f;
        size_t start = kept;
        for (size_t k = i; k < j; k++) {
            pending_pair pp = p->v[k];
            const title_entry *te = &pp.tb->titles[pp.t];
            /* a hit of the exact join: the title has its model vector (xrow >= 0) */
            pp.score = (float)rerank_pair_score(&evs[g], te->wiki, te->title,
                                                pp.tb->x_vec + (size_t)te->xrow * EMBED_DIM,
                                                pp.sim);
            if (pp.score >= r->s.rerank_threshold && pp.score > floor) p->v[kept++] = pp;
        }
        qsort(p->v + start, kept - start, sizeof *p->v, pair_cmp);
        r->stats->rerank_candidates += (int64_t)(j - i);
        i = j;
    }
    p->n = kept;
    rc = 0;
out:
    rerank_loader_close(loader);
    for (size_t g = 0; g < ngroups; g++) rerank_event_free(&evs[g]);
    free(evs);
    r->stats->rerank_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    return rc;
}

/* One country-page pair (event ev of eb, title t of tb), its cosine from the two vectors. */
static int inject_pair(pending *p, bucket *eb, uint32_t ev, bucket *tb, uint32_t t)
{
    const float *x = eb->ev_vec + (size_t)ev * EMBED_DIM;
    const float *y = tb->x_vec + (size_t)tb->titles[t].xrow * EMBED_DIM;
    float sim = 0;
    for (int d = 0; d < EMBED_DIM; d++) sim += x[d] * y[d];
    return pending_push(p, (pending_pair){eb, ev, tb, t, sim, sim});
}

/* The candidate stage's second source, with the reranker: a title that is, in its wiki's
   language, the page of one of an event's countries is proposed whatever its cosine (a Syria
   story and Syrien on dewiki score 0.03-0.18 with an English model). The same split as the
   cosine join: new events against every embedded country page of their partner windows, and
   country pages embedded in this batch against the earlier events. The per-row indices make it
   a walk over the windows' country pages and the events that name their countries, never over
   all titles or events. Returns the number proposed, -1 out of memory. */
static long inject_country_pages(run *r, pending *p)
{
    long added = 0;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = partner_buckets(r, b, partners);
        for (size_t k = 0; k < np; k++) {
            bucket *other = partners[k];
            /* b's new events x other's country pages */
            if (b->country_events && other->country_titles && b->ne > b->ev_jmark)
                for (size_t row = 0; row < country_table_n; row++) {
                    const row_index *ts = &other->country_titles[row], *es = &b->country_events[row];
                    if (!ts->n || !es->n) continue;
                    for (uint32_t i = 0; i < es->n; i++) {
                        if (es->v[i] < b->ev_jmark) continue;
                        for (uint32_t j = 0; j < ts->n; j++) {
                            if (other->titles[ts->v[j]].xrow < 0) continue;
                            if (inject_pair(p, b, es->v[i], other, ts->v[j])) return -1;
                            added++;
                        }
                    }
                }
            /* b's country pages embedded in this batch x other's earlier events */
            if (b->country_titles && other->country_events && ev_old(other))
                for (size_t row = 0; row < country_table_n; row++) {
                    const row_index *ts = &b->country_titles[row], *es = &other->country_events[row];
                    if (!ts->n || !es->n) continue;
                    for (uint32_t j = 0; j < ts->n; j++) {
                        long xrow = b->titles[ts->v[j]].xrow;
                        if (xrow < 0 || (size_t)xrow < b->x_mark) continue;
                        for (uint32_t i = 0; i < es->n && es->v[i] < ev_old(other); i++) {
                            if (inject_pair(p, other, es->v[i], b, ts->v[j])) return -1;
                            added++;
                        }
                    }
                }
        }
    }
    return added;
}

static int pair_key_cmp(const void *x, const void *y)
{
    const pending_pair *a = x, *b = y;
    if (a->eb != b->eb) return (uintptr_t)a->eb < (uintptr_t)b->eb ? -1 : 1;
    if (a->ev != b->ev) return a->ev < b->ev ? -1 : 1;
    if (a->tb != b->tb) return (uintptr_t)a->tb < (uintptr_t)b->tb ? -1 : 1;
    return (a->t > b->t) - (a->t < b->t);
}

/* Drops repeated (event, title) pairs: a country page the cosine join found too, or one found
   through two codes of the event. */
static void pending_unique(pending *p)
{
    qsort(p->v, p->n, sizeof *p->v, pair_key_cmp);
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (k == 0 || pair_key_cmp(&p->v[k - 1], &p->v[i]) != 0) p->v[k++] = p->v[i];
    p->n = k;
}

static int join_batch(run *r)
{
    int64_t t0 = time_monotonic_ms();
    pending p = {0};
    simjoin_hits h = {0};
    int rc = -1;
    /* With the reranker the cosine join only proposes candidates; the floors of events with a
       full top-k are in score units then, so they are applied after scoring. */
    float first_threshold = r->s.rerank ? r->s.candidate_threshold : r->s.threshold;
    int first_k = r->s.rerank ? r->s.candidate_k : r->s.top_k;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = partner_buckets(r, b, partners);
        /* New events against every embedded title of the partner buckets (new ones included). */
        if (b->ne > b->ev_jmark)
            for (size_t k = 0; k < np; k++) {
                bucket *tb = partners[k];
                h.n = 0;
                if (simjoin_topk(b->ev_vec + b->ev_jmark * EMBED_DIM, b->ne - b->ev_jmark,
                                 tb->x_vec, tb->nx, EMBED_DIM, first_threshold, first_k, NULL,
                                 &h) != 0 ||
                    pending_from_hits(&p, &h, b, b->ev_jmark, tb, 0) != 0)
                    goto oom;
            }
        /* Titles of b embedded in this batch (new ones, or older ones the prefilter selected
           now) against the earlier events of the partner buckets; an event only takes a pair
           that enters its current top-k. */
        if (b->nx > b->x_mark)
            for (size_t k = 0; k < np; k++) {
                bucket *eb = partners[k];
                if (!ev_old(eb)) continue;
                h.n = 0;
                if (simjoin_topk(eb->ev_vec, ev_old(eb), b->x_vec + b->x_mark * EMBED_DIM,
                                 b->nx - b->x_mark, EMBED_DIM, first_threshold, first_k,
                                 r->s.rerank ? NULL : eb->ev_floor, &h) != 0 ||
                    pending_from_hits(&p, &h, eb, 0, b, b->x_mark) != 0)
                    goto oom;
            }
    }
    if (r->s.rerank) {
        size_t before = p.n;
        long added = inject_country_pages(r, &p);
        if (added < 0) goto oom;
        if (added) {
            pending_unique(&p);
            r->stats->rerank_country_pages += (int64_t)(p.n - before);
        }
    }
    r->stats->join_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    if (p.n) qsort(p.v, p.n, sizeof *p.v, pair_cmp);
    if (r->s.rerank && p.n && rerank_pending(r, &p)) goto out;
    for (size_t i = 0; i < p.n;) {
        size_t j = i;
        while (j < p.n && p.v[j].eb == p.v[i].eb && p.v[j].ev == p.v[i].ev) j++;
        bucket *eb = p.v[i].eb;
        uint32_t ev = p.v[i].ev;
        int is_new = ev >= eb->ev_jmark; /* no earlier pairs: embedded in this batch */
        if (is_new) {
            /* No earlier pairs: the merged list is already ranked. */
            size_t take = j - i < (size_t)r->s.top_k ? j - i : (size_t)r->s.top_k;
            for (size_t k = 0; k < take; k++)
                if (insert_pair(r, &p.v[i + k], (int)k + 1)) goto out;
            if (set_best(r, eb, ev, &p.v[i], take)) goto out;
        } else {
            for (size_t k = i; k < j; k++)
                if (insert_pair(r, &p.v[k], 0)) goto out;
            if (refresh_event(r, eb, ev, 1)) goto out;
        }
        i = j;
    }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory in the similarity join");
out:
    free(p.v);
    simjoin_hits_free(&h);
    return rc;
}

/* Persists this batch's changes to the open buckets' state. */
static int save_state(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        /* New events, and the waiting ones of a window that went live now (replaced). */
        size_t from = b->ev_jmark < b->ev_mark ? b->ev_jmark : b->ev_mark;
        for (size_t i = from; i < b->ne; i++) {
            sqlite3_bind_int64(r->ins_open_event, 1, b->ev_sid[i]);
            sqlite3_bind_text(r->ins_open_event, 2, b->start_text, -1, SQLITE_STATIC);
            if (b->ev_live)
                sqlite3_bind_blob(r->ins_open_event, 3, b->ev_vec + i * EMBED_DIM,
                                  EMBED_DIM * sizeof(float), SQLITE_STATIC);
            else
                sqlite3_bind_zeroblob(r->ins_open_event, 3, 0); /* waiting: not embedded */
            if (step_done(r, r->ins_open_event, "gold_open_events")) return -1;
        }
        for (size_t i = 0; i < b->nt; i++) {
            title_entry *te = &b->titles[i];
            if (i >= b->t_mark) {
                sqlite3_stmt *st = r->ins_open_title;
                sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 4, te->edit_count);
                sqlite3_bind_int64(st, 5, te->first_sid);
                sqlite3_bind_int64(st, 6, te->last_sid);
                if (te->xrow >= 0)
                    sqlite3_bind_blob(st, 7, b->x_vec + (size_t)te->xrow * EMBED_DIM,
                                      EMBED_DIM * sizeof(float), SQLITE_STATIC);
                else
                    sqlite3_bind_zeroblob(st, 7, 0); /* not selected by the prefilter yet */
                if (step_done(r, st, "gold_open_titles")) return -1;
                continue;
            }
            if (te->xrow >= (long)b->x_mark) { /* an older title the prefilter selected now */
                sqlite3_stmt *st = r->upd_open_title_vec;
                sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
                sqlite3_bind_blob(st, 4, b->x_vec + (size_t)te->xrow * EMBED_DIM,
                                  EMBED_DIM * sizeof(float), SQLITE_STATIC);
                if (step_done(r, st, "gold_open_titles vector")) return -1;
            }
            if (te->dirty) {
                sqlite3_stmt *sts[2] = {r->upd_open_title, r->upd_title_pairs};
                for (int k = 0; k < 2; k++) {
                    sqlite3_bind_text(sts[k], 1, b->start_text, -1, SQLITE_STATIC);
                    sqlite3_bind_text(sts[k], 2, te->wiki, -1, SQLITE_STATIC);
                    sqlite3_bind_text(sts[k], 3, te->title, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(sts[k], 4, te->edit_count);
                    sqlite3_bind_int64(sts[k], 5, te->last_sid);
                    if (step_done(r, sts[k], "title edit counts")) return -1;
                }
                te->dirty = 0;
            }
        }
        if (b->batch_events || b->batch_titles || b->batch_edits) {
            sqlite3_bind_text(r->bucket_upsert, 1, b->start_text, -1, SQLITE_STATIC);
            sqlite3_bind_int64(r->bucket_upsert, 2, b->batch_events);
            sqlite3_bind_int64(r->bucket_upsert, 3, b->batch_titles);
            sqlite3_bind_int64(r->bucket_upsert, 4, b->batch_edits);
            sqlite3_bind_text(r->bucket_upsert, 5, r->now_text, -1, SQLITE_STATIC);
            if (step_done(r, r->bucket_upsert, "gold_buckets")) return -1;
        }
    }
    return 0;
}

static int close_bucket(run *r, bucket *b)
{
    char sql[1024];
    char prev[TIME_TEXT_LEN], next[TIME_TEXT_LEN];
    time_format(b->start - r->s.bucket_seconds, prev);
    time_format(b->start + r->s.bucket_seconds, next);
    snprintf(sql, sizeof sql,
             "UPDATE gold_events SET closed_at = ?5, status = CASE WHEN match_count > 0 THEN"
             " 'matched' WHEN EXISTS (SELECT 1 FROM gold_buckets WHERE titles > 0 AND"
             " time_bucket IN (?1%s)) THEN 'no_match' ELSE 'no_partner_window' END"
             " WHERE time_bucket = ?1 AND status = 'open'",
             r->s.neighbours ? ", ?2, ?3" : "");
    sqlite3_stmt *st;
    if (prepare(r, &st, sql)) return -1;
    sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
    if (r->s.neighbours) {
        sqlite3_bind_text(st, 2, prev, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, next, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 5, r->now_text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(r, "closing a bucket");
    const char *more[] = {"DELETE FROM gold_open_events WHERE time_bucket = ?1",
                          "DELETE FROM gold_open_titles WHERE time_bucket = ?1",
                          "UPDATE gold_buckets SET status = 'closed', closed_at = ?2"
                          " WHERE time_bucket = ?1"};
    for (size_t i = 0; i < 3; i++) {
        if (prepare(r, &st, more[i])) return -1;
        sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
        if (i == 2) sqlite3_bind_text(st, 2, r->now_text, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return db_fail(r, "closing a bucket");
    }
    char msg[256], details[256];
    snprintf(msg, sizeof msg, "bucket %s closed: %zu events, %zu distinct titles", b->start_text,
             b->ne, b->nt);
    snprintf(details, sizeof details, "{\"time_bucket\":\"%s\",\"events\":%zu,\"titles\":%zu}",
             b->start_text, b->ne, b->nt);
    if (store_event(r->db, "gold", "info", "bucket_closed", msg, details) != 0)
        return db_fail(r, "event log");
    r->stats->buckets_closed++;
    return 0;
}

/* Closes every open bucket whose state both watermarks have passed (or all, when draining). */
static int advance_watermarks(run *r, int drain)
{
    int64_t frontier = NO_TIME;
    if (r->max_gdelt != NO_TIME && r->max_wiki != NO_TIME) {
        int64_t wg = r->max_gdelt - r->s.lateness, ww = r->max_wiki - r->s.lateness;
        frontier = wg < ww ? wg : ww;
    }
    if (drain)
        for (size_t i = 0; i < r->st.n; i++) {
            int64_t end = bucket_close_time(r, r->st.b[i]->start);
            if (frontier == NO_TIME || end > frontier) frontier = end;
        }
    if (frontier != NO_TIME && (r->closed_before == NO_TIME || frontier > r->closed_before))
        r->closed_before = frontier;
    /* Oldest first, so the event log reads in time order. */
    for (;;) {
        bucket *oldest = NULL;
        for (size_t i = 0; i < r->st.n && r->closed_before != NO_TIME; i++)
            if (bucket_close_time(r, r->st.b[i]->start) <= r->closed_before &&
                (!oldest || r->st.b[i]->start < oldest->start))
                oldest = r->st.b[i];
        if (!oldest) break;
        if (close_bucket(r, oldest)) return -1;
        state_remove(&r->st, oldest);
    }
    while ((int64_t)r->st.n > r->s.max_open_buckets) {
        bucket *oldest = r->st.b[0];
        for (size_t i = 1; i < r->st.n; i++)
            if (r->st.b[i]->start < oldest->start) oldest = r->st.b[i];
        int64_t end = bucket_close_time(r, oldest->start);
        char msg[200];
        snprintf(msg, sizeof msg, "more than %lld open buckets (one stream is not advancing):"
                 " closing %s before the watermarks pass it", (long long)r->s.max_open_buckets,
                 oldest->start_text);
        if (store_event(r->db, "gold", "warn", "bucket_forced_close", msg, NULL) != 0)
            return db_fail(r, "event log");
        log_warn("gold", "%s", msg);
        if (close_bucket(r, oldest)) return -1;
        state_remove(&r->st, oldest);
        if (r->closed_before == NO_TIME || end > r->closed_before) r->closed_before = end;
    }
    return 0;
}

static int save_checkpoints(run *r)
{
    if (store_checkpoint_set_int(r->db, "gold.gdelt_silver_id", r->cp_gdelt) ||
        store_checkpoint_set_int(r->db, "gold.wiki_silver_id", r->cp_wiki))
        return db_fail(r, "checkpoint");
    /* Watermark state: max event time per stream and the closed frontier, as time texts. */
    struct { const char *name; int64_t v; } marks[] = {
        {"gold.gdelt_max_event_time", r->max_gdelt},
        {"gold.wiki_max_event_time", r->max_wiki},
        {"gold.gdelt_watermark", r->max_gdelt == NO_TIME ? NO_TIME : r->max_gdelt - r->s.lateness},
        {"gold.wiki_watermark", r->max_wiki == NO_TIME ? NO_TIME : r->max_wiki - r->s.lateness},
        {"gold.closed_before", r->closed_before},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (marks[i].v == NO_TIME) continue;
        char t[TIME_TEXT_LEN];
        time_format(marks[i].v, t);
        if (store_checkpoint_set(r->db, marks[i].name, t)) return db_fail(r, "checkpoint");
    }
    return 0;
}

static int load_time_checkpoint(run *r, const char *name, int64_t *out)
{
    char v[64];
    int rc = store_checkpoint_get(r->db, name, v, sizeof v);
    if (rc < 0) return db_fail(r, "checkpoint");
    *out = NO_TIME;
    if (rc == 1 && time_parse_iso8601(v, out) != 0) *out = NO_TIME;
    return 0;
}

/* Embeds the texts of the next batch before its write transaction begins, so that the model's
   time does not hold the store's write lock (ingest and refine write to the same file). The
   embedder caches vectors by exact text, so inside the transaction embed_new finds them ready
   (the prefetch decides nothing: a text it misses is embedded inside, one it embeds needlessly
   costs time only, so the pairs are those of prefilter = off whatever it does). Only worth it
   for the model: the fallback is cheaper to recompute. Best effort: on any error the batch
   simply embeds inside the transaction as before.

   The lazy mode decides here what the batch will embed, from the open windows AND the batch's
   own rows (a pre-pass over their times, read as read_wiki / read_gdelt will): a row is
   embedded when its window or a partner window holds the other side, open or arriving in this
   batch; and an open window whose partner gets its first rows of the other side in this batch
   has its waiting rows embedded too (mark_live_events, lazy_select). The static cascade's
   title selection needs the batch's event vectors, so its titles stay inside. */

/* Window starts, few per batch (a linear set). */
typedef struct start_set {
    int64_t *v;
    size_t n, cap;
} start_set;

static int start_set_has(const start_set *s, int64_t start)
{
    for (size_t i = s->n; i-- > 0;)
        if (s->v[i] == start) return 1;
    return 0;
}

static int start_set_add(start_set *s, int64_t start)
{
    if (start_set_has(s, start)) return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        int64_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = start;
    return 0;
}

/* Whether the window at start, or a partner (a neighbour when those are joined), holds titles
   (titles = 1) or events (0) in the open state, or gets some from the batch (arriving). */
static int partner_side_holds(run *r, int64_t start, int titles, const start_set *arriving)
{
    bucket *partners[3];
    size_t np = partners_of(r, start, partners);
    if (partners_hold(partners, np, titles)) return 1;
    const int64_t w = r->s.bucket_seconds;
    const int64_t starts[3] = {start, start - w, start + w};
    for (int i = 0; i < (r->s.neighbours ? 3 : 1); i++)
        if (start_set_has(arriving, starts[i])) return 1;
    return 0;
}

/* One side's rows of the coming batch: composed text and window start, late rows left out. */
typedef struct batch_row {
    char *text;
    int64_t start;
    int64_t sid; /* events: the silver row, whose fields the reranker embeds too */
} batch_row;

typedef struct prefetch {
    char *texts[2048]; /* large calls: the embedder splits them over its threads evenly */
    size_t n;
    float *out;
    char err[256];
} prefetch;

/* Queues a text (copied); encodes and forgets a full chunk. */
static void prefetch_add(run *r, prefetch *p, const char *text)
{
    if (!(p->texts[p->n] = strdup(text ? text : ""))) return;
    if (++p->n == sizeof p->texts / sizeof p->texts[0]) {
        embedder_encode(r->emb, (const char *const *)p->texts, p->n, p->out, p->err, sizeof p->err);
        while (p->n) free(p->texts[--p->n]);
    }
}

/* Reads one side's next batch_rows rows as the batch will (same query order and limit); rows
   the batch will not take into a window (bad time, late, not content, blank title) are left
   out. Returns the count, or -1. */
static long read_batch_rows(run *r, int titles, batch_row **out, buf *text)
{
    static const char *const queries[2] = {
        "SELECT event_description, Actor1Name, Actor2Name, ActionGeo_FullName, SOURCEURL,"
        " event_time, silver_id FROM gdelt_silver WHERE silver_id > ?1 ORDER BY silver_id LIMIT ?2",
        "SELECT title, event_time, wiki, is_content FROM wikimedia_silver WHERE silver_id > ?1"
        " ORDER BY silver_id LIMIT ?2"};
    sqlite3_stmt *q;
    *out = NULL;
    if (sqlite3_prepare_v2(r->db, queries[titles], -1, &q, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(q, 1, titles ? r->cp_wiki : r->cp_gdelt);
    sqlite3_bind_int64(q, 2, r->s.batch_rows);
    batch_row *rows = NULL;
    size_t n = 0, cap = 0;
    long rc = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *et = (const char *)sqlite3_column_text(q, titles ? 1 : 5);
        int64_t t;
        if (!et || time_parse_iso8601(et, &t) != 0) continue;
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        if (is_late(r, start)) continue;
        int ok;
        if (titles) {
            const char *title = (const char *)sqlite3_column_text(q, 0);
            const char *wiki = (const char *)sqlite3_column_text(q, 2);
            if (!sqlite3_column_int(q, 3) || !title || !*title) continue;
            /* a title its open window already embedded: only its edit count moves */
            bucket *b = state_find(&r->st, start);
            long i = b ? title_find(b, wiki ? wiki : "", title) : -1;
            if (i >= 0 && b->titles[i].xrow >= 0) continue;
            ok = event_text_title(title, text) == 0;
        } else {
            event_parts parts = {(const char *)sqlite3_column_text(q, 0),
                                 (const char *)sqlite3_column_text(q, 1),
                                 (const char *)sqlite3_column_text(q, 2),
                                 (const char *)sqlite3_column_text(q, 3),
                                 (const char *)sqlite3_column_text(q, 4)};
            ok = event_text_compose(&parts, r->s.fields, text) == 0;
        }
        if (ok && n == cap) {
            cap = cap ? cap * 2 : 256;
            batch_row *grown = realloc(rows, cap * sizeof *rows);
            if (grown) rows = grown;
            else ok = 0;
        }
        if (!ok || !(rows[n].text = strdup(text->data ? text->data : ""))) {
            rc = -1;
            break;
        }
        rows[n].sid = titles ? 0 : sqlite3_column_int64(q, 6);
        rows[n++].start = start;
    }
    sqlite3_finalize(q);
    if (rc < 0) {
        while (n) free(rows[--n].text);
        free(rows);
        return -1;
    }
    *out = rows;
    return (long)n;
}

/* The reranker's field texts of an event that is about to be embedded (actors, place parts,
   slug): nearly every embedded event meets candidates, and rerank_pending would otherwise embed
   them inside the write transaction. */
static void prefetch_event_fields(run *r, prefetch *p, rerank_loader *loader, int64_t sid)
{
    if (!loader) return;
    rerank_event ev = {0};
    char err[256];
    if (rerank_loader_get(loader, sid, &ev, err, sizeof err) == 0)
        for (size_t f = 0; f < ev.nfields; f++) prefetch_add(r, p, ev.field_text[f]);
    rerank_event_free(&ev);
}

static void prefetch_embeddings(run *r)
{
    if (embedder_is_fallback(r->emb)) return;
    prefetch p = {.n = 0};
    batch_row *rows[2] = {NULL, NULL}; /* [0] events, [1] titles */
    long nrows[2] = {0, 0};
    start_set arriving[2] = {{0}, {0}}; /* windows the batch brings events / titles into */
    buf text = BUF_INIT;
    const int lazy = r->pf_mode == PREFILTER_LAZY;
    rerank_loader *loader = NULL;
    if (!(p.out = malloc(sizeof p.texts / sizeof p.texts[0] * EMBED_DIM * sizeof *p.out))) return;
    for (int side = 0; side < 2; side++) {
        if (side ? !r->have_wiki : !r->have_gdelt) continue;
        if (side == 1 && r->pf_mode == PREFILTER_STATIC) continue;
        if ((nrows[side] = read_batch_rows(r, side, &rows[side], &text)) < 0) goto out;
        for (long i = 0; i < nrows[side]; i++)
            if (start_set_add(&arriving[side], rows[side][i].start)) goto out;
    }
    /* The batch's rows that will be embedded (events with their reranker fields). */
    char lerr[256];
    loader = r->s.rerank ? rerank_loader_open(r->db, 0, lerr, sizeof lerr) : NULL;
    for (int side = 0; side < 2; side++)
        for (long i = 0; i < nrows[side]; i++)
            if (!lazy || partner_side_holds(r, rows[side][i].start, !side, &arriving[!side])) {
                prefetch_add(r, &p, rows[side][i].text);
                if (side == 0) prefetch_event_fields(r, &p, loader, rows[side][i].sid);
            }
    /* Waiting rows of open windows that this batch wakes: events of a window whose partner gets
       its first titles, titles of a window whose partner gets its first events. */
    for (size_t bi = 0; lazy && bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        if (!b->ev_live && b->ne && partner_side_holds(r, b->start, 1, &arriving[1]))
            for (size_t i = 0; i < b->ne; i++)
                if (b->ev_text[i]) {
                    prefetch_add(r, &p, b->ev_text[i]);
                    prefetch_event_fields(r, &p, loader, b->ev_sid[i]);
                }
        if (b->nt > b->nx && partner_side_holds(r, b->start, 0, &arriving[0]))
            for (size_t i = 0; i < b->nt; i++)
                if (b->titles[i].xrow < 0 && event_text_title(b->titles[i].title, &text) == 0)
                    prefetch_add(r, &p, text.data);
    }
    if (p.n) embedder_encode(r->emb, (const char *const *)p.texts, p.n, p.out, p.err, sizeof p.err);
out:
    rerank_loader_close(loader);
    while (p.n) free(p.texts[--p.n]);
    for (int side = 0; side < 2; side++) {
        for (long i = 0; i < nrows[side]; i++) free(rows[side][i].text);
        free(rows[side]);
        free(arriving[side].v);
    }
    buf_free(&text);
    free(p.out);
}

/* Which events get embedded in this batch: a window that waits goes live (all its events,
   waiting ones included, are embedded and join as new events) when it or a partner window has a
   title, or always when the mode is not lazy. Exact: an event meets the same titles whenever it
   is embedded, since a waiting window's partners had no titles so far (a partner that closed
   took its titles with it in every mode). Titles of a live window's partners are embedded too
   (lazy_select), as their windows have events. */
static void mark_live_events(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        if (b->ev_live) {
            b->ev_jmark = b->ev_mark;
            continue;
        }
        bucket *partners[3];
        size_t np = partner_buckets(r, b, partners);
        int go = r->pf_mode != PREFILTER_LAZY || partners_hold(partners, np, 1);
        b->ev_live = go;
        b->ev_jmark = go ? 0 : b->ne;
    }
}

static int one_batch(run *r, int *more)
{
    int64_t late_events0 = r->stats->late_events, late_edits0 = r->stats->late_edits;
    int64_t bad0 = r->stats->bad_rows;
    for (size_t i = 0; i < r->st.n; i++) {
        bucket *b = r->st.b[i];
        b->ev_mark = b->ne;
        b->t_mark = b->nt;
        b->x_mark = b->nx;
        b->batch_events = b->batch_titles = b->batch_edits = 0;
    }
    time_format(time_now_ms() / 1000, r->now_text);
    int64_t wiki_last = r->cp_wiki, gdelt_last = r->cp_gdelt, wiki_rows = 0, gdelt_rows = 0;
    if (r->have_wiki && read_wiki(r, &wiki_last, &wiki_rows)) return -1;
    if (r->have_gdelt && read_gdelt(r, &gdelt_last, &gdelt_rows)) return -1;
    *more = wiki_rows == r->s.batch_rows || gdelt_rows == r->s.batch_rows;
    if (!wiki_rows && !gdelt_rows) return 0;
    mark_live_events(r);
    /* Texts of events and titles the prefetch did not have ready (the embedder's in-memory
       cache misses): embedded here, with the write lock held. */
    size_t entries, hits, misses0, misses1;
    embedder_cache_stats(r->emb, &entries, &hits, &misses0);
    if (embed_new(r, 1) || prefilter_select(r) || embed_new(r, 0)) return -1;
    embedder_cache_stats(r->emb, &entries, &hits, &misses1);
    r->stats->embedded_in_write += (int64_t)(misses1 - misses0);
    if (join_batch(r) || save_state(r)) return -1;
    r->cp_wiki = wiki_last;
    r->cp_gdelt = gdelt_last;
    if (advance_watermarks(r, 0)) return -1;
    if (r->max_wiki != NO_TIME && burst_prune(r->bursts, r->max_wiki))
        return db_fail(r, "burst state");
    int64_t le = r->stats->late_events - late_events0, lw = r->stats->late_edits - late_edits0;
    if (le || lw) {
        char msg[200], details[200];
        snprintf(msg, sizeof msg, "%lld late events and %lld late edits arrived after their bucket closed",
                 (long long)le, (long long)lw);
        snprintf(details, sizeof details, "{\"late_events\":%lld,\"late_edits\":%lld}",
                 (long long)le, (long long)lw);
        if (store_event(r->db, "gold", "warn", "late", msg, details)) return db_fail(r, "event log");
    }
    if (r->stats->bad_rows > bad0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%lld silver rows skipped: event_time missing or not a time",
                 (long long)(r->stats->bad_rows - bad0));
        if (store_event(r->db, "gold", "warn", "bad_rows", msg, NULL)) return db_fail(r, "event log");
    }
    if (save_checkpoints(r)) return -1;
    r->stats->batches++;
    return 1;
}

struct gold_flow {
    run r;
    int loaded;  /* checkpoints and open-bucket state match the store */
    int build_reported; /* the static vocabulary's build time went into a step's stats */
    char err[1024];
};

/* (Re)reads checkpoints and the open buckets from the store: at open, and after a failed batch
   whose rollback left the in-memory state ahead of the store. */
static int flow_load(gold_flow *f)
{
    run *r = &f->r;
    state_free(&r->st);
    f->loaded = 0;
    if (store_checkpoint_get_int(r->db, "gold.gdelt_silver_id", 0, &r->cp_gdelt) ||
        store_checkpoint_get_int(r->db, "gold.wiki_silver_id", 0, &r->cp_wiki) ||
        load_time_checkpoint(r, "gold.gdelt_max_event_time", &r->max_gdelt) ||
        load_time_checkpoint(r, "gold.wiki_max_event_time", &r->max_wiki) ||
        load_time_checkpoint(r, "gold.closed_before", &r->closed_before))
        return db_fail(r, "reading checkpoints");
    if (load_state(r)) return -1;
    f->loaded = 1;
    return 0;
}

int gold_flow_open(sqlite3 *db, const config *cfg, embedder *emb, gold_flow **out, char *err,
                   size_t errlen)
{
    gold_flow *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    run *r = &f->r;
    r->db = db;
    r->emb = emb;
    r->err = f->err;
    r->errlen = sizeof f->err;
    if (load_settings(cfg, emb, &r->s, err, errlen)) {
        free(f);
        return -1;
    }
    /* The join writes and rereads its state pages within a batch; a page cache that holds a
       batch's working set (64 MB) keeps that off the file system. Per connection only. */
    sqlite3_exec(db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
    if (prefilter_mode_get(cfg, emb, &r->pf_mode, err, errlen) ||
        prefilter_open(db, cfg, emb, &r->pf, err, errlen)) {
        free(f);
        return -1;
    }
    r->bursts = burst_open(db, &r->s.burst);
    if (prepare_all(r) || !r->bursts || flow_load(f)) {
        snprintf(err, errlen, "%s", f->err[0] ? f->err : "burst detector: cannot prepare");
        gold_flow_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

void gold_flow_close(gold_flow *f)
{
    if (!f) return;
    burst_close(f->r.bursts);
    finalize_all(&f->r);
    prefilter_close(f->r.pf);
    state_free(&f->r.st);
    free(f);
}

int64_t gold_flow_open_buckets(const gold_flow *f) { return (int64_t)f->r.st.n; }

int gold_flow_step(gold_flow *f, int drain, gold_stats *stats, char *err, size_t errlen)
{
    run *r = &f->r;
    sqlite3 *db = r->db;
    r->stats = stats;
    f->err[0] = 0;
    int64_t t_start = time_monotonic_ms();
    stats->threshold = r->s.threshold;
    stats->prefilter = r->pf_mode != PREFILTER_OFF;
    stats->prefilter_mode = prefilter_mode_name(r->pf_mode);
    if (r->pf && !f->build_reported) {
        stats->static_vocab_seconds = prefilter_build_seconds(r->pf);
        f->build_reported = 1;
    }
    int rc = -1;
    /* The silver tables belong to other components; they may appear after the flow opened. */
    r->have_gdelt = table_exists(db, "gdelt_silver");
    r->have_wiki = table_exists(db, "wikimedia_silver");
    if (!r->have_gdelt && !r->have_wiki) {
        snprintf(f->err, sizeof f->err,
                 "neither gdelt_silver nor wikimedia_silver exists: the silver flows are not"
                 " installed in this build (run `wikigdelt refine` first)");
        goto out;
    }
    if (!r->have_gdelt) log_warn("gold", "gdelt_silver does not exist: only Wikipedia edits are read");
    if (!r->have_wiki) log_warn("gold", "wikimedia_silver does not exist: only GDELT events are read");
    if (!f->loaded && flow_load(f)) goto out;
    int more = 1;
    while (more) {
        int64_t t_embed = time_monotonic_ms();
        prefetch_embeddings(r);
        int64_t t_begin = time_monotonic_ms();
        stats->embed_seconds += (double)(t_begin - t_embed) / 1000.0;
        stats->prefetch_seconds += (double)(t_begin - t_embed) / 1000.0;
        if (store_begin(db) != 0) {
            db_fail(r, "begin");
            goto fail;
        }
        int b = one_batch(r, &more);
        if (b <= 0) {
            store_rollback(db);
            stats->write_seconds += (double)(time_monotonic_ms() - t_begin) / 1000.0;
            if (b < 0) goto fail;
            break;
        }
        int committed = store_commit(db) == 0;
        if (!committed) {
            db_fail(r, "commit");
            store_rollback(db);
        }
        stats->write_seconds += (double)(time_monotonic_ms() - t_begin) / 1000.0;
        if (!committed) goto fail;
    }
    if (drain && r->st.n) {
        time_format(time_now_ms() / 1000, r->now_text);
        if (store_begin(db) != 0) {
            db_fail(r, "begin");
            goto fail;
        }
        if (advance_watermarks(r, 1) || save_checkpoints(r)) {
            store_rollback(db);
            goto fail;
        }
        if (store_commit(db) != 0) {
            db_fail(r, "commit");
            store_rollback(db);
            goto fail;
        }
    }
    rc = 0;
    goto out;
fail:
    /* The batch was rolled back but memory moved on: reload before the next step. */
    f->loaded = 0;
out:
    if (rc) snprintf(err, errlen, "%s", f->err);
    stats->open_buckets = (int64_t)r->st.n;
    stats->total_seconds = (double)(time_monotonic_ms() - t_start) / 1000.0;
    return rc;
}

int gold_correlate_run(sqlite3 *db, const config *cfg, embedder *emb, int drain,
                       gold_stats *stats, char *err, size_t errlen)
{
    gold_flow *f;
    if (!table_exists(db, "gdelt_silver") && !table_exists(db, "wikimedia_silver")) {
        snprintf(err, errlen, "neither gdelt_silver nor wikimedia_silver exists: the silver flows"
                              " are not installed in this build (run `wikigdelt refine` first)");
        return -1;
    }
    if (gold_flow_open(db, cfg, emb, &f, err, errlen)) return -1;
    int rc = gold_flow_step(f, drain, stats, err, errlen);
    gold_flow_close(f);
    return rc;
}
