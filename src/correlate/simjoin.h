/* The similarity search of the gold join: for each row of A, the top-k rows of B by dot product
 * (cosine similarity, since both sides are unit vectors) at or above a threshold. Computed as a
 * blocked matrix product (OpenBLAS sgemm) so that a full bucket (tens of thousands of events
 * against a hundred thousand titles) is a few large, cache-friendly products instead of a
 * pairwise loop; only the per-row top-k survive each block, so memory is one block of scores. */
#ifndef WG_SIMJOIN_H
#define WG_SIMJOIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct simjoin_hit {
    uint32_t row;  /* index into A */
    uint32_t col;  /* index into B */
    float sim;
} simjoin_hit;

typedef struct simjoin_hits {
    simjoin_hit *v;
    size_t n, cap;
} simjoin_hits;

/* Appends to out, for every row i of a (na x dim, row-major), up to k hits (j, a_i . b_j) with
 * a_i . b_j >= threshold and, when row_floor is given, > row_floor[i]; per row in descending
 * similarity. k >= 1. Returns 0, or -1 when out of memory. */
int simjoin_topk(const float *a, size_t na, const float *b, size_t nb, size_t dim, float threshold,
                 int k, const float *row_floor, simjoin_hits *out);
void simjoin_hits_free(simjoin_hits *h);

#endif
