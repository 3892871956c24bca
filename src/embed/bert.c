/* BERT encoder, the forward pass: packed (padding-free) batches, the linear maps through OpenBLAS
 * sgemm (exact fp32) or the own kernels (bert_kernels.c), per-sequence attention, mean pooling and
 * L2 normalisation. The model is loaded by bert_load.c. */
#include "embed/bert_int.h"

#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------- timing counters (bert_profile; off by default, one branch per stage) ---------- */

static atomic_int prof_on;
static _Atomic long long prof_ns[BERT_PROF_STAGES];
static const char *const prof_names[BERT_PROF_STAGES] = {
    "embeddings", "qkv", "attention", "attn_out", "layer_norm", "ffn_in", "ffn_out",
    "pooling", "quantize"};

static inline long long prof_now(void)
{
    if (!atomic_load_explicit(&prof_on, memory_order_relaxed)) return 0;
    /* CPU time of this thread: on a shared, loaded machine wall time would count the others */
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec + 1;
}

/* Adds the time since *t0 to stage's counter and restarts *t0. */
static inline void prof_add(int stage, long long *t0)
{
    if (!*t0) return;
    long long t1 = prof_now();
    atomic_fetch_add_explicit(&prof_ns[stage], t1 - *t0, memory_order_relaxed);
    *t0 = t1;
}

void bert_profile(int on)
{
    for (int i = 0; i < BERT_PROF_STAGES; i++) atomic_store(&prof_ns[i], 0);
    atomic_store(&prof_on, on);
}

const char *bert_profile_get(int stage, double *secs)
{
    if (stage < 0 || stage >= BERT_PROF_STAGES) return NULL;
    *secs = (double)atomic_load(&prof_ns[stage]) * 1e-9;
    return prof_names[stage];
}

/* ---------- row-wise vector maths ---------- */

/* softmax of x[0..n) in place */
static void softmax(float *x, int n)
{
    float mx = x[0];
    float sum = 0;
    int j = 0;
#ifdef __AVX512F__
    __m512 vmax = _mm512_set1_ps(x[0]);
    for (j = 0; j < n; j += 16) {
        __mmask16 k = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
        vmax = _mm512_mask_max_ps(vmax, k, vmax, _mm512_maskz_loadu_ps(k, x + j));
    }
    mx = _mm512_reduce_max_ps(vmax);
    j = 0;
    __m512 vs = _mm512_setzero_ps(), vm = _mm512_set1_ps(mx);
    for (; j < n; j += 16) {
        __mmask16 k = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
        __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + j), vm));
        _mm512_mask_storeu_ps(x + j, k, e);
        vs = _mm512_mask_add_ps(vs, k, vs, e);
    }
    sum = _mm512_reduce_add_ps(vs);
    const __m512 vinv = _mm512_set1_ps(1.0f / sum);
    for (j = 0; j < n; j += 16) {
        __mmask16 k = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
        _mm512_mask_storeu_ps(x + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + j), vinv));
    }
    return;
#else
    for (j = 1; j < n; j++) mx = x[j] > mx ? x[j] : mx;
    for (j = 0; j < n; j++) {
        x[j] = expf(x[j] - mx);
        sum += x[j];
    }
#endif
    float inv = 1.0f / sum;
    for (j = 0; j < n; j++) x[j] *= inv;
}

static void layer_norm_row(float *x, const float *g, const float *b, int n, float eps)
{
    float mean = 0, var = 0;
    int j = 0;
#ifdef __AVX512F__
    /* vector partial sums: the compiler may not reorder a float reduction by itself */
    if (n % 16 == 0) {
        __m512 acc = _mm512_setzero_ps();
        for (j = 0; j < n; j += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + j));
        mean = _mm512_reduce_add_ps(acc) / (float)n;
        __m512 vm = _mm512_set1_ps(mean), vv = _mm512_setzero_ps();
        for (j = 0; j < n; j += 16) {
            __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + j), vm);
            vv = _mm512_fmadd_ps(d, d, vv);
        }
        var = _mm512_reduce_add_ps(vv) / (float)n;
        __m512 inv = _mm512_set1_ps(1.0f / sqrtf(var + eps));
        for (j = 0; j < n; j += 16) {
            __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm), inv);
            _mm512_storeu_ps(x + j, _mm512_fmadd_ps(d, _mm512_loadu_ps(g + j), _mm512_loadu_ps(b + j)));
        }
        return;
    }
#endif
    for (j = 0; j < n; j++) mean += x[j];
    mean /= (float)n;
    for (j = 0; j < n; j++) {
        float d = x[j] - mean;
        var += d * d;
    }
    var /= (float)n;
    float inv = 1.0f / sqrtf(var + eps);
    for (j = 0; j < n; j++) x[j] = (x[j] - mean) * inv * g[j] + b[j];
}

