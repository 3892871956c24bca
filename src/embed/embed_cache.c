/* Embedding cache: chained hash table + doubly linked LRU list. */
#include "embed/embed_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *next_in_bucket, *prev_lru, *next_lru;
    uint64_t hash;
    char *text;
    float vec[];
} entry;

struct embed_cache {
    entry **buckets;
    size_t nbuckets, count, capacity, hits, misses;
    int dim;
    entry *lru_head, *lru_tail; /* head = most recently used */
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

embed_cache *embed_cache_new(size_t capacity, int dim)
{
    embed_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->capacity = capacity;
    c->dim = dim;
    c->nbuckets = 1024;
    while (c->nbuckets < capacity && c->nbuckets < ((size_t)1 << 26)) c->nbuckets <<= 1;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    return c;
}

void embed_cache_free(embed_cache *c)
{
    if (!c) return;
    for (entry *e = c->lru_head, *n; e; e = n) {
        n = e->next_lru;
        free(e->text);
        free(e);
    }
    free(c->buckets);
    free(c);
}

static void lru_unlink(embed_cache *c, entry *e)
{
    if (e->prev_lru) e->prev_lru->next_lru = e->next_lru;
    else c->lru_head = e->next_lru;
    if (e->next_lru) e->next_lru->prev_lru = e->prev_lru;
    else c->lru_tail = e->prev_lru;
    e->prev_lru = e->next_lru = NULL;
}

static void lru_push_front(embed_cache *c, entry *e)
{
    e->prev_lru = NULL;
    e->next_lru = c->lru_head;
    if (c->lru_head) c->lru_head->prev_lru = e;
    c->lru_head = e;
    if (!c->lru_tail) c->lru_tail = e;
}

static entry *find(embed_cache *c, const char *text, uint64_t h)
{
    for (entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->next_in_bucket)
        if (e->hash == h && !strcmp(e->text, text)) return e;
    return NULL;
}

int embed_cache_get(embed_cache *c, const char *text, float *out)
{
    if (!c || !c->capacity) return 0;
    entry *e = find(c, text, hash_text(text));
    if (!e) {
        c->misses++;
        return 0;
    }
    c->hits++;
    lru_unlink(c, e);
    lru_push_front(c, e);
    memcpy(out, e->vec, (size_t)c->dim * sizeof(float));
    return 1;
}

static void evict_one(embed_cache *c)
{
    entry *e = c->lru_tail;
    if (!e) return;
    lru_unlink(c, e);
    entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e) pp = &(*pp)->next_in_bucket;
    *pp = e->next_in_bucket;
    free(e->text);
    free(e);
    c->count--;
}

void embed_cache_put(embed_cache *c, const char *text, const float *vec)
{
    if (!c || !c->capacity) return;
    uint64_t h = hash_text(text);
    entry *e = find(c, text, h);
    if (e) {
        memcpy(e->vec, vec, (size_t)c->dim * sizeof(float));
        return;
    }
    while (c->count >= c->capacity) evict_one(c);
    e = malloc(sizeof *e + (size_t)c->dim * sizeof(float));
    if (!e) return; /* a cache that cannot grow just misses */
    if (!(e->text = strdup(text))) {
        free(e);
        return;
    }
    e->hash = h;
    memcpy(e->vec, vec, (size_t)c->dim * sizeof(float));
    size_t b = h & (c->nbuckets - 1);
    e->next_in_bucket = c->buckets[b];
    c->buckets[b] = e;
    lru_push_front(c, e);
    c->count++;
}

size_t embed_cache_size(const embed_cache *c) { return c ? c->count : 0; }
size_t embed_cache_hits(const embed_cache *c) { return c ? c->hits : 0; }
size_t embed_cache_misses(const embed_cache *c) { return c ? c->misses : 0; }
