/* Micro-benchmark of one GEMM tile shape of the encoder (M x K x N = 64 x 384 x 1536, the FFN-in
 * product of a 64-token batch) on one core: VPDPBUSD (u8 x s8 -> s32) on zmm and on ymm registers,
 * VDPBF16PS (bf16 -> fp32) on zmm, and OpenBLAS sgemm. Prints GOP/s (2*M*N*K per product).
 * Decides whether an int8 path is worth having on this CPU (Zen 4 runs 512-bit ops as 2 x 256).
 * Build/run: bench/int8_micro.sh */
#pragma GCC optimize("O3")
#include <cblas.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { M = 64, K = 384, N = 1536, MR = 8 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* GCC (12) spills the 24 accumulators when the intrinsic is used on zmm; the instruction itself,
 * with the accumulator as an in/out register operand, keeps them in registers. */
static inline __attribute__((always_inline)) void dpbusd512(__m512i *acc, __m512i a, __m512i b)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(*acc) : "v"(a), "v"(b));
}

/* u8 activations [M][K], s8 weights packed [N/16][K/4][16][4] */
static void gemm_vnni_zmm(const uint8_t *a, const int8_t *wp, int32_t *c)
{
    const size_t bstride = (size_t)(K / 4) * 64;
    for (int nb = 0; nb < N / 16; nb += 3)
        for (int r0 = 0; r0 < M; r0 += MR) {
            __m512i acc[MR][3];
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_si512();
            const int8_t *b0 = wp + (size_t)nb * bstride;
            for (int p = 0; p < K / 4; p++) {
                __m512i bv[3];
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) bv[q] = _mm512_load_si512(b0 + q * bstride + (size_t)p * 64);
#pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    int32_t quad;
                    memcpy(&quad, a + (size_t)(r0 + r) * K + 4 * p, 4);
                    __m512i av = _mm512_set1_epi32(quad);
                    
                        #pragma GCC unroll 3
                        for (int q = 0; q < 3; q++) dpbusd512(&acc[r][q], av, bv[q]);
                }
            }
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++)
                    _mm512_storeu_si512(c + (size_t)(r0 + r) * N + (nb + q) * 16, acc[r][q]);
        }
}

/* the same with the intrinsic: GCC 12 keeps the accumulators on the stack */
static void gemm_vnni_zmm_intrinsic(const uint8_t *a, const int8_t *wp, int32_t *c)
{
    const size_t bstride = (size_t)(K / 4) * 64;
    for (int nb = 0; nb < N / 16; nb += 3)
        for (int r0 = 0; r0 < M; r0 += MR) {
            __m512i acc[MR][3];
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
#pragma GCC unroll 3
                for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_si512();
            const int8_t *b0 = wp + (size_t)nb * bstride;
            for (int p = 0; p < K / 4; p++) {
                __m512i bv[3];
#pragma GCC unroll 3
                for (int q = 0; q < 3; q++) bv[q] = _mm512_load_si512(b0 + q * bstride + (size_t)p * 64);
#pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    int32_t quad;
                    memcpy(&quad, a + (size_t)(r0 + r) * K + 4 * p, 4);
                    __m512i av = _mm512_set1_epi32(quad);
#pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) acc[r][q] = _mm512_dpbusd_epi32(acc[r][q], av, bv[q]);
                }
            }
            for (int r = 0; r < MR; r++)
                for (int q = 0; q < 3; q++)
                    _mm512_storeu_si512(c + (size_t)(r0 + r) * N + (nb + q) * 16, acc[r][q]);
        }
}

