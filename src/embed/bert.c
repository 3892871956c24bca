/* BERT encoder: packed (padding-free) batches, OpenBLAS sgemm for the exact fp32 path, an own
 * AVX512-BF16 kernel for the reduced-precision path, fused epilogues (bias + GELU, bias +
 * residual), per-sequence attention, mean pooling and L2 normalisation. */
#pragma GCC optimize("O3")
#include "embed/bert.h"

#include "embed/safetensors.h"

#include <cblas.h>
#include <immintrin.h>
#include <jansson.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One dense layer y = x W^T + b with W stored [out, in] as in the checkpoint. */
typedef struct linear {
    const float *w;    /* fp32 weights (mapped or owned) */
    float *w_owned;
    uint16_t *wp;      /* bf16, packed for the kernel: [n/16][k/2][16][2] */
    float *wf;         /* fp32, packed for the own AVX-512 kernel: [n/16][k][16] */
    int8_t *wq;        /* int8, per-column symmetric, packed for VPDPBUSD: [n/16][k/4][16][4] */
    float *wq_scale;   /* per column: w[j][:] ~= wq_scale[j] * wq[j][:] */
    int32_t *wq_sum;   /* per column: sum of wq[j][:] (removes the activations' zero point) */
    const float *b;
    float *b_owned;
    int n, k;
} linear;

typedef struct layer {
    linear qkv, attn_out, ffn_in, ffn_out;
    const float *ln1_g, *ln1_b, *ln2_g, *ln2_b;
} layer;

struct bert_model {
    bert_config cfg;
    enum bert_precision precision;
    unsigned int8_bf16; /* BERT_INT8: BERT_LIN_* bits of the products kept in bf16 instead */
    int own_fp32; /* fp32 products by the own AVX-512 kernel instead of OpenBLAS */
    st_file *st;
    const float *word_emb, *pos_emb, *type_emb, *emb_ln_g, *emb_ln_b;
    layer *layers;
};

struct bert_workspace {
    int max_tokens;
    float *x, *qkv, *ctx, *tmp, *inter, *row, *kt;
    uint16_t *abf;
    uint8_t *a8;       /* activations quantised to u8 for the int8 products, rows padded to MR */
    float *a8_scale;   /* per row */
    int32_t *a8_zero;  /* per row: the u8 value that stands for 0.0 */
};

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

/* ---------- vector maths ---------- */

#ifdef __AVX512F__
/* exp(x) for x in about [-87, 88]: Cody-Waite reduction, degree-6 polynomial, 2^n by scalef.
 * Relative error about 2 ulp, which is below what fp32 sgemm already perturbs. */
static inline __m512 exp512(__m512 x)
{
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f)),
                      _mm512_set1_ps(-87.3365447504f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

/* erf(x): Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7). */
static inline __m512 erf512(__m512 x)
{
    __m512 ax = _mm512_abs_ps(x);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f),
                             _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), ax, _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    __m512 e = exp512(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), ax), ax));
    __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));
    /* copy the sign of x */
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(y),
        _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))));
}
#endif

/* y = gelu(y + b) (the exact, erf-based GELU of BERT), one row of n. */
static void bias_gelu_row(float *y, const float *b, int n)
{
    int j = 0;
#ifdef __AVX512F__
    const __m512 half = _mm512_set1_ps(0.5f), rs2 = _mm512_set1_ps(0.70710678118654752f);
    for (; j + 16 <= n; j += 16) {
        __m512 v = _mm512_add_ps(_mm512_loadu_ps(y + j), _mm512_loadu_ps(b + j));
        __m512 g = _mm512_mul_ps(_mm512_mul_ps(half, v),
                                 _mm512_add_ps(_mm512_set1_ps(1.0f), erf512(_mm512_mul_ps(v, rs2))));
        _mm512_storeu_ps(y + j, g);
    }
#endif
    for (; j < n; j++) {
        float v = y[j] + b[j];
        y[j] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    }
}

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

/* ---------- bf16 ---------- */

