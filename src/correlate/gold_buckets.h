/* The gold flow's in-memory state of its open buckets (the time buckets of correlate's
 * stream-stream join, pipeline.bucket_seconds wide): per bucket its events (silver id, model
 * vector, pair count and top-k floor), its distinct content titles (edit counts, a hash index,
 * the model vectors of those embedded) and the per-country indices the candidate stage uses.
 * No SQLite here: gold_sql.c loads and saves it, and tests/unit/test_gold_buckets.c drives it
 * directly. */
#ifndef WG_GOLD_BUCKETS_H
#define WG_GOLD_BUCKETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"
#include "embed/embedder.h"

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
    /* Lazy events (correlate.prefilter = lazy): a bucket's events are embedded only once it or
       a partner bucket has a title. ev_live is 0 while none of them is embedded (they wait with
       their texts, stored with an empty vector), 1 once all are (then every new one is embedded
       on arrival): a bucket's events are never half embedded, so the store's empty vectors say
       it exactly. In the other modes every bucket is live. */
    int ev_live;
    /* Events at index >= ev_jmark are embedded in the current batch and join as new events (all
       of a bucket that went live in this batch, else its new ones; ne while it waits). */
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

/* The open buckets (few: correlate.max_open_buckets), in no particular order. */
typedef struct bucket_set {
    bucket **b;
    size_t n, cap;
} bucket_set;

void bucket_set_free(bucket_set *s);
bucket *bucket_set_find(bucket_set *s, int64_t start);
/* A new empty bucket at start; sdim: floats per static title vector (0: no prefilter). NULL out
   of memory. */
bucket *bucket_set_add(bucket_set *s, int64_t start, int sdim);
/* Removes b from the set and frees it. */
void bucket_set_remove(bucket_set *s, bucket *b);
/* The open buckets a row of the bucket starting at start is joined with: that bucket and, with
   neighbours, the ones width before and after (those of them that are open). */
size_t bucket_set_partners(bucket_set *s, int64_t start, int64_t width, int neighbours,
                           bucket *out[3]);
/* Whether any of the buckets holds titles (titles = 1) or events (titles = 0). */
int bucket_partners_hold(bucket *const *partners, size_t np, int titles);

/* Appends an event; vec (EMBED_DIM floats) or NULL (embedded later), text owned by the bucket
   until embedded (or NULL); codes: Actor1CountryCode, Actor2CountryCode, ActionGeo_CountryCode
   (any NULL) or codes NULL. -1 out of memory. */
int bucket_event_add(bucket *b, int64_t sid, const float *vec, char *text,
                     const char *const codes[3]);
/* The events of b embedded before the current batch (they join only the batch's new titles). */
size_t bucket_ev_old(const bucket *b);
/* Index of (wiki, title) in the bucket, or -1. */
long bucket_title_find(const bucket *b, const char *wiki, const char *title);
/* Appends a title (edits, first and last silver ids) and returns its index, -1 out of memory;
   vec: its model vector when it has one (from the store), else NULL. */
long bucket_title_add(bucket *b, const char *wiki, const char *title, int64_t edits,
                      int64_t first_sid, int64_t last_sid, const float *vec);
/* Room for need exact rows (model vectors of titles). -1 out of memory. */
int bucket_exact_reserve(bucket *b, size_t need);
/* Appends an exact row for title i and returns its vector (the caller's to fill). Rows returned
   earlier move unless bucket_exact_reserve made room for them all first. */
float *bucket_exact_row_add(bucket *b, size_t i);

#endif
