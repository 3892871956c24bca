/* Accuracy of the correlation against labelled pairs: precision, recall and F1 of
 * "cosine >= threshold" as the prediction of "related", at one threshold and over a sweep. */
#ifndef WG_GOLD_EVAL_H
#define WG_GOLD_EVAL_H

#include <stddef.h>

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

#endif