static inline uint16_t f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);                                          /* round to even */
    return (uint16_t)(u >> 16);
}

static inline float bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int bert_bf16_native(void)
{
#ifdef __AVX512BF16__
    return 1;
#else
    return 0;
#endif
}

/* rows x k fp32 -> bf16 */
static void convert_rows_bf16(const float *x, uint16_t *out, size_t count)
{
    size_t i = 0;
#ifdef __AVX512BF16__
    for (; i + 16 <= count; i += 16) {
        __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
        _mm256_storeu_si256((__m256i *)(out + i), (__m256i)h);
    }
#endif
    for (; i < count; i++) out[i] = f32_to_bf16(x[i]);
}

/* W [n][k] fp32 -> [n/16][k/2][16][2] bf16, the layout the dot-product kernel reads. */
static uint16_t *pack_bf16(const float *w, int n, int k)
{
    uint16_t *p = aligned_alloc(64, ((size_t)n * k * 2 + 63) / 64 * 64);
    if (!p) return NULL;
    for (int nb = 0; nb < n / 16; nb++)
        for (int pp = 0; pp < k / 2; pp++)
            for (int j = 0; j < 16; j++)
                for (int t = 0; t < 2; t++)
                    p[(((size_t)nb * (k / 2) + pp) * 16 + j) * 2 + t] =
                        f32_to_bf16(w[(size_t)(nb * 16 + j) * k + 2 * pp + t]);
    return p;
}

enum epilogue { EPI_NONE, EPI_BIAS, EPI_BIAS_GELU, EPI_BIAS_RESIDUAL };

/* What is applied to each output value as it leaves the registers: saves a pass over memory. */
typedef struct epilogue_args {
    enum epilogue kind;
    const float *bias;
    const float *residual; /* [m][n], for EPI_BIAS_RESIDUAL */
} epilogue_args;

static void apply_epilogue(float *y, int t, int n, const epilogue_args *epi)
{
    for (int i = 0; i < t; i++) {
        float *row = y + (size_t)i * n;
        if (epi->kind == EPI_BIAS_GELU) {
            bias_gelu_row(row, epi->bias, n);
        } else if (epi->kind == EPI_BIAS_RESIDUAL) {
            const float *res = epi->residual + (size_t)i * n;
            for (int j = 0; j < n; j++) row[j] += epi->bias[j] + res[j];
        } else if (epi->kind == EPI_BIAS) {
            for (int j = 0; j < n; j++) row[j] += epi->bias[j];
        }
    }
}

#ifdef __AVX512F__
/* The epilogue of 16 output values at column col, applied in registers by both micro-kernels
 * (bf16 and fp32). The residual is res[res_at], read only for EPI_BIAS_RESIDUAL (res may be NULL
 * otherwise, so no pointer is formed from it before that). */
static inline __attribute__((always_inline)) __m512
epilogue512(__m512 v, const epilogue_args *epi, int col, const float *res, size_t res_at)
{
    if (epi->kind != EPI_NONE) v = _mm512_add_ps(v, _mm512_loadu_ps(epi->bias + col));
    if (epi->kind == EPI_BIAS_RESIDUAL)
        v = _mm512_add_ps(v, _mm512_loadu_ps(res + res_at));
    else if (epi->kind == EPI_BIAS_GELU)
        v = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v),
                          _mm512_add_ps(_mm512_set1_ps(1.0f),
                                        erf512(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f)))));
    return v;
}
#endif

#define MR 8 /* rows per micro-tile; 8 x 3 accumulators + 3 weights + 1 broadcast fit 32 zmm */

