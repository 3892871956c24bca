/* Blocked sgemm top-k join (see simjoin.h). */
#include "correlate/simjoin.h"
#include "core/grow.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* A block of ROW_BLOCK x COL_BLOCK scores is 8 MB: large enough for sgemm to run near peak,
 * small enough to stay bounded whatever the bucket size. */
#define ROW_BLOCK 512
#define COL_BLOCK 4096

static int hits_push(simjoin_hits *h, uint32_t row, uint32_t col, float sim)
{
    if (grow_array(&h->v, &h->cap, h->n, sizeof *h->v, 1024)) return -1;
    h->v[h->n++] = (simjoin_hit){row, col, sim};
    return 0;
}

void simjoin_hits_free(simjoin_hits *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

/* Insertion into a descending top-k list of length *len (k is small). */
static void topk_insert(float *sims, uint32_t *cols, int *len, int k, float s, uint32_t c)
{
    int i = *len < k ? (*len)++ : k - 1;
    while (i > 0 && sims[i - 1] < s) {
        sims[i] = sims[i - 1];
        cols[i] = cols[i - 1];
        i--;
    }
    sims[i] = s;
    cols[i] = c;
}

int simjoin_topk(const float *a, size_t na, const float *b, size_t nb, size_t dim, float threshold,
                 int k, const float *row_floor, simjoin_hits *out)
{
    if (na == 0 || nb == 0) return 0;
    if (k < 1) k = 1;
    size_t rb = na < ROW_BLOCK ? na : ROW_BLOCK;
    size_t cb = nb < COL_BLOCK ? nb : COL_BLOCK;
    float *scores = malloc(rb * cb * sizeof *scores);
    float *top_sims = malloc(rb * (size_t)k * sizeof *top_sims);
    uint32_t *top_cols = malloc(rb * (size_t)k * sizeof *top_cols);
    int *top_len = malloc(rb * sizeof *top_len);
    int rc = 0;
    if (!scores || !top_sims || !top_cols || !top_len) {
        rc = -1;
        goto done;
    }
    for (size_t r0 = 0; r0 < na; r0 += rb) {
        size_t rn = na - r0 < rb ? na - r0 : rb;
        memset(top_len, 0, rn * sizeof *top_len);
        for (size_t c0 = 0; c0 < nb; c0 += cb) {
            size_t cn = nb - c0 < cb ? nb - c0 : cb;
            /* scores[rn x cn] = A[r0.., :] * B[c0.., :]^T */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rn, (int)cn, (int)dim, 1.0f,
                        a + r0 * dim, (int)dim, b + c0 * dim, (int)dim, 0.0f, scores, (int)cn);
            for (size_t i = 0; i < rn; i++) {
                float floor = threshold;
                float *ts = top_sims + i * (size_t)k;
                uint32_t *tc = top_cols + i * (size_t)k;
                int *tl = &top_len[i];
                if (*tl == k && ts[k - 1] > floor) floor = ts[k - 1];
                const float *row = scores + i * cn;
                float rf = row_floor ? row_floor[r0 + i] : -2.0f;
                for (size_t j = 0; j < cn; j++) {
                    float s = row[j];
                    /* Most scores are below the threshold: one compare per score. */
                    if (s < floor) continue;
                    if (s <= rf) continue;
                    if (*tl == k && s <= ts[k - 1]) continue;
                    topk_insert(ts, tc, tl, k, s, (uint32_t)(c0 + j));
                    if (*tl == k && ts[k - 1] > floor) floor = ts[k - 1];
                }
            }
        }
        for (size_t i = 0; i < rn; i++)
            for (int t = 0; t < top_len[i]; t++)
                if (hits_push(out, (uint32_t)(r0 + i), top_cols[i * (size_t)k + t],
                              top_sims[i * (size_t)k + t]) != 0) {
                    rc = -1;
                    goto done;
                }
    }
done:
    free(scores);
    free(top_sims);
    free(top_cols);
    free(top_len);
    return rc;
}
