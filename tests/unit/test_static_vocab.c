/* Static token vectors of the gold cascade (src/embed/static_vocab.h): half-float storage,
 * the Zipf-like token weights and a text's weighted mean; a model directory that is not there
 * is a clear error naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/static_vocab.h"

static void test_half_round_trip(void **state)
{
    (void)state;
    const float exact[] = {0.0f, 1.0f, -1.0f, 0.5f, -0.25f, 2048.0f, 65504.0f, 6.103515625e-05f,
                           5.960464477539063e-08f /* smallest subnormal */};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        assert_true(static_vocab_from_half(static_vocab_to_half(exact[i])) == exact[i]);
    assert_int_equal(static_vocab_to_half(1.0f), 0x3c00);
    assert_int_equal(static_vocab_to_half(-2.0f), 0xc000);
    assert_true(isinf(static_vocab_from_half(static_vocab_to_half(1e6f))));
    assert_true(static_vocab_from_half(static_vocab_to_half(1e-9f)) == 0.0f);
    /* Unit-vector components: relative error within half precision (2^-11). */
    for (int i = 1; i < 1000; i++) {
        float f = sinf((float)i) * 0.3f;
        float g = static_vocab_from_half(static_vocab_to_half(f));
        assert_true(fabsf(f - g) <= fabsf(f) / 2048.0f + 1e-7f);
    }
    /* Round to nearest even: 1 + 2^-11 is halfway between 1 and the next half, stays 1. */
    assert_int_equal(static_vocab_to_half(1.0f + 1.0f / 2048.0f), 0x3c00);
    assert_int_equal(static_vocab_to_half(1.0f + 3.0f / 2048.0f), 0x3c02);
}

static void test_weights(void **state)
{
    (void)state;
    /* Specials and single characters weigh least; rarer word pieces more. */
    float w_special = static_vocab_weight(STATIC_WEIGHT_ZIPF, 101);
    float w_the = static_vocab_weight(STATIC_WEIGHT_ZIPF, 1996);
    float w_rare = static_vocab_weight(STATIC_WEIGHT_ZIPF, 25000);
    assert_true(w_special > 0 && w_special < w_the && w_the < w_rare);
    assert_float_equal(static_vocab_weight(STATIC_WEIGHT_UNIFORM, 25000), 1.0f, 0);
}

static void test_text_vector(void **state)
{
    (void)state;
    enum { V = 2100, D = 4 };
    float *table = calloc((size_t)V * D, sizeof *table);
    assert_non_null(table);
    table[2000 * D + 0] = 1.0f; /* token 2000 along axis 0 */
    table[2050 * D + 1] = 1.0f; /* token 2050 along axis 1 */
    table[101 * D + 2] = 1.0f;  /* [CLS] and [SEP] would point along axis 2: never used */
    table[102 * D + 2] = 1.0f;
    float out[D];
    int32_t ids[] = {101, 2000, 2050, 102};
    assert_int_equal(static_vocab_text(table, V, D, STATIC_WEIGHT_UNIFORM, ids, 4, out), 2);
    assert_float_equal(out[0], sqrtf(0.5f), 1e-6);
    assert_float_equal(out[1], sqrtf(0.5f), 1e-6);
    assert_float_equal(out[2], 0.0f, 0);
    /* Zipf weights: the rarer token (2050) pulls harder. */
    static_vocab_text(table, V, D, STATIC_WEIGHT_ZIPF, ids, 4, out);
    float w0 = static_vocab_weight(STATIC_WEIGHT_ZIPF, 2000), w1 = static_vocab_weight(STATIC_WEIGHT_ZIPF, 2050);
    float n = sqrtf(w0 * w0 + w1 * w1);
    assert_float_equal(out[0], w0 / n, 1e-6);
    assert_float_equal(out[1], w1 / n, 1e-6);
    assert_true(out[1] > out[0]);
    /* Repeated tokens count each time; ids outside the table are skipped. */
    int32_t rep[] = {101, 2000, 2000, 2050, 99999, -5, 102};
    assert_int_equal(static_vocab_text(table, V, D, STATIC_WEIGHT_UNIFORM, rep, 7, out), 3);
    assert_float_equal(out[0], 2.0f / sqrtf(5.0f), 1e-6);
    /* Nothing between [CLS] and [SEP]: the zero vector, which matches nothing. */
    int32_t empty[] = {101, 102};
    assert_int_equal(static_vocab_text(table, V, D, STATIC_WEIGHT_ZIPF, empty, 2, out), 0);
    for (int d = 0; d < D; d++) assert_float_equal(out[d], 0.0f, 0);
    free(table);
}

static void test_missing_model(void **state)
{
    (void)state;
    float *v = NULL;
    int vocab = 0, dim = 0;
    char err[512] = "";
    assert_int_equal(static_vocab_build("/nonexistent/model-dir", 1, &v, &vocab, &dim, err,
                                        sizeof err),
                     -1);
    assert_null(v);
    assert_non_null(strstr(err, "/nonexistent/model-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_round_trip),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_text_vector),
        cmocka_unit_test(test_missing_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