/* the same on ymm: weights packed [N/8][K/4][8][4] */
static void gemm_vnni_ymm(const uint8_t *a, const int8_t *wp, int32_t *c)
{
    const size_t bstride = (size_t)(K / 4) * 32;
    for (int nb = 0; nb < N / 8; nb += 3)
        for (int r0 = 0; r0 < M; r0 += MR) {
            __m256i acc[MR][3];
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) acc[r][q] = _mm256_setzero_si256();
            const int8_t *b0 = wp + (size_t)nb * bstride;
            for (int p = 0; p < K / 4; p++) {
                __m256i bv[3];
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) bv[q] = _mm256_load_si256((const __m256i *)(b0 + q * bstride + (size_t)p * 32));
#pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    int32_t quad;
                    memcpy(&quad, a + (size_t)(r0 + r) * K + 4 * p, 4);
                    __m256i av = _mm256_set1_epi32(quad);
                    
                        #pragma GCC unroll 3
                        for (int q = 0; q < 3; q++) acc[r][q] = _mm256_dpbusd_epi32(acc[r][q], av, bv[q]);
                }
            }
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++)
                    _mm256_storeu_si256((__m256i *)(c + (size_t)(r0 + r) * N + (nb + q) * 8), acc[r][q]);
        }
}

/* bf16 activations [M][K], weights [N/16][K/2][16][2] */
static void gemm_bf16(const uint16_t *a, const uint16_t *wp, float *c)
{
    const size_t bstride = (size_t)(K / 2) * 32;
    for (int nb = 0; nb < N / 16; nb += 3)
        for (int r0 = 0; r0 < M; r0 += MR) {
            __m512 acc[MR][3];
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) acc[r][q] = _mm512_setzero_ps();
            const uint16_t *b0 = wp + (size_t)nb * bstride;
            for (int p = 0; p < K / 2; p++) {
                __m512bh bv[3];
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++) bv[q] = (__m512bh)_mm512_load_si512(b0 + q * bstride + (size_t)p * 32);
#pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    int32_t pair;
                    memcpy(&pair, a + (size_t)(r0 + r) * K + 2 * p, 4);
                    __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
                    
                        #pragma GCC unroll 3
                        for (int q = 0; q < 3; q++) acc[r][q] = _mm512_dpbf16_ps(acc[r][q], av, bv[q]);
                }
            }
#pragma GCC unroll 8
            for (int r = 0; r < MR; r++)
                
                    #pragma GCC unroll 3
                    for (int q = 0; q < 3; q++)
                    _mm512_storeu_ps(c + (size_t)(r0 + r) * N + (nb + q) * 16, acc[r][q]);
        }
}

#define BEST(label, call)                                                                      \
    do {                                                                                       \
        double best = 0;                                                                       \
        for (int round = 0; round < 7; round++) {                                              \
            double t0 = now();                                                                 \
            for (int it = 0; it < 50; it++) call;                                              \
            double g = 50 * 2.0 * M * N * K / (now() - t0) / 1e9;                              \
            if (g > best) best = g;                                                            \
        }                                                                                      \
        printf("%-28s %7.1f GOP/s\n", label, best);                                            \
    } while (0)

int main(void)
{
    uint8_t *a8 = aligned_alloc(64, M * K);
    int8_t *w8 = aligned_alloc(64, (size_t)N * K);
    uint16_t *abf = aligned_alloc(64, M * K * 2), *wbf = aligned_alloc(64, (size_t)N * K * 2);
    float *af = aligned_alloc(64, M * K * 4), *wf = aligned_alloc(64, (size_t)N * K * 4);
    int32_t *c32 = aligned_alloc(64, (size_t)M * N * 4);
    float *cf = aligned_alloc(64, (size_t)M * N * 4);
    for (int i = 0; i < M * K; i++) { a8[i] = (uint8_t)(i * 7); abf[i] = 0x3f80; af[i] = 0.5f; }
    for (int i = 0; i < N * K; i++) { w8[i] = (int8_t)(i * 3); wbf[i] = 0x3f00; wf[i] = 0.25f; }
    openblas_set_num_threads(1);
    BEST("vpdpbusd zmm (u8*s8->s32)", gemm_vnni_zmm(a8, w8, c32));
    BEST("vpdpbusd zmm, intrinsic", gemm_vnni_zmm_intrinsic(a8, w8, c32));
    BEST("vpdpbusd ymm (u8*s8->s32)", gemm_vnni_ymm(a8, w8, c32));
    BEST("vdpbf16ps zmm (bf16->f32)", gemm_bf16(abf, wbf, cf));
    BEST("openblas sgemm (f32)",
         cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, af, K, wf, K, 0, cf, N));
    return 0;
}
