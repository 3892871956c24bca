/* The gold flow's private header: what its files share (in the spirit of SQLite's sqliteInt.h).
 * The public API is gold_flow.h. The rooms:
 *   gold_flow.c       the public API, the settings and the batch driver (one transaction per
 *                     batch: read silver, embed, join, save the state, close, checkpoints)
 *   gold_buckets.c    the in-memory state of the open buckets, no SQLite (gold_buckets.h)
 *   gold_sql.c        all of gold's SQL: statements, the one silver reader, loading and saving
 *                     the buckets' state, pairs, late rows, closing, checkpoints
 *   gold_embed.c      the embedding policy: which events and titles are embedded when
 *                     (correlate.prefilter lazy/static/off) and the prefetch before a batch
 *   gold_join.c       the candidate join (cosine top-k, country pages) and the rerank
 *   gold_watermark.c  watermarks, lateness and closing buckets
 * One word for one thing: a "bucket" is a pipeline.bucket_seconds slice of event time and the
 * join state kept for it while it is open. */
#ifndef WG_GOLD_INT_H
#define WG_GOLD_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "correlate/burst.h"
#include "correlate/event_text.h"
#include "correlate/gold_buckets.h"
#include "correlate/gold_flow.h"
#include "correlate/prefilter.h"
#include "embed/embedder.h"

#define NO_TIME INT64_MIN

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

typedef struct run {
    sqlite3 *db;
    embedder *emb;
    prefilter *pf;                       /* the cascade's first stage; NULL unless static */
    prefilter_mode pf_mode;              /* correlate.prefilter */
    settings s;
    bucket_set st;
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

/* A candidate pair: event ev of bucket eb, title t of bucket tb. */
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

/* ---- gold_flow.c ---- */
int gold_load_settings(const config *cfg, const embedder *emb, settings *s, char *err,
                       size_t errlen);

/* ---- gold_sql.c ---- */
int gold_db_fail(run *r, const char *what); /* r->err = what + SQLite's message; returns -1 */
int gold_prepare(run *r, sqlite3_stmt **st, const char *sql);
int gold_step_done(run *r, sqlite3_stmt *st, const char *what);
int gold_prepare_all(run *r);
void gold_finalize_all(run *r);
void gold_sql_tune(sqlite3 *db);
int gold_table_exists(sqlite3 *db, const char *name);
int gold_load_state(run *r);
int gold_save_state(run *r);
int gold_record_late(run *r, const char *stream, int64_t sid, const char *event_time,
                     int64_t bucket_start, const char *detail);
int gold_insert_pair(run *r, const pending_pair *pp, int rank);
int gold_refresh_event(run *r, bucket *b, uint32_t ev, int reranked);
int gold_set_best(run *r, bucket *b, uint32_t ev, const pending_pair *best, size_t count);
int gold_close_bucket(run *r, bucket *b);
int gold_save_checkpoints(run *r);
int gold_load_time_checkpoint(run *r, const char *name, int64_t *out);

/* The one reader of silver for the batch and the prefetch: side 0 gdelt_silver (events), 1
   wikimedia_silver (titles), the next settings.batch_rows rows past the side's checkpoint. */
typedef struct gold_silver_reader {
    sqlite3_stmt *q;
    int titles;
} gold_silver_reader;

typedef struct gold_silver_row {
    int64_t sid;
    const char *event_time;
    /* wikimedia_silver */
    const char *wiki, *title, *user;
    int is_content;
    /* gdelt_silver */
    int64_t event_id;
    event_parts parts;    /* the event text's fields */
    const char *codes[3]; /* Actor1CountryCode, Actor2CountryCode, ActionGeo_CountryCode */
} gold_silver_row;

int gold_silver_open(run *r, int titles, gold_silver_reader *rd);
/* What a read from silver gave: a row (valid until the next call), the end, or a store error. */
typedef enum gold_read { GOLD_READ_ERROR = -1, GOLD_READ_END = 0, GOLD_READ_ROW = 1 } gold_read;
gold_read gold_silver_next(gold_silver_reader *rd, gold_silver_row *row);
void gold_silver_close(gold_silver_reader *rd);
/* The gold_events row of the reader's current event row. */
int gold_insert_event(run *r, const gold_silver_reader *rd, const char *bucket_text,
                      const char *text, int late);

/* ---- gold_embed.c ---- */
void gold_mark_live_events(run *r);
int gold_embed_new(run *r, int events);
int gold_prefilter_select(run *r);
void gold_prefetch_embeddings(run *r);

/* ---- gold_join.c ---- */
int gold_join_batch(run *r);
double gold_stored_sim(float sim);

/* ---- gold_watermark.c ---- */
int64_t gold_bucket_close_time(const run *r, int64_t start);
int gold_is_late(const run *r, int64_t bucket_start);
int gold_advance_watermarks(run *r, int drain);

static inline size_t gold_partners_of(run *r, int64_t start, bucket *out[3])
{
    return bucket_set_partners(&r->st, start, r->s.bucket_seconds, r->s.neighbours, out);
}

static inline size_t gold_partner_buckets(run *r, bucket *b, bucket *out[3])
{
    return gold_partners_of(r, b->start, out);
}

#endif
