/* Precision / recall / F1 of a similarity threshold (eval.h). */
#include "correlate/eval.h"

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