#ifdef __AVX512BF16__
static inline __attribute__((always_inline)) void
tile_bf16(const uint16_t *a, int k, const uint16_t *wp, int nb, int nbw, float *c, int ldc,
          int rows, const epilogue_args *epi, const float *res_rows)
{
    __m512 acc[MR][3];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_ps();
    const size_t bstride = (size_t)(k / 2) * 32;
    const uint16_t *b0 = wp + (size_t)nb * bstride;
    for (int p = 0; p < k / 2; p++) {
        __m512bh bv[3];
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            if (q < nbw) bv[q] = (__m512bh)_mm512_load_si512(b0 + q * bstride + (size_t)p * 32);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            int32_t pair;
            memcpy(&pair, a + (size_t)r * k + 2 * p, 4);
            __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) acc[r][q] = _mm512_dpbf16_ps(acc[r][q], av, bv[q]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
        if (r < rows)
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) {
                    const int col = (nb + q) * 16;
                    __m512 v = epilogue512(acc[r][q], epi, col, res_rows, (size_t)r * ldc + col);
                    _mm512_storeu_ps(c + (size_t)r * ldc + col, v);
                }
}
#endif

/* C[m][n] = A[m][k] W^T, A in bf16 with rows padded to a multiple of MR (zeros). */
static void gemm_bf16(const uint16_t *a, int m, int k, const uint16_t *wp, int n, float *c,
                      const epilogue_args *epi)
{
#ifdef __AVX512BF16__
    const int nblocks = n / 16;
    const int row_block = 96;
    for (int m0 = 0; m0 < m; m0 += row_block) {
        int m1 = m0 + row_block < m ? m0 + row_block : m;
        for (int nb = 0; nb < nblocks; nb += 3) {
            int nbw = nblocks - nb < 3 ? nblocks - nb : 3;
            for (int r = m0; r < m1; r += MR) {
                int rows = m1 - r < MR ? m1 - r : MR;
                const float *res = epi->residual ? epi->residual + (size_t)r * n : NULL;
                if (nbw == 3) tile_bf16(a + (size_t)r * k, k, wp, nb, 3, c + (size_t)r * n, n, rows, epi, res);
                else if (nbw == 2) tile_bf16(a + (size_t)r * k, k, wp, nb, 2, c + (size_t)r * n, n, rows, epi, res);
                else tile_bf16(a + (size_t)r * k, k, wp, nb, 1, c + (size_t)r * n, n, rows, epi, res);
            }
        }
    }
#else
    /* Portable emulation with the same rounding of inputs (for machines without AVX512-BF16). */
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float s = 0;
            for (int p = 0; p < k / 2; p++)
                for (int t = 0; t < 2; t++)
                    s += bf16_to_f32(a[(size_t)i * k + 2 * p + t]) *
                         bf16_to_f32(wp[(((size_t)(j / 16) * (k / 2) + p) * 16 + j % 16) * 2 + t]);
            c[(size_t)i * n + j] = s;
        }
    apply_epilogue(c, m, n, epi);
#endif
}

/* ---------- int8 (AVX512-VNNI) ---------- */

int bert_int8_native(void)
{
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
    return 1;
#else
    return 0;
#endif
}

/* W [n][k] fp32 -> s8, symmetric per output column (scale = max|w| / 127), packed
 * [n/16][k/4][16][4] so that one 64-byte load gives 16 columns x 4 consecutive k for VPDPBUSD;
 * also the per-column scale and sum of the quantised weights. */
static int pack_int8(linear *l)
{
    const int n = l->n, k = l->k;
    l->wq = aligned_alloc(64, ((size_t)n * k + 63) / 64 * 64);
    l->wq_scale = malloc((size_t)n * sizeof(float));
    l->wq_sum = malloc((size_t)n * sizeof(int32_t));
    if (!l->wq || !l->wq_scale || !l->wq_sum) return -1;
    for (int j = 0; j < n; j++) {
        const float *w = l->w + (size_t)j * k;
        float mx = 0;
        for (int p = 0; p < k; p++) mx = fabsf(w[p]) > mx ? fabsf(w[p]) : mx;
        const float scale = mx > 0 ? mx / 127.0f : 1.0f, inv = 1.0f / scale;
        int32_t sum = 0;
        for (int p = 0; p < k; p++) {
            long q = lrintf(w[p] * inv);
            q = q > 127 ? 127 : q < -127 ? -127 : q;
            l->wq[(((size_t)(j / 16) * (k / 4) + p / 4) * 16 + j % 16) * 4 + p % 4] = (int8_t)q;
            sum += (int32_t)q;
        }
        l->wq_scale[j] = scale;
        l->wq_sum[j] = sum;
    }
    return 0;
}