/* ---------- dense layers ---------- */


/* y[t][n] = epilogue(x[t][k] W^T); residual (EPI_BIAS_RESIDUAL) is added in the same pass. */
static void linear_forward(const bert_model *m, bert_workspace *ws, const linear *l,
                           const float *x, int t, float *y, enum epilogue epi,
                           const float *residual)
{
    (void)m;
    epilogue_args ea = {epi, l->b, residual};
    if (l->wq) {
        int tp = (t + MR - 1) / MR * MR;
        long long t0 = prof_now();
        bert_quantize_rows_u8(x, t, tp, l->k, ws->a8, ws->a8_scale, ws->a8_zero);
        prof_add(BERT_PROF_QUANTIZE, &t0);
        bert_gemm_int8(ws->a8, t, l->k, l, y, &ea, ws->a8_scale, ws->a8_zero);
    } else if (l->wp) {
        int tp = (t + MR - 1) / MR * MR;
        bert_convert_rows_bf16(x, ws->abf, (size_t)t * l->k);
        memset(ws->abf + (size_t)t * l->k, 0, (size_t)(tp - t) * l->k * sizeof *ws->abf);
        bert_gemm_bf16(ws->abf, t, l->k, l->wp, l->n, y, &ea); /* epilogue fused into the kernel */
    }
#ifdef __AVX512F__
    else if (l->wf) {
        bert_gemm_f32(x, t, l->k, l->wf, l->n, y, &ea);
    }
#endif
    else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, l->n, l->k, 1.0f, x, l->k, l->w,
                    l->k, 0.0f, y, l->n);
        bert_apply_epilogue(y, t, l->n, &ea);
    }
}

#ifdef __AVX512F__
/* In-register transpose of 16 rows of 16 floats: four butterfly stages, stage b swapping bit b
 * of the row index with bit b of the column index (two-source permutes of row pairs r, r+b). */
static inline __attribute__((always_inline)) void transpose16x16(__m512 r[16])
{
#pragma GCC unroll 4
    for (int b = 8; b >= 1; b >>= 1) {
        int lo[16], hi[16];
        for (int c = 0; c < 16; c++) {
            lo[c] = c & b ? 16 + c - b : c; /* row r: its own column c, or row r+b's c-b */
            hi[c] = c & b ? 16 + c : c + b; /* row r+b: row r's c+b, or its own c */
        }
        const __m512i ilo = _mm512_loadu_si512(lo), ihi = _mm512_loadu_si512(hi);
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            if (!(i & b)) {
                __m512 a = r[i], c = r[i + b];
                r[i] = _mm512_permutex2var_ps(a, ilo, c);
                r[i + b] = _mm512_permutex2var_ps(a, ihi, c);
            }
    }
}

#define QB 4 /* queries per group in attention: independent FMA chains (latency, not throughput,
              * bounds a 32-long dot product), and each key row loaded once for QB queries */

/* One head of self-attention for all len queries; kt is the head's K transposed ([d][lp]),
 * s has room for QB rows of lp scores. nv = d / 16 (a constant at the call for MiniLM's d = 32,
 * so that the accumulators stay in registers). */
static inline __attribute__((always_inline)) void
attention_head512(const float *qkv, const float *kt, int len, int lp, int h, int hd, int nv,
                  float scale, float *s, float *ctx)
{
    const int d = nv * 16;
    for (int i0 = 0; i0 < len; i0 += QB) {
        const int qn = len - i0 < QB ? len - i0 : QB;
        const float *q[QB];
        for (int r = 0; r < QB; r++) q[r] = qkv + (size_t)(i0 + (r < qn ? r : 0)) * 3 * h + hd * d;
        for (int j0 = 0; j0 < len; j0 += 16) {
            __mmask16 k = len - j0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (len - j0)) - 1);
            __m512 acc[QB];
#pragma GCC unroll 4
            for (int r = 0; r < QB; r++) acc[r] = _mm512_setzero_ps();
            for (int e = 0; e < d; e++) {
                __m512 kv = _mm512_maskz_loadu_ps(k, kt + (size_t)e * lp + j0);
#pragma GCC unroll 4
                for (int r = 0; r < QB; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(q[r][e]), kv, acc[r]);
            }
#pragma GCC unroll 4
            for (int r = 0; r < QB; r++)
                _mm512_mask_storeu_ps(s + (size_t)r * lp + j0, k, _mm512_mul_ps(acc[r], _mm512_set1_ps(scale)));
        }
        for (int r = 0; r < qn; r++) softmax(s + (size_t)r * lp, len);
        __m512 o[QB][8];
#pragma GCC unroll 4
        for (int r = 0; r < QB; r++)
