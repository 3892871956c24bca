/* The weight-free fallback embedder: lower-cased word unigrams and character trigrams (with word
 * boundary marks) hashed into EMBED_DIM signed buckets, then L2-normalised. It captures surface
 * overlap only (shared words and word pieces), which is enough for the demo to run without the
 * model; it knows nothing of meaning, and every place that uses it says so. */
#include "embed/embedder.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static uint64_t fnv1a(const unsigned char *s, size_t n, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void add_feature(float *out, const unsigned char *s, size_t n, uint64_t seed, float weight)
{
    uint64_t h = fnv1a(s, n, seed);
    size_t bucket = (size_t)(h % EMBED_DIM);
    float sign = (h >> 63) ? -1.0f : 1.0f;
    out[bucket] += sign * weight;
}

void embed_hash_text(const char *text, float *out)
{
    memset(out, 0, EMBED_DIM * sizeof *out);
    if (!text) text = "";
    unsigned char word[256];
    const unsigned char *p = (const unsigned char *)text;
    for (;;) {
        /* Words are runs of letters/digits or of non-ASCII bytes (UTF-8 letters). */
        while (*p && !(isalnum(*p) || *p >= 0x80)) p++;
        if (!*p) break;
        size_t n = 1; /* word[0] is the start mark */
        word[0] = '<';
        while (*p && (isalnum(*p) || *p >= 0x80)) {
            if (n < sizeof word - 2) word[n++] = (unsigned char)tolower(*p);
            p++;
        }
        word[n++] = '>';
        add_feature(out, word + 1, n - 2, 1, 1.0f);
        for (size_t i = 0; i + 3 <= n; i++) add_feature(out, word + i, 3, 2, 0.5f);
    }
    double norm = 0;
    for (int i = 0; i < EMBED_DIM; i++) norm += (double)out[i] * out[i];
    if (norm > 0) {
        float inv = (float)(1.0 / sqrt(norm));
        for (int i = 0; i < EMBED_DIM; i++) out[i] *= inv;
    }
}
