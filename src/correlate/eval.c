/* Precision / recall / F1 of a similarity threshold (eval.h). */
#include "correlate/eval.h"

#include <stdlib.h>
#include <string.h>

void gold_eval_at(const float *scores, const int *labels, size_t n, double threshold,
                  eval_result *out)
{
    eval_result r = {0};
    r.threshold = threshold;
    for (size_t i = 0; i < n; i++) {
        int predicted = scores[i] >= (float)threshold;
        if (predicted && labels[i]) r.tp++;
        else if (predicted) r.fp++;
        else if (labels[i]) r.fn++;
        else r.tn++;
    }
    r.precision = r.tp + r.fp ? (double)r.tp / (double)(r.tp + r.fp) : 0.0;
    r.recall = r.tp + r.fn ? (double)r.tp / (double)(r.tp + r.fn) : 0.0;
    r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
    *out = r;
}

void gold_eval_sweep(const float *scores, const int *labels, size_t n, double lo, double hi,
                     double step, eval_result *best)
{
    gold_eval_at(scores, labels, n, lo, best);
    int steps = (int)((hi - lo) / step + 0.5);
    for (int i = 1; i <= steps; i++) {
        eval_result r;
        gold_eval_at(scores, labels, n, lo + i * step, &r);
        if (r.f1 >= best->f1) *best = r;
    }
}

typedef struct keyed {
    const char *key;
    size_t index;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

size_t gold_eval_groups(const char *const *keys, size_t n, size_t *group)
{
    if (n == 0) return 0;
    keyed *k = malloc(n * sizeof *k);
    size_t *first = malloc(n * sizeof *first); /* per sorted run: its first index */
    if (!k || !first) {
        free(k);
        free(first);
        return 0;
    }
    for (size_t i = 0; i < n; i++) k[i] = (keyed){keys[i] ? keys[i] : "", i};
    qsort(k, n, sizeof *k, keyed_cmp);
    /* Equal keys are adjacent and sorted by index: each run's first member is its first
       appearance. Give every member the run's first index, then number runs by that index. */
    for (size_t i = 0; i < n; i++)
        first[k[i].index] = i > 0 && !strcmp(k[i].key, k[i - 1].key) ? first[k[i - 1].index] : k[i].index;
    size_t g = 0;
    for (size_t i = 0; i < n; i++)
        group[i] = first[i] == i ? g++ : group[first[i]];
    free(k);
    free(first);
    return g;
}

/* splitmix64: small, fast and good enough to draw resamples reproducibly. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int gold_eval_bootstrap(const float *scores, const int *labels, const size_t *group, size_t n,
                        size_t ngroups, double threshold, int reps, uint64_t seed, double *lo,
                        double *hi)
{
    *lo = *hi = 0.0;
    if (n == 0 || ngroups == 0 || reps <= 0) return 0;
    size_t *tally = calloc(3 * ngroups, sizeof *tally); /* tp, fp, fn per group */
    double *f1 = malloc((size_t)reps * sizeof *f1);
    if (!tally || !f1) {
        free(tally);
        free(f1);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (group[i] >= ngroups) continue;
        int predicted = scores[i] >= (float)threshold;
        if (predicted) tally[3 * group[i] + (labels[i] ? 0 : 1)]++;
        else if (labels[i]) tally[3 * group[i] + 2]++;
    }
    uint64_t state = seed;
    for (int r = 0; r < reps; r++) {
        size_t tp = 0, fp = 0, fn = 0;
        for (size_t j = 0; j < ngroups; j++) {
            size_t g = (size_t)(next_random(&state) % ngroups);
            tp += tally[3 * g];
            fp += tally[3 * g + 1];
            fn += tally[3 * g + 2];
        }
        f1[r] = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
    }
    qsort(f1, (size_t)reps, sizeof *f1, cmp_double);
    *lo = f1[(size_t)(0.025 * (reps - 1) + 0.5)];
    *hi = f1[(size_t)(0.975 * (reps - 1) + 0.5)];
    free(tally);
    free(f1);
    return 0;
}

int gold_eval_story_heldout(const char *story)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)story; *p; p++) h = (h ^ *p) * 16777619u;
    return h % 3 == 0;
}
