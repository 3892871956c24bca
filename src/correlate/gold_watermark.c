/* The gold flow's watermarks, lateness and bucket closing (gold_int.h): per stream the max
 * event time seen minus correlate.allowed_lateness_seconds; a bucket closes when both watermarks
 * passed its end (the next bucket's too with neighbour buckets); a row for a closed bucket is
 * late. */
#include "correlate/gold_int.h"

#include "core/log.h"
#include "store/store.h"

#include <stdio.h>

/* Span of a bucket's state: its own width, plus the next bucket's when neighbours match. */
int64_t gold_bucket_close_time(const run *r, int64_t start)
{
    return start + r->s.bucket_seconds * (r->s.neighbours ? 2 : 1);
}

int gold_is_late(const run *r, int64_t bucket_start)
{
    return r->closed_before != NO_TIME && gold_bucket_close_time(r, bucket_start) <= r->closed_before;
}

/* Closes every open bucket whose state both watermarks have passed (or all, when draining). */
int gold_advance_watermarks(run *r, int drain)
{
    int64_t frontier = NO_TIME;
    if (r->max_gdelt != NO_TIME && r->max_wiki != NO_TIME) {
        int64_t wg = r->max_gdelt - r->s.lateness, ww = r->max_wiki - r->s.lateness;
        frontier = wg < ww ? wg : ww;
    }
    if (drain)
        for (size_t i = 0; i < r->st.n; i++) {
            int64_t end = gold_bucket_close_time(r, r->st.b[i]->start);
            if (frontier == NO_TIME || end > frontier) frontier = end;
        }
    if (frontier != NO_TIME && (r->closed_before == NO_TIME || frontier > r->closed_before))
        r->closed_before = frontier;
    /* Oldest first, so the event log reads in time order. */
    for (;;) {
        bucket *oldest = NULL;
        for (size_t i = 0; i < r->st.n && r->closed_before != NO_TIME; i++)
            if (gold_bucket_close_time(r, r->st.b[i]->start) <= r->closed_before &&
                (!oldest || r->st.b[i]->start < oldest->start))
                oldest = r->st.b[i];
        if (!oldest) break;
        if (gold_close_bucket(r, oldest)) return -1;
        bucket_set_remove(&r->st, oldest);
    }
    while ((int64_t)r->st.n > r->s.max_open_buckets) {
        bucket *oldest = r->st.b[0];
        for (size_t i = 1; i < r->st.n; i++)
            if (r->st.b[i]->start < oldest->start) oldest = r->st.b[i];
        int64_t end = gold_bucket_close_time(r, oldest->start);
        char msg[200];
        snprintf(msg, sizeof msg, "more than %lld open buckets (one stream is not advancing):"
                 " closing %s before the watermarks pass it", (long long)r->s.max_open_buckets,
                 oldest->start_text);
        if (store_event(r->db, "gold", "warn", "bucket_forced_close", msg, NULL) != 0)
            return gold_db_fail(r, "event log");
        log_warn("gold", "%s", msg);
        if (gold_close_bucket(r, oldest)) return -1;
        bucket_set_remove(&r->st, oldest);
        if (r->closed_before == NO_TIME || end > r->closed_before) r->closed_before = end;
    }
    return 0;
}
