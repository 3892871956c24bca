/* The int8 path of the BERT encoder on a small random model written by the test itself (hidden
 * 32, 2 heads of 16, FFN 64, 2 layers): close to fp32, independent of how the texts are batched
 * (odd token counts exercise the padded rows of the micro-tiles; n = 32/96/64 exercise tiles of
 * 2 and 3 (+1) column blocks), every product can be kept in bf16, and the stage timing counters
 * count. Runs under ASan/UBSan with `make asan`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed/bert.h"

enum { H = 32, INTER = 64, LAYERS = 2, VOCAB = 50, POS = 40 };

static char dir[64];

typedef struct tensor_spec {
    char name[96];
    int d0, d1; /* d1 = 0: 1-D */
} tensor_spec;

/* Deterministic pseudo-random weights of a BERT-like scale (so layer norms see real spreads). */
static uint32_t rng = 12345;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return ((float)(rng >> 8) / 16777216.0f - 0.5f) * 0.2f;
}

static void write_model(void)
{
    snprintf(dir, sizeof dir, "/tmp/wg-bert-int8-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"model_type\": \"bert\", \"hidden_act\": \"gelu\", \"vocab_size\": %d, "
               "\"hidden_size\": %d, \"num_hidden_layers\": %d, \"num_attention_heads\": 2, "
               "\"intermediate_size\": %d, \"max_position_embeddings\": %d, "
               "\"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12}\n",
            VOCAB, H, LAYERS, INTER, POS);
    fclose(f);
    tensor_spec t[128];
    int nt = 0;
#define ADD(n, a, b) do { snprintf(t[nt].name, sizeof t[nt].name, "%s", n); t[nt].d0 = a; t[nt].d1 = b; nt++; } while (0)
    ADD("embeddings.word_embeddings.weight", VOCAB, H);
    ADD("embeddings.position_embeddings.weight", POS, H);
    ADD("embeddings.token_type_embeddings.weight", 2, H);
    ADD("embeddings.LayerNorm.weight", H, 0);
    ADD("embeddings.LayerNorm.bias", H, 0);
    static const struct { const char *s; int d0, d1; } per_layer[] = {
        {"attention.self.query.weight", H, H}, {"attention.self.query.bias", H, 0},
        {"attention.self.key.weight", H, H}, {"attention.self.key.bias", H, 0},
        {"attention.self.value.weight", H, H}, {"attention.self.value.bias", H, 0},
        {"attention.output.dense.weight", H, H}, {"attention.output.dense.bias", H, 0},
        {"attention.output.LayerNorm.weight", H, 0}, {"attention.output.LayerNorm.bias", H, 0},
        {"intermediate.dense.weight", INTER, H}, {"intermediate.dense.bias", INTER, 0},
        {"output.dense.weight", H, INTER}, {"output.dense.bias", H, 0},
        {"output.LayerNorm.weight", H, 0}, {"output.LayerNorm.bias", H, 0},
    };
    for (int l = 0; l < LAYERS; l++)
        for (size_t i = 0; i < sizeof per_layer / sizeof per_layer[0]; i++) {
            char n[96];
            snprintf(n, sizeof n, "encoder.layer.%d.%s", l, per_layer[i].s);
            ADD(n, per_layer[i].d0, per_layer[i].d1);
        }
#undef ADD
    /* header: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [a, b]}, ...} */
    char *hdr = malloc(65536);
    assert_non_null(hdr);
    size_t hl = 0, off = 0;
    hl += (size_t)snprintf(hdr + hl, 65536 - hl, "{");
    for (int i = 0; i < nt; i++) {
        size_t bytes = (size_t)t[i].d0 * (t[i].d1 ? t[i].d1 : 1) * 4;
        if (t[i].d1)
            hl += (size_t)snprintf(hdr + hl, 65536 - hl, "%s\"%s\": {\"dtype\": \"F32\", \"shape\": [%d, %d], \"data_offsets\": [%zu, %zu]}",
                                   i ? ", " : "", t[i].name, t[i].d0, t[i].d1, off, off + bytes);
        else
            hl += (size_t)snprintf(hdr + hl, 65536 - hl, "%s\"%s\": {\"dtype\": \"F32\", \"shape\": [%d], \"data_offsets\": [%zu, %zu]}",
                                   i ? ", " : "", t[i].name, t[i].d0, off, off + bytes);
        off += bytes;
    }
    hl += (size_t)snprintf(hdr + hl, 65536 - hl, "}");
    while (hl % 8) hdr[hl++] = ' ';
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    uint64_t n64 = hl;
    fwrite(&n64, 8, 1, f);
    fwrite(hdr, 1, hl, f);
    for (int i = 0; i < nt; i++) {
        int count = t[i].d0 * (t[i].d1 ? t[i].d1 : 1);
        int is_gain = strstr(t[i].name, "LayerNorm.weight") != NULL;
        for (int k = 0; k < count; k++) {
            float v = is_gain ? 1.0f + frand() : frand();
            fwrite(&v, 4, 1, f);
        }
    }
    fclose(f);
    free(hdr);
}

