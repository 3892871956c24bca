/* Sentence embeddings: the one interface the pipeline uses to turn texts into unit vectors of
 * EMBED_DIM floats. Backends: all-MiniLM-L6-v2 (the real model, fp32 or reduced precision) and a
 * weight-free fallback (hashed character n-grams), chosen by config:
 *   embed.backend   = auto | minilm | hash      (auto: minilm when the model is installed)
 *   embed.model_dir = DIR                        (Hugging Face layout)
 * Identical texts are embedded once (a cache keyed by the exact text). Vectors are L2-normalised,
 * so cosine similarity is a dot product. */
#ifndef WG_EMBEDDER_H
#define WG_EMBEDDER_H

#include <stddef.h>

#include "core/config.h"

#define EMBED_DIM 384

typedef struct embedder embedder;

int embedder_open(const config *cfg, embedder **out, char *err, size_t errlen);
/* out receives n * EMBED_DIM floats, row-major. NULL or empty texts embed as the empty string. */
int embedder_encode(embedder *e, const char *const *texts, size_t n, float *out, char *err,
                    size_t errlen);
/* Human-readable backend name, e.g. "all-MiniLM-L6-v2 (fp32)" or "hash-ngram fallback". */
const char *embedder_name(const embedder *e);
int embedder_is_fallback(const embedder *e);
void embedder_close(embedder *e);

/* The fallback on its own (used by embedder.c and tests): writes one normalised vector. */
void embed_hash_text(const char *text, float *out);

#endif