/* Each row of x [t][k] -> u8 with its own scale and zero point (asymmetric over [min, max] of the
 * row, which always includes 0 so that 0 is exact): x ~= scale * (q - zero). Rows t..tp-1 (the
 * micro-tile padding) are zeroed. Per token, because the range of BERT activations differs a lot
 * from token to token; asymmetric, because GELU outputs are almost all >= -0.17. */
static void quantize_rows_u8(const float *x, int t, int tp, int k, uint8_t *q, float *scale,
                             int32_t *zero)
{
    for (int i = 0; i < t; i++) {
        const float *row = x + (size_t)i * k;
        uint8_t *qr = q + (size_t)i * k;
        float mn = 0, mx = 0;
        int p = 0;
#ifdef __AVX512F__
        __m512 vmn = _mm512_setzero_ps(), vmx = _mm512_setzero_ps();
        for (; p + 16 <= k; p += 16) {
            __m512 v = _mm512_loadu_ps(row + p);
            vmn = _mm512_min_ps(vmn, v);
            vmx = _mm512_max_ps(vmx, v);
        }
        mn = _mm512_reduce_min_ps(vmn);
        mx = _mm512_reduce_max_ps(vmx);
#endif
        for (; p < k; p++) {
            mn = row[p] < mn ? row[p] : mn;
            mx = row[p] > mx ? row[p] : mx;
        }
        float sc = (mx - mn) / 255.0f;
        if (!(sc > 0) || !isfinite(sc)) sc = 1.0f; /* an all-zero row (or a broken one) */
        const float inv = 1.0f / sc;
        long z = lrintf(-mn * inv);
        z = z < 0 ? 0 : z > 255 ? 255 : z;
        scale[i] = sc;
        zero[i] = (int32_t)z;
        p = 0;
#if defined(__AVX512F__) && defined(__AVX512BW__)
        const __m512 vinv = _mm512_set1_ps(inv), vz = _mm512_set1_ps((float)z);
        for (; p + 16 <= k; p += 16) {
            __m512i v = _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_loadu_ps(row + p), vinv, vz));
            v = _mm512_max_epi32(v, _mm512_setzero_si512()); /* then the unsigned saturation */
            _mm_storeu_si128((__m128i *)(qr + p), _mm512_cvtusepi32_epi8(v));
        }
#endif
        for (; p < k; p++) {
            long v = lrintf(row[p] * inv) + z;
            qr[p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    if (tp > t) memset(q + (size_t)t * k, 0, (size_t)(tp - t) * k);
    for (int i = t; i < tp; i++) {
        scale[i] = 1.0f;
        zero[i] = 0;
    }
}

/* The dequantising part of the int8 epilogue: int32 sums of (q - 0) * wq -> the fp32 product. */
typedef struct int8_args {
    const float *a_scale;   /* per row of the tile's first row on */
    const int32_t *a_zero;
    const float *w_scale;   /* per column */
    const int32_t *w_sum;
} int8_args;

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
/* GCC 12 spills the 24 accumulators to the stack when _mm512_dpbusd_epi32 is used (2.6x slower,
 * measured by bench/int8_micro.c); the instruction with the accumulator as an in/out register
 * operand keeps them in registers. */
static inline __attribute__((always_inline)) void dpbusd512(__m512i *acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(*acc) : "v"(a), "v"(b));
}

