/* Loading the BERT encoder (bert.h): config.json, model.safetensors (every tensor's dtype and
 * shape checked, errors name the file), and the weights packed for the chosen precision. */
#include "embed/bert_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_config(const char *path, bert_config *c, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s: %s (line %d)", path, jerr.text, jerr.line);
        return -1;
    }
    struct { const char *key; int *dst; } ints[] = {
        {"vocab_size", &c->vocab_size}, {"hidden_size", &c->hidden},
        {"num_hidden_layers", &c->layers}, {"num_attention_heads", &c->heads},
        {"intermediate_size", &c->intermediate},
        {"max_position_embeddings", &c->max_positions}, {"type_vocab_size", &c->type_vocab},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0] && !rc; i++) {
        json_t *v = json_object_get(root, ints[i].key);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
            snprintf(err, errlen, "%s: %s missing or out of range", path, ints[i].key);
            rc = -1;
        } else {
            *ints[i].dst = (int)json_integer_value(v);
        }
    }
    json_t *eps = json_object_get(root, "layer_norm_eps");
    c->layer_norm_eps = json_is_number(eps) ? json_number_value(eps) : 1e-12;
    json_t *act = json_object_get(root, "hidden_act");
    if (!rc && act && (!json_is_string(act) || strcmp(json_string_value(act), "gelu"))) {
        snprintf(err, errlen, "%s: hidden_act must be \"gelu\"", path);
        rc = -1;
    }
    json_t *mt = json_object_get(root, "model_type");
    if (!rc && mt && (!json_is_string(mt) || strcmp(json_string_value(mt), "bert"))) {
        snprintf(err, errlen, "%s: model_type must be \"bert\"", path);
        rc = -1;
    }
    if (!rc && (c->hidden % c->heads || c->hidden > 4096 || c->intermediate > 16384 ||
                c->layers > 64 || c->max_positions > 8192 || c->vocab_size > 1000000)) {
        snprintf(err, errlen, "%s: unsupported dimensions (hidden %d, heads %d)", path,
                 c->hidden, c->heads);
        rc = -1;
    }
    json_decref(root);
    return rc;
}

static const float *tensor_f32(const st_file *st, const char *name, int ndim, int64_t d0,
                               int64_t d1, char *err, size_t errlen)
{
    int64_t shape[2] = {d0, d1};
    const st_tensor *t = st_expect(st, name, ST_F32, ndim, shape, err, errlen);
    return t ? (const float *)t->data : NULL;
}

static int setup_linear(bert_model *m, linear *l, int n, int k, unsigned which)
{
    l->n = n;
    l->k = k;
    const int bf16 = m->precision == BERT_BF16 || (m->precision == BERT_INT8 && (m->int8_bf16 & which));
    if (m->precision == BERT_INT8 && !bf16 && n % 16 == 0 && k % 4 == 0) {
        if (bert_pack_int8(l)) return -1;
    } else if (bf16 && n % 16 == 0 && k % 2 == 0) {
        l->wp = bert_pack_bf16(l->w, n, k);
        if (!l->wp) return -1;
    }
#ifdef __AVX512F__
    if (m->precision == BERT_FP32 && m->own_fp32 && n % 16 == 0) {
        l->wf = bert_pack_f32(l->w, n, k);
        if (!l->wf) return -1;
    }
#endif
    return 0;
}

int bert_load(const char *dir, enum bert_precision precision, bert_model **out, char *err,
              size_t errlen)
{
    return bert_load_int8(dir, precision, 0, out, err, errlen);
}

