/* The BERT encoder's private header (bert.h is the public one): the model and workspace shared by
 * the loader (bert_load.c) and the forward pass (bert.c), and the small kernel API of
 * bert_kernels.c: the matrix products per precision (one blocking loop, a micro-kernel each), their
 * fused epilogues, weight packing and activation conversion; and the AVX-512 exp and erf both use. */
#ifndef WG_BERT_INT_H
#define WG_BERT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "embed/bert.h"
#include "embed/safetensors.h"

#ifdef __AVX512F__
#include <immintrin.h>

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

#define MR 8 /* rows per micro-tile; 8 x 3 accumulators + 3 weights + 1 broadcast fit 32 zmm */

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

enum epilogue { EPI_NONE, EPI_BIAS, EPI_BIAS_GELU, EPI_BIAS_RESIDUAL };

/* What is applied to each output value as it leaves the registers: saves a pass over memory. */
typedef struct epilogue_args {
    enum epilogue kind;
    const float *bias;
    const float *residual; /* [m][n], for EPI_BIAS_RESIDUAL */
} epilogue_args;

/* ---- bert_kernels.c ---- */

/* Weight packing for the own kernels (at load time); NULL / -1 out of memory. */
uint16_t *bert_pack_bf16(const float *w, int n, int k); /* [n/16][k/2][16][2] bf16 */
int bert_pack_int8(linear *l);                          /* l->wq, wq_scale, wq_sum */
float *bert_pack_f32(const float *w, int n, int k);     /* [n/16][k][16]; AVX-512 builds only */

/* Activations for the reduced precisions. */
void bert_convert_rows_bf16(const float *x, uint16_t *out, size_t count);
/* Rows of x [t][k] -> u8, per row scale and zero point; rows t..tp-1 (micro-tile padding) zeroed. */
void bert_quantize_rows_u8(const float *x, int t, int tp, int k, uint8_t *q, float *scale,
                           int32_t *zero);

/* The products C[m][n] = A[m][k] W^T with the epilogue fused; A's rows are read up to a
 * multiple of MR (the workspace pads them). */
void bert_gemm_bf16(const uint16_t *a, int m, int k, const uint16_t *wp, int n, float *c,
                    const epilogue_args *epi);
void bert_gemm_int8(const uint8_t *a, int m, int k, const linear *l, float *c,
                    const epilogue_args *epi, const float *a_scale, const int32_t *a_zero);
void bert_gemm_f32(const float *a, int m, int k, const float *wf, int n, float *c,
                   const epilogue_args *epi); /* AVX-512 builds only */
/* The epilogue as a separate pass (after OpenBLAS sgemm). */
void bert_apply_epilogue(float *y, int t, int n, const epilogue_args *epi);

#endif