static void remove_model(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path);
    rmdir(dir);
}

/* 7 sequences of odd, varied lengths (1..37 ids), concatenated */
enum { NSEQ = 7 };
static const int lens[NSEQ] = {37, 13, 9, 5, 3, 2, 1};
static int32_t ids[128];
static int total;

static void make_ids(void)
{
    total = 0;
    for (int s = 0; s < NSEQ; s++)
        for (int i = 0; i < lens[s]; i++) ids[total++] = (i == 0) ? 2 : (int32_t)((s * 7 + i * 3) % VOCAB);
}

static void encode(bert_model *m, int one_by_one, float *out)
{
    bert_workspace *ws = bert_workspace_new(m, 128);
    assert_non_null(ws);
    if (one_by_one) {
        for (int s = 0, o = 0; s < NSEQ; o += lens[s], s++)
            assert_int_equal(bert_encode_packed(m, ws, ids + o, lens + s, 1, out + (size_t)s * H), 0);
    } else {
        assert_int_equal(bert_encode_packed(m, ws, ids, lens, NSEQ, out), 0);
    }
    bert_workspace_free(ws);
}

static double min_cosine(const float *a, const float *b)
{
    double worst = 1;
    for (int s = 0; s < NSEQ; s++) {
        double d = 0, na = 0, nb = 0;
        for (int j = 0; j < H; j++) {
            d += (double)a[s * H + j] * b[s * H + j];
            na += (double)a[s * H + j] * a[s * H + j];
            nb += (double)b[s * H + j] * b[s * H + j];
        }
        double c = d / sqrt(na * nb);
        if (c < worst) worst = c;
    }
    return worst;
}

static void test_int8_close_to_fp32_and_batch_invariant(void **state)
{
    (void)state;
    char err[512] = "";
    bert_model *f32 = NULL, *i8 = NULL;
    assert_int_equal(bert_load(dir, BERT_FP32, &f32, err, sizeof err), 0);
    assert_int_equal(bert_load(dir, BERT_INT8, &i8, err, sizeof err), 0);
    assert_int_equal(bert_get_precision(i8), BERT_INT8);
    float ref[NSEQ * H], a[NSEQ * H], b[NSEQ * H];
    encode(f32, 0, ref);
    encode(i8, 0, a);
    encode(i8, 1, b);
    double c = min_cosine(a, ref);
    printf("int8 vs fp32 on the test model: min cosine %.6f\n", c);
    assert_true(c > 0.99);
    assert_true(memcmp(a, ref, sizeof a) != 0); /* it did run quantised */
    /* per-token quantisation: a sequence's vector does not depend on its batch */
    assert_memory_equal(a, b, sizeof a);
    bert_free(f32);
    bert_free(i8);
}

static void test_int8_with_bf16_products(void **state)
{
    (void)state;
    char err[512] = "";
    bert_model *f32 = NULL;
    assert_int_equal(bert_load(dir, BERT_FP32, &f32, err, sizeof err), 0);
    float ref[NSEQ * H], a[NSEQ * H];
    encode(f32, 0, ref);
    const unsigned masks[] = {BERT_LIN_QKV, BERT_LIN_ATTN_OUT, BERT_LIN_FFN_IN, BERT_LIN_FFN_OUT,
                              BERT_LIN_QKV | BERT_LIN_ATTN_OUT | BERT_LIN_FFN_IN | BERT_LIN_FFN_OUT};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        bert_model *m = NULL;
        assert_int_equal(bert_load_int8(dir, BERT_INT8, masks[i], &m, err, sizeof err), 0);
        encode(m, 0, a);
        assert_true(min_cosine(a, ref) > 0.99);
        bert_free(m);
    }
    bert_free(f32);
}

static void test_profile_counters(void **state)
{
    (void)state;
    char err[512] = "";
    bert_model *m = NULL;
    assert_int_equal(bert_load(dir, BERT_INT8, &m, err, sizeof err), 0);
    float a[NSEQ * H];
    bert_profile(1);
    encode(m, 0, a);
    double secs, sum = 0;
    for (int st = 0; st < BERT_PROF_STAGES; st++) {
        assert_non_null(bert_profile_get(st, &secs));
        assert_true(secs >= 0);
        sum += secs;
    }
    assert_true(sum > 0);
    assert_null(bert_profile_get(BERT_PROF_STAGES, &secs));
    bert_profile(0);
    /* off: nothing is counted */
    bert_profile(0);
    encode(m, 0, a);
    for (int st = 0; st < BERT_PROF_STAGES; st++) {
        bert_profile_get(st, &secs);
        assert_true(secs == 0);
    }
    bert_free(m);
}

int main(void)
{
    write_model();
    make_ids();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int8_close_to_fp32_and_batch_invariant),
        cmocka_unit_test(test_int8_with_bf16_products),
        cmocka_unit_test(test_profile_counters),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove_model();
    return rc;
}
