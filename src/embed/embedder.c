/* Embedder front: picks the backend. Until the MiniLM engine lands only the fallback exists. */
#include "embed/embedder.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct embedder {
    int fallback;
};

int embedder_open(const config *cfg, embedder **out, char *err, size_t errlen)
{
    const char *backend = config_get_str(cfg, "embed.backend", "auto");
    if (strcmp(backend, "auto") != 0 && strcmp(backend, "hash") != 0) {
        snprintf(err, errlen, "embed.backend = %s is not available in this build", backend);
        return -1;
    }
    embedder *e = calloc(1, sizeof *e);
    if (!e) return -1;
    e->fallback = 1;
    log_warn("embed", "USING THE FALLBACK EMBEDDER (hashed n-grams, no model): similarities are lexical only");
    *out = e;
    return 0;
}

int embedder_encode(embedder *e, const char *const *texts, size_t n, float *out, char *err,
                    size_t errlen)
{
    (void)e;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < n; i++) embed_hash_text(texts[i], out + i * EMBED_DIM);
    return 0;
}

const char *embedder_name(const embedder *e)
{
    return e->fallback ? "hash-ngram fallback" : "all-MiniLM-L6-v2";
}

int embedder_is_fallback(const embedder *e) { return e->fallback; }

void embedder_close(embedder *e) { free(e); }