static inline __attribute__((always_inline)) void
tile_int8(const uint8_t *a, int k, const int8_t *wq, int nb, int nbw, float *c, int ldc, int rows,
          const epilogue_args *epi, const float *res_rows, const int8_args *qa)
{
    __m512i acc[MR][3];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_si512();
    const size_t bstride = (size_t)(k / 4) * 64;
    const int8_t *b0 = wq + (size_t)nb * bstride;
    for (int p = 0; p < k / 4; p++) {
        __m512i bv[3];
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            if (q < nbw) bv[q] = _mm512_load_si512(b0 + q * bstride + (size_t)p * 64);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            int32_t quad;
            memcpy(&quad, a + (size_t)r * k + 4 * p, 4);
            __m512i av = _mm512_set1_epi32(quad);
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) dpbusd512(&acc[r][q], av, bv[q]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
        if (r < rows) {
            const __m512i vz = _mm512_set1_epi32(qa->a_zero[r]);
            const __m512 vs = _mm512_set1_ps(qa->a_scale[r]);
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) {
                    const int col = (nb + q) * 16;
                    /* sum (q_a - zero) w = acc - zero * sum(w), exact in int32 */
                    __m512i s = _mm512_sub_epi32(acc[r][q], _mm512_mullo_epi32(
                                                     vz, _mm512_loadu_si512(qa->w_sum + col)));
                    __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(s), vs),
                                             _mm512_loadu_ps(qa->w_scale + col));
                    v = epilogue512(v, epi, col, res_rows, (size_t)r * ldc + col);
                    _mm512_storeu_ps(c + (size_t)r * ldc + col, v);
                }
        }
}
#endif

/* C[m][n] = dequant(A_u8[m][k] Wq^T) with the epilogue; A's rows padded to a multiple of MR. */
static void gemm_int8(const uint8_t *a, int m, int k, const linear *l, float *c,
                      const epilogue_args *epi, const float *a_scale, const int32_t *a_zero)
{
    const int n = l->n;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
    const int nblocks = n / 16;
    const int row_block = 96;
    for (int m0 = 0; m0 < m; m0 += row_block) {
        int m1 = m0 + row_block < m ? m0 + row_block : m;
        for (int nb = 0; nb < nblocks; nb += 3) {
            int nbw = nblocks - nb < 3 ? nblocks - nb : 3;
            for (int r = m0; r < m1; r += MR) {
                int rows = m1 - r < MR ? m1 - r : MR;
                const float *res = epi->residual ? epi->residual + (size_t)r * n : NULL;
                int8_args qa = {a_scale + r, a_zero + r, l->wq_scale, l->wq_sum};
                if (nbw == 3) tile_int8(a + (size_t)r * k, k, l->wq, nb, 3, c + (size_t)r * n, n, rows, epi, res, &qa);
                else if (nbw == 2) tile_int8(a + (size_t)r * k, k, l->wq, nb, 2, c + (size_t)r * n, n, rows, epi, res, &qa);
                else tile_int8(a + (size_t)r * k, k, l->wq, nb, 1, c + (size_t)r * n, n, rows, epi, res, &qa);
            }
        }
    }
#else
    /* Portable emulation with the same quantisation (for machines without AVX512-VNNI). */
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            int32_t s = 0;
            for (int p = 0; p < k; p++)
                s += ((int32_t)a[(size_t)i * k + p] - a_zero[i]) *
                     l->wq[(((size_t)(j / 16) * (k / 4) + p / 4) * 16 + j % 16) * 4 + p % 4];
            c[(size_t)i * n + j] = (float)s * a_scale[i] * l->wq_scale[j];
        }
    apply_epilogue(c, m, n, epi);
#endif
}

/* ---------- own fp32 kernel (embed.fp32_gemm = avx512) ---------- */

#ifdef __AVX512F__
static float *pack_f32(const float *w, int n, int k)
{
    float *p = aligned_alloc(64, ((size_t)n * k * 4 + 63) / 64 * 64);
    if (!p) return NULL;
    for (int nb = 0; nb < n / 16; nb++)
        for (int pp = 0; pp < k; pp++)
            for (int j = 0; j < 16; j++)
                p[((size_t)nb * k + pp) * 16 + j] = w[(size_t)(nb * 16 + j) * k + pp];
    return p;
}

