/* Embedding cache: a hit returns exactly the stored vector; bounded with LRU eviction; size 0
 * disables it. Plus the embedder's fallback path (no model) gives unit vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "embed/embed_cache.h"
#include "embed/embedder.h"

static void fill(float *v, int dim, float seed)
{
    for (int i = 0; i < dim; i++) v[i] = sinf(seed * (float)(i + 1));
}

static void test_hit_identical(void **state)
{
    (void)state;
    embed_cache *c = embed_cache_new(10, 8);
    float v[8], out[8];
    fill(v, 8, 1.5f);
    assert_int_equal(embed_cache_get(c, "Taylor Swift", out), 0);
    embed_cache_put(c, "Taylor Swift", v);
    assert_int_equal(embed_cache_get(c, "Taylor Swift", out), 1);
    assert_memory_equal(v, out, sizeof v);
    /* the key is the exact text */
    assert_int_equal(embed_cache_get(c, "taylor swift", out), 0);
    assert_int_equal(embed_cache_get(c, "Taylor Swift ", out), 0);
    assert_int_equal(embed_cache_hits(c), 1);
    assert_int_equal(embed_cache_misses(c), 3);
    embed_cache_free(c);
}

static void test_bounded_lru(void **state)
{
    (void)state;
    embed_cache *c = embed_cache_new(3, 4);
    float v[4], out[4];
    char key[16];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "k%d", i);
        fill(v, 4, (float)i);
        embed_cache_put(c, key, v);
    }
    assert_int_equal(embed_cache_get(c, "k0", out), 1); /* k0 now most recent */
    fill(v, 4, 9.0f);
    embed_cache_put(c, "k3", v);                       /* evicts k1, the least recent */
    assert_int_equal(embed_cache_size(c), 3);
    assert_int_equal(embed_cache_get(c, "k1", out), 0);
    assert_int_equal(embed_cache_get(c, "k0", out), 1);
    assert_int_equal(embed_cache_get(c, "k3", out), 1);
    assert_memory_equal(v, out, sizeof v);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "x%d", i);
        embed_cache_put(c, key, v);
    }
    assert_int_equal(embed_cache_size(c), 3);
    embed_cache_free(c);
    embed_cache *off = embed_cache_new(0, 4);
    embed_cache_put(off, "a", v);
    assert_int_equal(embed_cache_get(off, "a", out), 0);
    embed_cache_free(off);
}

static void test_fallback_embedder(void **state)
{
    (void)state;
    config *cfg = config_new();
    config_set(cfg, "embed.backend", "hash");
    embedder *e = NULL;
    char err[256];
    assert_int_equal(embedder_open(cfg, &e, err, sizeof err), 0);
    assert_true(embedder_is_fallback(e));
    const char *texts[] = {"Earthquake in Myanmar", NULL, "Earthquake in Myanmar"};
    float out[3 * EMBED_DIM];
    assert_int_equal(embedder_encode(e, texts, 3, out, err, sizeof err), 0);
    double n = 0;
    for (int i = 0; i < EMBED_DIM; i++) n += out[i] * out[i];
    assert_true(fabs(n - 1.0) < 1e-5);
    assert_memory_equal(out, out + 2 * EMBED_DIM, EMBED_DIM * sizeof(float));
    int32_t ids[8];
    assert_int_equal(embedder_tokenize(e, "x", ids, 8), -1);
    embedder_close(e);
    /* minilm required but absent: a clear error naming the file */
    config_set(cfg, "embed.backend", "minilm");
    config_set(cfg, "embed.model_dir", "/nonexistent-model-dir");
    assert_int_equal(embedder_open(cfg, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-model-dir/vocab.txt"));
    config_set(cfg, "embed.backend", "bogus");
    assert_int_equal(embedder_open(cfg, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "embed.backend"));
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_identical),
        cmocka_unit_test(test_bounded_lru),
        cmocka_unit_test(test_fallback_embedder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
