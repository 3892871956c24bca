/* A bounded in-memory cache of embeddings keyed by the exact text (bytes), least recently used
 * entries evicted first. Not thread-safe: the embedder serialises access. */
#ifndef WG_EMBED_CACHE_H
#define WG_EMBED_CACHE_H

#include <stddef.h>

typedef struct embed_cache embed_cache;

/* capacity = most entries kept (0 disables the cache); dim = floats per vector. */
embed_cache *embed_cache_new(size_t capacity, int dim);
void embed_cache_free(embed_cache *c);
/* Copies the vector of text into out and returns 1 on a hit, 0 on a miss. */
int embed_cache_get(embed_cache *c, const char *text, float *out);
void embed_cache_put(embed_cache *c, const char *text, const float *vec);
size_t embed_cache_size(const embed_cache *c);
size_t embed_cache_hits(const embed_cache *c);
size_t embed_cache_misses(const embed_cache *c);

#endif