#pragma GCC unroll 8
            for (int v = 0; v < 8; v++)
                if (v < nv) o[r][v] = _mm512_setzero_ps();
        for (int j = 0; j < len; j++) {
            const float *vv = qkv + (size_t)j * 3 * h + 2 * h + hd * d;
#pragma GCC unroll 8
            for (int v = 0; v < 8; v++)
                if (v < nv) {
                    __m512 x = _mm512_loadu_ps(vv + 16 * v);
#pragma GCC unroll 4
                    for (int r = 0; r < QB; r++)
                        o[r][v] = _mm512_fmadd_ps(_mm512_set1_ps(s[(size_t)r * lp + j]), x, o[r][v]);
                }
        }
        for (int r = 0; r < qn; r++) {
            float *out = ctx + (size_t)(i0 + r) * h + hd * d;
#pragma GCC unroll 8
            for (int v = 0; v < 8; v++)
                if (v < nv) _mm512_storeu_ps(out + 16 * v, o[r][v]);
        }
    }
}
#endif

/* Self-attention of one sequence of len tokens: qkv rows [q | k | v] (biases applied). */
static void attention(const bert_model *m, bert_workspace *ws, const float *qkv, int len,
                      float *ctx)
{
    const int h = m->cfg.hidden, heads = m->cfg.heads, d = h / heads;
    const float scale = 1.0f / sqrtf((float)d);
    float *s = ws->row;
#ifdef __AVX512F__
    if (d % 16 == 0 && d <= 128) {
        /* K transposed ([h][lp]: for every head, d rows of len scores' worth), so that a row of
         * scores is d broadcast-FMAs over 16 keys at a time: no horizontal sums. Built by 16x16
         * register transposes (keys past len are zeros): as a scalar loop it cost as much as
         * the scores themselves on short titles. */
        float *kt = ws->kt;
        const int lp = (len + 15) / 16 * 16;
        for (int j0 = 0; j0 < len; j0 += 16)
            for (int e0 = 0; e0 < h; e0 += 16) {
                __m512 r[16];
                for (int i = 0; i < 16; i++)
                    r[i] = j0 + i < len ? _mm512_loadu_ps(qkv + (size_t)(j0 + i) * 3 * h + h + e0)
                                        : _mm512_setzero_ps();
                transpose16x16(r);
                for (int i = 0; i < 16; i++) _mm512_storeu_ps(kt + (size_t)(e0 + i) * lp + j0, r[i]);
            }
        for (int hd = 0; hd < heads; hd++) {
            const float *kth = kt + (size_t)hd * d * lp;
            if (d == 32) attention_head512(qkv, kth, len, lp, h, hd, 2, scale, s, ctx);
            else attention_head512(qkv, kth, len, lp, h, hd, d / 16, scale, s, ctx);
        }
        return;
    }
#endif
    for (int hd = 0; hd < heads; hd++) {
        for (int i = 0; i < len; i++) {
            const float *q = qkv + (size_t)i * 3 * h + hd * d;
            for (int j = 0; j < len; j++) {
                const float *kk = qkv + (size_t)j * 3 * h + h + hd * d;
                float dot = 0;
                for (int e = 0; e < d; e++) dot += q[e] * kk[e];
                s[j] = dot * scale;
            }
            softmax(s, len);
            float *o = ctx + (size_t)i * h + hd * d;
            for (int e = 0; e < d; e++) o[e] = 0;
            for (int j = 0; j < len; j++) {
                const float *v = qkv + (size_t)j * 3 * h + 2 * h + hd * d;
                const float p = s[j];
                for (int e = 0; e < d; e++) o[e] += p * v[e];
            }
        }
    }
}

