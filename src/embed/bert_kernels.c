/* The BERT encoder's kernels (bert_int.h): an own AVX512-BF16 kernel for the reduced-precision
 * path, AVX512-VNNI int8, an own AVX-512 fp32 kernel, all sharing one blocking loop with a
 * micro-kernel per precision and fused epilogues (bias + GELU, bias + residual). Portable
 * emulations where the instructions are absent. */
#include "embed/bert_int.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- vector maths ---------- */


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
void bert_convert_rows_bf16(const float *x, uint16_t *out, size_t count)
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
uint16_t *bert_pack_bf16(const float *w, int n, int k)
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


void bert_apply_epilogue(float *y, int t, int n, const epilogue_args *epi)
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


/* The blocking every precision's kernel shares: blocks of row_block rows (they stay in L1/L2
 * while a block of 3 x 16 weight columns streams past), column blocks of up to 3 x 16, micro-tiles
 * of MR rows. TILE(nbw) runs one micro-tile with r (its first row), nb (its first 16-column
 * block), rows (<= MR), res (its residual rows or NULL) in scope and nbw a constant 1..3, so the
 * micro-kernel is compiled for each width. */
#define GEMM_BLOCKED(m, n, row_block, epi, TILE)                                               \
    do {                                                                                       \
        const int nblocks_ = (n) / 16;                                                         \
        for (int m0_ = 0; m0_ < (m); m0_ += (row_block)) {                                     \
            const int m1_ = m0_ + (row_block) < (m) ? m0_ + (row_block) : (m);                 \
            for (int nb = 0; nb < nblocks_; nb += 3) {                                         \
                const int nbw_ = nblocks_ - nb < 3 ? nblocks_ - nb : 3;                        \
                for (int r = m0_; r < m1_; r += MR) {                                          \
                    const int rows = m1_ - r < MR ? m1_ - r : MR;                              \
                    const float *res = (epi)->residual ? (epi)->residual + (size_t)r * (n) : NULL; \
                    if (nbw_ == 3) TILE(3);                                                    \
                    else if (nbw_ == 2) TILE(2);                                               \
                    else TILE(1);                                                              \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    } while (0)

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
void bert_gemm_bf16(const uint16_t *a, int m, int k, const uint16_t *wp, int n, float *c,
                      const epilogue_args *epi)
{
#ifdef __AVX512BF16__
#define TILE(nbw) tile_bf16(a + (size_t)r * k, k, wp, nb, nbw, c + (size_t)r * n, n, rows, epi, res)
    GEMM_BLOCKED(m, n, 96, epi, TILE);
#undef TILE
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
    bert_apply_epilogue(c, m, n, epi);
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
int bert_pack_int8(linear *l)
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
void bert_quantize_rows_u8(const float *x, int t, int tp, int k, uint8_t *q, float *scale,
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
void bert_gemm_int8(const uint8_t *a, int m, int k, const linear *l, float *c,
                      const epilogue_args *epi, const float *a_scale, const int32_t *a_zero)
{
    const int n = l->n;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define TILE(nbw)                                                                             \
    do {                                                                                      \
        int8_args qa = {a_scale + r, a_zero + r, l->wq_scale, l->wq_sum};                     \
        tile_int8(a + (size_t)r * k, k, l->wq, nb, nbw, c + (size_t)r * n, n, rows, epi, res, &qa); \
    } while (0)
    GEMM_BLOCKED(m, n, 96, epi, TILE);
#undef TILE
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
    bert_apply_epilogue(c, m, n, epi);
#endif
}

/* ---------- own fp32 kernel (embed.fp32_gemm = avx512) ---------- */

#ifdef __AVX512F__
float *bert_pack_f32(const float *w, int n, int k)
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
void bert_gemm_f32(const float *a, int m, int k, const float *wf, int n, float *c,
                     const epilogue_args *epi)
{
#define TILE(nbw) tile_f32(a + (size_t)r * k, k, wf, nb, nbw, c + (size_t)r * n, n, rows, epi, res)
    GEMM_BLOCKED(m, n, 48, epi, TILE);
#undef TILE
}
#endif
