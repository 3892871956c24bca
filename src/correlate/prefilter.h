/* The first stage of the gold join's cascade: cheap static vectors (src/embed/static_vocab.h)
 * for every event and title, so that only the titles that can match are embedded with the real
 * model. Settings:
 *   correlate.prefilter            = on | off        (default on; always off with the hash
 *                                                     fallback, which has no static vectors)
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

/* Loads (or builds and stores) the static table for emb's model. *out is NULL, with 0 returned,
 * when the prefilter is off. Building writes to the store in a transaction of its own, so call it
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
