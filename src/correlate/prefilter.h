/* Which titles the gold join embeds with the real model (setting correlate.prefilter):
 *   lazy   (default) every title, but only once its window (or, with neighbour buckets, a
 *          partner window) has at least one event: a window that never gets an event never
 *          costs an embedding. Exact: the same pairs as off. The mirror for events: an event is
 *          embedded only once its window (or a partner window) has a title (gold_flow.c,
 *          mark_live_events); a window that never gets one never embeds its events.
 *   static the cascade: cheap static vectors (src/embed/static_vocab.h) for every title, and only
 *          the titles that some event of their window(s) ranks high on them are embedded.
 *          Approximate (recall measured in docs/gold.md); needs the real model. Events are
 *          embedded on arrival (the first stage ranks titles against their vectors).
 *   off    every title and event as soon as it arrives (the original behaviour).
 * Settings of the static mode:
 *   correlate.prefilter.weights    = zipf | uniform  (token weight in a text's mean)
 *   correlate.prefilter.threshold  = cosine a title's static vector must reach with the model
 *                                    vector of some event of its window(s)
 *   correlate.prefilter.top_n      = and be among that event's N best titles by that cosine
 * The vocabulary table is built once per model (seconds) and kept in the store, in
 * gold_static_vocab, keyed by the SHA-256 of model.safetensors and the kind of vectors. */
#ifndef WG_PREFILTER_H
#define WG_PREFILTER_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/config.h"
#include "embed/embedder.h"

typedef struct prefilter prefilter;

typedef enum prefilter_mode { PREFILTER_OFF, PREFILTER_LAZY, PREFILTER_STATIC } prefilter_mode;

/* The mode correlate.prefilter asks for ("on" is taken as static). The hash fallback has no
 * static vectors: static becomes lazy there. Returns -1 with err on an unknown value. */
int prefilter_mode_get(const config *cfg, embedder *emb, prefilter_mode *mode, char *err,
                       size_t errlen);
const char *prefilter_mode_name(prefilter_mode mode);

/* Loads (or builds and stores) the static table for emb's model. *out is NULL, with 0 returned,
 * when the mode is not static. Building writes to the store in a transaction of its own, so call it
 * outside one. Returns -1 with err on a bad setting or an unusable model. */
int prefilter_open(sqlite3 *db, const config *cfg, embedder *emb, prefilter **out, char *err,
                   size_t errlen);
void prefilter_close(prefilter *p);

int prefilter_dim(const prefilter *p);
float prefilter_threshold(const prefilter *p);
int prefilter_top_n(const prefilter *p);
/* Seconds spent building the vocabulary table in this open (0 when it came from the store). */
double prefilter_build_seconds(const prefilter *p);

/* The static vector (prefilter_dim floats, unit length or all zero) of a text. */
void prefilter_embed(prefilter *p, const char *text, float *out);

#endif
