/* Static token vectors derived from the sentence encoder (static_vocab.h). */
#include "embed/static_vocab.h"

#include "embed/bert.h"
#include "embed/tokenizer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BERT uncased vocabularies put [PAD], [unused*], the specials and single characters first; whole
   words start at "the" (1996) in frequency order. Ranks below that count as the most common. */
#define FIRST_WORD_ID 1996

float static_vocab_weight(enum static_vocab_weight w, int32_t id)
{
    if (w == STATIC_WEIGHT_UNIFORM) return 1.0f;
    int32_t rank = id >= FIRST_WORD_ID ? id - FIRST_WORD_ID + 2 : 1;
    return logf(1.0f + (float)rank);
}

int static_vocab_text(const float *table, int vocab_size, int dim, enum static_vocab_weight w,
                      const int32_t *ids, int n, float *out)
{
    memset(out, 0, (size_t)dim * sizeof *out);
    int used = 0;
    for (int i = 1; i + 1 < n; i++) {
        if (ids[i] < 0 || ids[i] >= vocab_size) continue;
        float wt = static_vocab_weight(w, ids[i]);
        const float *row = table + (size_t)ids[i] * dim;
        for (int d = 0; d < dim; d++) out[d] += wt * row[d];
        used++;
    }
    double norm = 0;
    for (int d = 0; d < dim; d++) norm += (double)out[d] * out[d];
    if (norm > 0) {
        float inv = (float)(1.0 / sqrt(norm));
        for (int d = 0; d < dim; d++) out[d] *= inv;
    }
    return used;
}

uint16_t static_vocab_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (mant >> 13), rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) half++; /* may carry into exp: right */
    return (uint16_t)half;
}

float static_vocab_from_half(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu, x;
    if (exp == 0) {
        if (!mant) {
            x = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while (!(mant & 0x400u));
            x = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        x = sign | 0x7f800000u | (mant << 13);
    } else {
        x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* ---- pooled one-token texts through the model --------------------------------------------- */

typedef struct pooled_job {
    const bert_model *model;
    int32_t cls, sep;
    int first, last; /* token ids [first, last) */
    int dim;
    float *out;
    int failed;
} pooled_job;

static void *pooled_worker(void *arg)
{
    pooled_job *j = arg;
    enum { SEQS = 256 };
    bert_workspace *ws = bert_workspace_new(j->model, SEQS * 3);
    int32_t *ids = malloc(SEQS * 3 * sizeof *ids);
    int *lens = malloc(SEQS * sizeof *lens);
    if (!ws || !ids || !lens) {
        j->failed = 1;
        goto out;
    }
    for (int id0 = j->first; id0 < j->last; id0 += SEQS) {
        int n = j->last - id0 < SEQS ? j->last - id0 : SEQS;
        for (int i = 0; i < n; i++) {
            ids[3 * i] = j->cls;
            ids[3 * i + 1] = id0 + i;
            ids[3 * i + 2] = j->sep;
            lens[i] = 3;
        }
        if (bert_encode_packed(j->model, ws, ids, lens, n, j->out + (size_t)id0 * j->dim) != 0) {
            j->failed = 1;
            break;
        }
    }
out:
    bert_workspace_free(ws);
    free(ids);
    free(lens);
    return NULL;
}

static int build_pooled(const char *model_dir, int threads, int vocab, int dim, float *out,
                        char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/vocab.txt", model_dir);
    wp_tokenizer *tok;
    if (tokenizer_open(path, &tok, err, errlen)) return -1;
    int32_t special[2];
    int n = tokenizer_encode(tok, "", special, 2);
    tokenizer_close(tok);
    if (n != 2) {
        snprintf(err, errlen, "%s: no [CLS]/[SEP] tokens", path);
        return -1;
    }
    bert_model *m;
    if (bert_load(model_dir, BERT_FP32, &m, err, errlen)) return -1;
    if (threads < 1) threads = 1;
    if (threads > 16) threads = 16;
    pooled_job jobs[16];
    pthread_t tid[16];
    int started[16] = {0};
    for (int t = 0; t < threads; t++) {
        jobs[t] = (pooled_job){m, special[0], special[1], (int)((int64_t)vocab * t / threads),
                               (int)((int64_t)vocab * (t + 1) / threads), dim, out, 0};
        if (t > 0) started[t] = pthread_create(&tid[t], NULL, pooled_worker, &jobs[t]) == 0;
    }
    pooled_worker(&jobs[0]);
    int failed = jobs[0].failed;
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else pooled_worker(&jobs[t]);
        failed |= jobs[t].failed;
    }
    bert_free(m);
    if (failed) {
        snprintf(err, errlen, "%s: the forward passes of the vocabulary failed (out of memory?)",
                 model_dir);
        return -1;
    }
    return 0;
}

int static_vocab_build(const char *model_dir, int threads, float **vectors, int *vocab_size,
                       int *dim, char *err, size_t errlen)
{
    bert_model *m;
    /* The sizes come from config.json; loading the model through the encoder checks every
       tensor (a tenth of a second, once per model). */
    if (bert_load(model_dir, BERT_FP32, &m, err, errlen)) return -1;
    int vocab = bert_get_config(m)->vocab_size, d = bert_get_config(m)->hidden;
    bert_free(m);
    float *v = calloc((size_t)vocab * d, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory for %d x %d static vectors", vocab, d);
        return -1;
    }
    if (build_pooled(model_dir, threads, vocab, d, v, err, errlen)) {
        free(v);
        return -1;
    }
    *vectors = v;
    *vocab_size = vocab;
    *dim = d;
    return 0;
}