static inline __attribute__((always_inline)) void
tile_f32(const float *a, int k, const float *wf, int nb, int nbw, float *c, int ldc, int rows,
         const epilogue_args *epi, const float *res_rows)
{
    __m512 acc[MR][3];
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_ps();
    const size_t bstride = (size_t)k * 16;
    const float *b0 = wf + (size_t)nb * bstride;
    for (int p = 0; p < k; p++) {
        __m512 bv[3];
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            if (q < nbw) bv[q] = _mm512_load_ps(b0 + q * bstride + (size_t)p * 16);
#pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            __m512 av = _mm512_set1_ps(a[(size_t)r * k + p]);
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) acc[r][q] = _mm512_fmadd_ps(av, bv[q], acc[r][q]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
        if (r < rows)
#pragma GCC unroll 3
            for (int q = 0; q < 3; q++)
                if (q < nbw) {
                    const int col = (nb + q) * 16;
                    __m512 v = epilogue512(acc[r][q], epi, col, res_rows, (size_t)r * ldc + col);
                    _mm512_storeu_ps(c + (size_t)r * ldc + col, v);
                }
}

/* C[m][n] = A[m][k] W^T; A's rows are read up to a multiple of MR (the workspace has them). */
static void gemm_f32(const float *a, int m, int k, const float *wf, int n, float *c,
                     const epilogue_args *epi)
{
    const int nblocks = n / 16;
    const int row_block = 48;
    for (int m0 = 0; m0 < m; m0 += row_block) {
        int m1 = m0 + row_block < m ? m0 + row_block : m;
        for (int nb = 0; nb < nblocks; nb += 3) {
            int nbw = nblocks - nb < 3 ? nblocks - nb : 3;
            for (int r = m0; r < m1; r += MR) {
                int rows = m1 - r < MR ? m1 - r : MR;
                const float *res = epi->residual ? epi->residual + (size_t)r * n : NULL;
                if (nbw == 3) tile_f32(a + (size_t)r * k, k, wf, nb, 3, c + (size_t)r * n, n, rows, epi, res);
                else if (nbw == 2) tile_f32(a + (size_t)r * k, k, wf, nb, 2, c + (size_t)r * n, n, rows, epi, res);
                else tile_f32(a + (size_t)r * k, k, wf, nb, 1, c + (size_t)r * n, n, rows, epi, res);
            }
        }
    }
}
#endif

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
        quantize_rows_u8(x, t, tp, l->k, ws->a8, ws->a8_scale, ws->a8_zero);
        prof_add(BERT_PROF_QUANTIZE, &t0);
        gemm_int8(ws->a8, t, l->k, l, y, &ea, ws->a8_scale, ws->a8_zero);
    } else if (l->wp) {
        int tp = (t + MR - 1) / MR * MR;
        convert_rows_bf16(x, ws->abf, (size_t)t * l->k);
        memset(ws->abf + (size_t)t * l->k, 0, (size_t)(tp - t) * l->k * sizeof *ws->abf);
        gemm_bf16(ws->abf, t, l->k, l->wp, l->n, y, &ea); /* epilogue fused into the kernel */
    }
#ifdef __AVX512F__
    else if (l->wf) {
        gemm_f32(x, t, l->k, l->wf, l->n, y, &ea);
    }
#endif
    else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, l->n, l->k, 1.0f, x, l->k, l->w,
                    l->k, 0.0f, y, l->n);
        apply_epilogue(y, t, l->n, &ea);
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

/* ---------- loading ---------- */

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
        if (pack_int8(l)) return -1;
    } else if (bf16 && n % 16 == 0 && k % 2 == 0) {
        l->wp = pack_bf16(l->w, n, k);
        if (!l->wp) return -1;
    }
#ifdef __AVX512F__
    if (m->precision == BERT_FP32 && m->own_fp32 && n % 16 == 0) {
        l->wf = pack_f32(l->w, n, k);
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