int bert_load_int8(const char *dir, enum bert_precision precision, unsigned int8_bf16,
                   bert_model **out, char *err, size_t errlen)
{
    *out = NULL;
    char path[4200];
    bert_model *m = calloc(1, sizeof *m);
    if (!m) return -1;
    m->int8_bf16 = int8_bf16;
    m->precision = precision == BERT_FP32_AVX512 ? BERT_FP32 : precision;
    m->own_fp32 = precision == BERT_FP32_AVX512;
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (read_config(path, &m->cfg, err, errlen)) goto fail;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (st_open(path, &m->st, err, errlen)) goto fail;
    const bert_config *c = &m->cfg;
    const int h = c->hidden, in = c->intermediate;
    /* Checkpoints name tensors with or without the "bert." prefix. */
    const char *pre = st_find(m->st, "embeddings.word_embeddings.weight") ? "" : "bert.";
    char name[256];
#define T1(field, suffix, d0)                                                                  \
    do {                                                                                       \
        snprintf(name, sizeof name, "%s%s", pre, suffix);                                      \
        if (!((field) = tensor_f32(m->st, name, 1, d0, 0, err, errlen))) goto fail;            \
    } while (0)
#define T2(field, suffix, d0, d1)                                                              \
    do {                                                                                       \
        snprintf(name, sizeof name, "%s%s", pre, suffix);                                      \
        if (!((field) = tensor_f32(m->st, name, 2, d0, d1, err, errlen))) goto fail;           \
    } while (0)
    T2(m->word_emb, "embeddings.word_embeddings.weight", c->vocab_size, h);
    T2(m->pos_emb, "embeddings.position_embeddings.weight", c->max_positions, h);
    T2(m->type_emb, "embeddings.token_type_embeddings.weight", c->type_vocab, h);
    T1(m->emb_ln_g, "embeddings.LayerNorm.weight", h);
    T1(m->emb_ln_b, "embeddings.LayerNorm.bias", h);
    m->layers = calloc((size_t)c->layers, sizeof *m->layers);
    if (!m->layers) goto fail;
    for (int li = 0; li < c->layers; li++) {
        layer *L = &m->layers[li];
        char sfx[200];
        const float *wq, *wk, *wv, *bq, *bk, *bv;
#define LT1(field, s, d0) do { snprintf(sfx, sizeof sfx, "encoder.layer.%d.%s", li, s); T1(field, sfx, d0); } while (0)
#define LT2(field, s, d0, d1) do { snprintf(sfx, sizeof sfx, "encoder.layer.%d.%s", li, s); T2(field, sfx, d0, d1); } while (0)
        LT2(wq, "attention.self.query.weight", h, h);
        LT2(wk, "attention.self.key.weight", h, h);
        LT2(wv, "attention.self.value.weight", h, h);
        LT1(bq, "attention.self.query.bias", h);
        LT1(bk, "attention.self.key.bias", h);
        LT1(bv, "attention.self.value.bias", h);
        LT2(L->attn_out.w, "attention.output.dense.weight", h, h);
        LT1(L->attn_out.b, "attention.output.dense.bias", h);
        LT1(L->ln1_g, "attention.output.LayerNorm.weight", h);
        LT1(L->ln1_b, "attention.output.LayerNorm.bias", h);
        LT2(L->ffn_in.w, "intermediate.dense.weight", in, h);
        LT1(L->ffn_in.b, "intermediate.dense.bias", in);
        LT2(L->ffn_out.w, "output.dense.weight", h, in);
        LT1(L->ffn_out.b, "output.dense.bias", h);
        LT1(L->ln2_g, "output.LayerNorm.weight", h);
        LT1(L->ln2_b, "output.LayerNorm.bias", h);
        /* Q, K and V in one product: one pass over the activations instead of three. */
        L->qkv.w_owned = malloc((size_t)3 * h * h * sizeof(float));
        L->qkv.b_owned = malloc((size_t)3 * h * sizeof(float));
        if (!L->qkv.w_owned || !L->qkv.b_owned) goto fail;
        memcpy(L->qkv.w_owned, wq, (size_t)h * h * sizeof(float));
        memcpy(L->qkv.w_owned + (size_t)h * h, wk, (size_t)h * h * sizeof(float));
        memcpy(L->qkv.w_owned + (size_t)2 * h * h, wv, (size_t)h * h * sizeof(float));
        memcpy(L->qkv.b_owned, bq, h * sizeof(float));
        memcpy(L->qkv.b_owned + h, bk, h * sizeof(float));
        memcpy(L->qkv.b_owned + 2 * h, bv, h * sizeof(float));
        L->qkv.w = L->qkv.w_owned;
        L->qkv.b = L->qkv.b_owned;
        if (setup_linear(m, &L->qkv, 3 * h, h, BERT_LIN_QKV) ||
            setup_linear(m, &L->attn_out, h, h, BERT_LIN_ATTN_OUT) ||
            setup_linear(m, &L->ffn_in, in, h, BERT_LIN_FFN_IN) ||
            setup_linear(m, &L->ffn_out, h, in, BERT_LIN_FFN_OUT))
            goto fail;
        if (L->qkv.wp || L->qkv.wf || L->qkv.wq) {
            /* The own kernels read only their packed copy: drop the fp32 one. */
            free(L->qkv.w_owned);
            L->qkv.w_owned = NULL;
            L->qkv.w = NULL;
        }
    }
#undef T1
#undef T2
#undef LT1
#undef LT2
    *out = m;
    return 0;
fail:
    if (!err[0]) snprintf(err, errlen, "%s: out of memory loading the model", dir);
    bert_free(m);
    return -1;
}

static void free_linear(linear *l)
{
    free(l->w_owned);
    free(l->b_owned);
    free(l->wp);
    free(l->wf);
    free(l->wq);
    free(l->wq_scale);
    free(l->wq_sum);
}

void bert_free(bert_model *m)
{
    if (!m) return;
    if (m->layers)
        for (int i = 0; i < m->cfg.layers; i++) {
            free_linear(&m->layers[i].qkv);
            free_linear(&m->layers[i].attn_out);
            free_linear(&m->layers[i].ffn_in);
            free_linear(&m->layers[i].ffn_out);
        }
    free(m->layers);
    st_close(m->st);
    free(m);
}

const bert_config *bert_get_config(const bert_model *m) { return &m->cfg; }
enum bert_precision bert_get_precision(const bert_model *m) { return m->precision; }
