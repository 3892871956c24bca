/* The gold flow: a stream-stream join of gdelt_silver and wikimedia_silver in time buckets.
 *
 * Each run reads both silver tables past its checkpoints (silver_id), in batches. Per batch, in
 * ONE transaction: new events and new distinct content titles are embedded and matched against
 * the other side of their open bucket (and, with correlate.neighbour_buckets, the buckets next
 * to it) by a blocked sgemm top-k; pairs >= correlate.threshold go to correlated_gold_events
 * (top correlate.top_k per event), every event gets its gold_events row, edit bursts are
 * detected, the watermarks advance (per stream: max event time seen minus
 * correlate.allowed_lateness_seconds), buckets whose end both watermarks passed are closed and
 * their state dropped, rows for already closed buckets go to gold_late, and the checkpoints
 * move. A crash re-runs the batch; nothing is lost or written twice. The join state of open
 * buckets (vectors) is persisted with the batch, so memory is bounded by the open buckets. */
#ifndef WG_GOLD_FLOW_H
#define WG_GOLD_FLOW_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "embed/embedder.h"

typedef struct gold_stats {
    int64_t events_read;      /* gdelt_silver rows consumed */
    int64_t edits_read;       /* wikimedia_silver rows consumed */
    int64_t content_edits;    /* of which content edits that took part */
    int64_t new_titles;       /* distinct (bucket, wiki, title) candidates created */
    int64_t pairs_written;    /* correlated_gold_events rows inserted */
    int64_t pairs_pruned;     /* rows removed because better titles arrived (top-k) */
    int64_t late_events;
    int64_t late_edits;
    int64_t bad_rows;         /* rows whose event_time did not parse (skipped, logged) */
    int64_t buckets_closed;
    int64_t open_buckets;     /* after the run */
    int64_t bursts;           /* new breaking-news bursts */
    int64_t batches;
    double embed_seconds, join_seconds, total_seconds;
    float threshold;
    /* The cascade prefilter (correlate.prefilter, src/correlate/prefilter.h). */
    int prefilter;                /* 1 when it ran */
    const char *prefilter_mode;   /* lazy, static or off (static storage) */
    int64_t titles_embedded;      /* titles embedded with the model (all new ones when off) */
    int64_t events_embedded;      /* events embedded with the model (lazy: only those whose
                                     window, or a partner window, has a title) */
    double prefilter_seconds;     /* static vectors and the first-stage search */
    double static_vocab_seconds;  /* one-time build of the static vocabulary (0: from the store) */
    int64_t rerank_candidates; /* pairs the cosine stage proposed to the reranker */
    int64_t rerank_country_pages; /* of them, proposed below the cosine as the page of one of
                                     the event's countries in the title's wiki's language */
    double rerank_seconds;     /* reranking, its embedding of event fields included */
    double prefetch_seconds;   /* embedding before the batches' write transactions */
    double write_seconds;      /* inside the batches' write transactions (the store's write
                                  lock held: silver flows writing the same file wait) */
    int64_t embedded_in_write; /* event and title texts embedded inside them (not ready from
                                  the prefetch; the reranker's field texts aside) */
} gold_stats;

/* A flow handle keeps the open buckets' state in memory between steps, so a continuous pipeline
 * (`run`) calls gold_flow_step every cycle without reloading it; a failed step rolls back and
 * the next one reloads from the store. Settings are read at open. One handle per store. */
typedef struct gold_flow gold_flow;
int gold_flow_open(sqlite3 *db, const config *cfg, embedder *emb, gold_flow **out, char *err,
                   size_t errlen);
/* Processes everything pending. drain: the input has ended (a replay or a test), so after the
 * last batch every open bucket is closed. Returns 0, or -1 with err set. */
int gold_flow_step(gold_flow *f, int drain, gold_stats *stats, char *err, size_t errlen);
int64_t gold_flow_open_buckets(const gold_flow *f);
void gold_flow_close(gold_flow *f);

/* open + step + close, for `wikigdelt correlate`. */
int gold_correlate_run(sqlite3 *db, const config *cfg, embedder *emb, int drain,
                       gold_stats *stats, char *err, size_t errlen);

/* The threshold in effect: correlate.threshold, whose default depends on the embedder (a
 * lexical fallback scores differently from the model). */
double gold_threshold(const config *cfg, const embedder *emb);

#endif