int bert_encode_packed(const bert_model *m, bert_workspace *ws, const int32_t *ids,
                       const int *lens, int n, float *out)
{
    const bert_config *c = &m->cfg;
    const int h = c->hidden;
    const float eps = (float)c->layer_norm_eps;
    int t = 0;
    for (int s = 0; s < n; s++) {
        if (lens[s] < 1 || lens[s] > c->max_positions) return -1;
        t += lens[s];
    }
    if (t > ws->max_tokens) return -1;
    long long t0 = prof_now();
    /* embeddings */
    for (int s = 0, o = 0; s < n; o += lens[s], s++)
        for (int i = 0; i < lens[s]; i++) {
            int32_t id = ids[o + i];
            if (id < 0 || id >= c->vocab_size) return -1;
            float *x = ws->x + (size_t)(o + i) * h;
            const float *we = m->word_emb + (size_t)id * h, *pe = m->pos_emb + (size_t)i * h;
            for (int j = 0; j < h; j++) x[j] = we[j] + pe[j] + m->type_emb[j];
            layer_norm_row(x, m->emb_ln_g, m->emb_ln_b, h, eps);
        }
    prof_add(BERT_PROF_EMBED, &t0);
    for (int li = 0; li < c->layers; li++) {
        const layer *L = &m->layers[li];
        linear_forward(m, ws, &L->qkv, ws->x, t, ws->qkv, EPI_BIAS, NULL);
        prof_add(BERT_PROF_QKV, &t0);
        for (int s = 0, o = 0; s < n; o += lens[s], s++)
            attention(m, ws, ws->qkv + (size_t)o * 3 * h, lens[s], ws->ctx + (size_t)o * h);
        prof_add(BERT_PROF_ATTENTION, &t0);
        linear_forward(m, ws, &L->attn_out, ws->ctx, t, ws->tmp, EPI_BIAS_RESIDUAL, ws->x);
        prof_add(BERT_PROF_ATTN_OUT, &t0);
        for (int i = 0; i < t; i++) layer_norm_row(ws->tmp + (size_t)i * h, L->ln1_g, L->ln1_b, h, eps);
        prof_add(BERT_PROF_LAYER_NORM, &t0);
        linear_forward(m, ws, &L->ffn_in, ws->tmp, t, ws->inter, EPI_BIAS_GELU, NULL);
        prof_add(BERT_PROF_FFN_IN, &t0);
        linear_forward(m, ws, &L->ffn_out, ws->inter, t, ws->x, EPI_BIAS_RESIDUAL, ws->tmp);
        prof_add(BERT_PROF_FFN_OUT, &t0);
        for (int i = 0; i < t; i++) layer_norm_row(ws->x + (size_t)i * h, L->ln2_g, L->ln2_b, h, eps);
        prof_add(BERT_PROF_LAYER_NORM, &t0);
    }
    /* mean pooling over the sequence's tokens, then L2 normalisation */
    for (int s = 0, o = 0; s < n; o += lens[s], s++) {
        float *v = out + (size_t)s * h;
        for (int j = 0; j < h; j++) v[j] = 0;
        for (int i = 0; i < lens[s]; i++) {
            const float *x = ws->x + (size_t)(o + i) * h;
            for (int j = 0; j < h; j++) v[j] += x[j];
        }
        double norm = 0;
        for (int j = 0; j < h; j++) {
            v[j] /= (float)lens[s];
            norm += (double)v[j] * v[j];
        }
        float inv = norm > 0 ? (float)(1.0 / sqrt(norm)) : 0.0f;
        for (int j = 0; j < h; j++) v[j] *= inv;
    }
    prof_add(BERT_PROF_POOL, &t0);
    return 0;
}

/* ---------- workspace ---------- */

bert_workspace *bert_workspace_new(const bert_model *m, int max_tokens)
{
    const bert_config *c = &m->cfg;
    bert_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    ws->max_tokens = max_tokens;
    size_t t = (size_t)max_tokens, tp = (t + MR - 1) / MR * MR;
    size_t wide = (size_t)(c->intermediate > 3 * c->hidden ? c->intermediate : 3 * c->hidden);
    /* rows up to a multiple of MR: the own kernels read whole micro-tiles */
    ws->x = calloc(tp * c->hidden, sizeof(float));
    ws->qkv = calloc(tp * 3 * c->hidden, sizeof(float));
    ws->ctx = calloc(tp * c->hidden, sizeof(float));
    ws->tmp = calloc(tp * c->hidden, sizeof(float));
    ws->inter = calloc(tp * c->intermediate, sizeof(float));
    /* QB rows of scores (attention_head512), each padded to 16 */
    ws->row = malloc(4 * ((size_t)c->max_positions + 16) * sizeof(float));
    /* all heads' keys, transposed: hidden rows of max_positions (padded to 16) */
    ws->kt = malloc((size_t)c->hidden * (((size_t)c->max_positions + 15) / 16 * 16) * sizeof(float));
    ws->abf = malloc(tp * wide * sizeof(uint16_t));
    ws->a8 = malloc(tp * wide);
    ws->a8_scale = malloc(tp * sizeof(float));
    ws->a8_zero = malloc(tp * sizeof(int32_t));
    if (!ws->x || !ws->qkv || !ws->ctx || !ws->tmp || !ws->inter || !ws->row || !ws->kt || !ws->abf ||
        !ws->a8 || !ws->a8_scale || !ws->a8_zero) {
        bert_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void bert_workspace_free(bert_workspace *ws)
{
    if (!ws) return;
    free(ws->x);
    free(ws->qkv);
    free(ws->ctx);
    free(ws->tmp);
    free(ws->inter);
    free(ws->row);
    free(ws->kt);
    free(ws->abf);
    free(ws->a8);
    free(ws->a8_scale);
    free(ws->a8_zero);
    free(ws);
}

int bert_workspace_max_tokens(const bert_workspace *ws) { return ws->max_tokens; }
