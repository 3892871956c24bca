/* Sentence embeddings: the one interface the pipeline uses to turn texts into unit vectors of
 * EMBED_DIM floats. Backends: all-MiniLM-L6-v2 (the real model, fp32 or reduced precision) and a
 * weight-free fallback (hashed character n-grams), chosen by config:
 *   embed.backend   = auto | minilm | hash      (auto: minilm when the model is installed)
 *   embed.model_dir = DIR                        (Hugging Face layout; default
 *                                                 $HOME/models/all-MiniLM-L6-v2)
 *   embed.precision = auto | fp32 | bf16 | int8  (auto, the default: int8 with AVX512-VNNI,
 *                                                 else bf16 with AVX512-BF16, else fp32; fp32 is
 *                                                 the exact path; the name says which ran)
 *   embed.threads   = N                          (worker threads, default: online cores)
 *   embed.batch_size = N                         (most texts per packed batch, default 128)
 *   embed.batch_tokens = N                       (most tokens per packed batch, default 2048)
 *   embed.cache_size = N                         (cached vectors, default 20000 ~ 32 MB; 0 = off)
 * Identical texts are embedded once (a cache keyed by the exact text). Vectors are L2-normalised,
 * so cosine similarity is a dot product. */
#ifndef WG_EMBEDDER_H
#define WG_EMBEDDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define EMBED_DIM 384

typedef struct embedder embedder;
struct sqlite3;

int embedder_open(const config *cfg, embedder **out, char *err, size_t errlen);
/* out receives n * EMBED_DIM floats, row-major. NULL or empty texts embed as the empty string. */
int embedder_encode(embedder *e, const char *const *texts, size_t n, float *out, char *err,
                    size_t errlen);
/* Human-readable backend name, e.g. "all-MiniLM-L6-v2 (fp32)" or "hash-ngram fallback". */
const char *embedder_name(const embedder *e);
int embedder_is_fallback(const embedder *e);
void embedder_close(embedder *e);

/* Token ids (with [CLS]/[SEP], truncated like the encoder's input) of text; returns how many
 * were written (at most max), or -1 when the backend has no tokenizer (the fallback). */
int embedder_tokenize(embedder *e, const char *text, int32_t *ids, int max);
/* Persists the cache in the store's embedding_cache table (created by src/embed/embed_schema.c):
 * misses of the in-memory cache are looked up there, and new vectors are written there (inside
 * the caller's open transaction if there is one, else in one of their own). db stays the caller's
 * and must outlive the embedder, or be detached with NULL. No effect for the fallback, which is
 * cheaper to recompute than to look up. Returns 0, or -1 when the table is missing. */
int embedder_attach_store(embedder *e, struct sqlite3 *db);
/* The precision embed.precision = auto resolves to on this machine: "int8", "bf16" or "fp32"
 * (only a kernel compiled in and supported by the CPU; never an emulated path). */
const char *embedder_auto_precision(void);
/* The model directory in use (NULL for the fallback). */
const char *embedder_model_dir(const embedder *e);
/* Cache figures since open. */
void embedder_cache_stats(const embedder *e, size_t *entries, size_t *hits, size_t *misses);
/* The model directory that embed.model_dir names, or the default; written into buf. */
const char *embedder_default_model_dir(const config *cfg, char *buf, size_t len);

/* The fallback on its own (used by embedder.c and tests): writes one normalised vector. */
void embed_hash_text(const char *text, float *out);

#endif
