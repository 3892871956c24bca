/* Breaking-news edit bursts, in the manner of Wikipedia Live Monitor (Steiner, van Hooland and
 * Summers, 2013): a page is a breaking-news candidate when its current run of content edits has
 * at least min_edits edits by at least min_editors distinct editors, no gap between consecutive
 * edits over max_gap_seconds, and its last edit within recent_seconds of the stream's time.
 * Incremental: each edit updates its page's run (table gold_page_activity) inside the caller's
 * transaction; a qualifying run becomes (and then updates) one breaking_news_bursts row. */
#ifndef WG_BURST_H
#define WG_BURST_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/config.h"

typedef struct burst_params {
    int64_t min_edits;        /* correlate.burst.min_edits, default 5 */
    int64_t min_editors;      /* correlate.burst.min_editors, default 2 */
    int64_t max_gap_seconds;  /* correlate.burst.max_gap_seconds, default 60 */
    int64_t recent_seconds;   /* correlate.burst.recent_seconds, default 240 */
} burst_params;

typedef struct burst_detector burst_detector;

void burst_params_from_config(const config *cfg, burst_params *p);
burst_detector *burst_open(sqlite3 *db, const burst_params *p);
/* One content edit. stream_now is the largest event time the wiki stream has shown so far.
 * *new_burst is set to 1 when this edit made the page a candidate. 0 ok, -1 store error. */
int burst_observe(burst_detector *d, const char *wiki, const char *title, const char *user,
                  int64_t edit_time, int64_t silver_id, int64_t stream_now,
                  const char *bucket_text, int *new_burst);
/* Forgets runs that can no longer grow (last edit older than the gap and the recency window). */
int burst_prune(burst_detector *d, int64_t stream_now);
void burst_close(burst_detector *d);

#endif
