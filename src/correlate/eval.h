/* Accuracy of the correlation against labelled pairs: precision, recall and F1 of
 * "cosine >= threshold" as the prediction of "related", at one threshold and over a sweep. */
#ifndef WG_GOLD_EVAL_H
#define WG_GOLD_EVAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct eval_result {
    double threshold;
    size_t tp, fp, fn, tn;
    double precision, recall, f1;
} eval_result;

void gold_eval_at(const float *scores, const int *labels, size_t n, double threshold,
                  eval_result *out);
/* Best F1 over thresholds from lo to hi in steps of step (ties: the higher threshold). */
void gold_eval_sweep(const float *scores, const int *labels, size_t n, double lo, double hi,
                     double step, eval_result *best);

/* Group ids 0..G-1 for n keys (equal strings, equal id; ids in order of first appearance).
 * Returns G, or 0 when out of memory or n is 0. */
size_t gold_eval_groups(const char *const *keys, size_t n, size_t *group);
/* How far the F1 at threshold can be trusted: the 2.5th and 97.5th percentiles of F1 over reps
 * bootstrap resamples of the G groups (the pairs of one event are drawn together, since they
 * share its text and are not independent). Deterministic for a seed. 0 ok, -1 out of memory. */
int gold_eval_bootstrap(const float *scores, const int *labels, const size_t *group, size_t n,
                        size_t ngroups, double threshold, int reps, uint64_t seed, double *lo,
                        double *hi);

/* The split of the story label sets (tests/data/README.md, "Story sets"): 1 when the story is
 * held out, i.e. the FNV-1a 32-bit hash of its id's bytes is 0 modulo 3 (tools/rerank/fit.py
 * story_heldout). */
int gold_eval_story_heldout(const char *story);

#endif
