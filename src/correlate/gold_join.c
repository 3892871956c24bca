/* The gold flow's candidate join and rerank (gold_int.h): new events against the partner
 * buckets' embedded titles and new titles against earlier events (a blocked sgemm top-k), the
 * events' country pages, the reranker, and the pairs' ranks. */
#include "correlate/gold_int.h"

#include "core/grow.h"
#include "core/timeutil.h"
#include "correlate/countries.h"
#include "correlate/country_names.h"
#include "correlate/rerank.h"
#include "correlate/simjoin.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pending_push(pending *p, pending_pair pp)
{
    if (grow_array(&p->v, &p->cap, p->n, sizeof *p->v, 1024)) return -1;
    p->v[p->n++] = pp;
    return 0;
}

/* Hits of event rows (from ev_offset) against exact rows of tb (from x_offset). */
static int pending_from_hits(pending *p, const simjoin_hits *h, bucket *eb, size_t ev_offset,
                             bucket *tb, size_t x_offset)
{
    for (size_t i = 0; i < h->n; i++)
        if (pending_push(p, (pending_pair){eb, (uint32_t)(h->v[i].row + ev_offset), tb,
                                           tb->x_title[h->v[i].col + x_offset], h->v[i].sim,
                                           h->v[i].sim}) != 0)
            return -1;
    return 0;
}

static int pair_cmp(const void *x, const void *y)
{
    const pending_pair *a = x, *b = y;
    if (a->eb != b->eb) return (uintptr_t)a->eb < (uintptr_t)b->eb ? -1 : 1;
    if (a->ev != b->ev) return a->ev < b->ev ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return 0;
}

/* Similarities are stored rounded to 1e-6 so equal pairs compare equal across runs. */
double gold_stored_sim(float sim)
{
    return round((double)sim * 1e6) / 1e6;
}

/* Second stage: scores every event's candidates (p is grouped by event) with the reranker,
   keeps those that reach correlate.rerank.threshold and would enter the event's top-k, and
   orders each event's pairs by score. The events' fields come from gdelt_silver by silver id. */
static int rerank_pending(run *r, pending *p)
{
    int64_t t0 = time_monotonic_ms();
    size_t ngroups = 0;
    for (size_t i = 0; i < p->n; i++)
        ngroups += i == 0 || p->v[i].eb != p->v[i - 1].eb || p->v[i].ev != p->v[i - 1].ev;
    rerank_event *evs = calloc(ngroups, sizeof *evs);
    if (!evs) {
        snprintf(r->err, r->errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    char err[WG_ERR_LEN] = "";
    rerank_loader *loader = rerank_loader_open(r->db, 0, err, sizeof err);
    if (!loader) {
        snprintf(r->err, r->errlen, "reranker: %s", err);
        goto out;
    }
    for (size_t i = 0, g = 0; i < p->n; i++) {
        if (i && p->v[i].eb == p->v[i - 1].eb && p->v[i].ev == p->v[i - 1].ev) continue;
        int lr = rerank_loader_get(loader, p->v[i].eb->ev_sid[p->v[i].ev], &evs[g++], err,
                                   sizeof err);
        if (lr < 0) {
            snprintf(r->err, r->errlen, "reranker: %s", err);
            goto out;
        } /* lr == 1: the silver row is gone; the event is scored on its cosines alone */
    }
    if (rerank_events_embed(evs, ngroups, r->emb, err, sizeof err) != 0) {
        snprintf(r->err, r->errlen, "reranker: embedding event fields: %s", err);
        goto out;
    }
    size_t kept = 0;
    for (size_t i = 0, g = 0; i < p->n; g++) {
        size_t j = i;
        while (j < p->n && p->v[j].eb == p->v[i].eb && p->v[j].ev == p->v[i].ev) j++;
        bucket *eb = p->v[i].eb;
        uint32_t ev = p->v[i].ev;
        float floor = eb->ev_pairs[ev] >= r->s.top_k ? eb->ev_floor[ev] : -2.0f;
        size_t start = kept;
        for (size_t k = i; k < j; k++) {
            pending_pair pp = p->v[k];
            const title_entry *te = &pp.tb->titles[pp.t];
            /* a hit of the exact join: the title has its model vector (xrow >= 0) */
            pp.score = (float)rerank_pair_score(&evs[g], te->wiki, te->title,
                                                eb->ev_vec + (size_t)ev * EMBED_DIM,
                                                pp.tb->x_vec + (size_t)te->xrow * EMBED_DIM,
                                                pp.sim);
            if (pp.score >= r->s.rerank_threshold && pp.score > floor) p->v[kept++] = pp;
        }
        qsort(p->v + start, kept - start, sizeof *p->v, pair_cmp);
        r->stats->rerank_candidates += (int64_t)(j - i);
        i = j;
    }
    p->n = kept;
    rc = 0;
out:
    rerank_loader_close(loader);
    for (size_t g = 0; g < ngroups; g++) rerank_event_free(&evs[g]);
    free(evs);
    r->stats->rerank_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    return rc;
}

/* One country-page pair (event ev of eb, title t of tb), its cosine from the two vectors. */
static int inject_pair(pending *p, bucket *eb, uint32_t ev, bucket *tb, uint32_t t)
{
    const float *x = eb->ev_vec + (size_t)ev * EMBED_DIM;
    const float *y = tb->x_vec + (size_t)tb->titles[t].xrow * EMBED_DIM;
    float sim = 0;
    for (int d = 0; d < EMBED_DIM; d++) sim += x[d] * y[d];
    return pending_push(p, (pending_pair){eb, ev, tb, t, sim, sim});
}

/* The candidate stage's second source, with the reranker: a title that is, in its wiki's
   language, the page of one of an event's countries is proposed whatever its cosine (a Syria
   story and Syrien on dewiki score 0.03-0.18 with an English model). The same split as the
   cosine join: new events against every embedded country page of their partner buckets, and
   country pages embedded in this batch against the earlier events. The per-row indices make it
   a walk over the buckets' country pages and the events that name their countries, never over
   all titles or events. Returns the number proposed, -1 out of memory. */
static long inject_country_pages(run *r, pending *p)
{
    long added = 0;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = gold_partner_buckets(r, b, partners);
        for (size_t k = 0; k < np; k++) {
            bucket *other = partners[k];
            /* b's new events x other's country pages */
            if (b->country_events && other->country_titles && b->ne > b->ev_jmark)
                for (size_t row = 0; row < country_table_n; row++) {
                    const row_index *ts = &other->country_titles[row], *es = &b->country_events[row];
                    if (!ts->n || !es->n) continue;
                    for (uint32_t i = 0; i < es->n; i++) {
                        if (es->v[i] < b->ev_jmark) continue;
                        for (uint32_t j = 0; j < ts->n; j++) {
                            if (other->titles[ts->v[j]].xrow < 0) continue;
                            if (inject_pair(p, b, es->v[i], other, ts->v[j])) return -1;
                            added++;
                        }
                    }
                }
            /* b's country pages embedded in this batch x other's earlier events */
            if (b->country_titles && other->country_events && bucket_ev_old(other))
                for (size_t row = 0; row < country_table_n; row++) {
                    const row_index *ts = &b->country_titles[row], *es = &other->country_events[row];
                    if (!ts->n || !es->n) continue;
                    for (uint32_t j = 0; j < ts->n; j++) {
                        long xrow = b->titles[ts->v[j]].xrow;
                        if (xrow < 0 || (size_t)xrow < b->x_mark) continue;
                        for (uint32_t i = 0; i < es->n && es->v[i] < bucket_ev_old(other); i++) {
                            if (inject_pair(p, other, es->v[i], b, ts->v[j])) return -1;
                            added++;
                        }
                    }
                }
        }
    }
    return added;
}

static int pair_key_cmp(const void *x, const void *y)
{
    const pending_pair *a = x, *b = y;
    if (a->eb != b->eb) return (uintptr_t)a->eb < (uintptr_t)b->eb ? -1 : 1;
    if (a->ev != b->ev) return a->ev < b->ev ? -1 : 1;
    if (a->tb != b->tb) return (uintptr_t)a->tb < (uintptr_t)b->tb ? -1 : 1;
    return (a->t > b->t) - (a->t < b->t);
}

/* Drops repeated (event, title) pairs: a country page the cosine join found too, or one found
   through two codes of the event. */
static void pending_unique(pending *p)
{
    qsort(p->v, p->n, sizeof *p->v, pair_key_cmp);
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (k == 0 || pair_key_cmp(&p->v[k - 1], &p->v[i]) != 0) p->v[k++] = p->v[i];
    p->n = k;
}

int gold_join_batch(run *r)
{
    int64_t t0 = time_monotonic_ms();
    pending p = {0};
    simjoin_hits h = {0};
    int rc = -1;
    /* With the reranker the cosine join only proposes candidates; the floors of events with a
       full top-k are in score units then, so they are applied after scoring. */
    float first_threshold = r->s.rerank ? r->s.candidate_threshold : r->s.threshold;
    int first_k = r->s.rerank ? r->s.candidate_k : r->s.top_k;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = gold_partner_buckets(r, b, partners);
        /* New events against every embedded title of the partner buckets (new ones included). */
        if (b->ne > b->ev_jmark)
            for (size_t k = 0; k < np; k++) {
                bucket *tb = partners[k];
                h.n = 0;
                if (simjoin_topk(b->ev_vec + b->ev_jmark * EMBED_DIM, b->ne - b->ev_jmark,
                                 tb->x_vec, tb->nx, EMBED_DIM, first_threshold, first_k, NULL,
                                 &h) != 0 ||
                    pending_from_hits(&p, &h, b, b->ev_jmark, tb, 0) != 0)
                    goto oom;
            }
        /* Titles of b embedded in this batch (new ones, or older ones the prefilter selected
           now) against the earlier events of the partner buckets; an event only takes a pair
           that enters its current top-k. */
        if (b->nx > b->x_mark)
            for (size_t k = 0; k < np; k++) {
                bucket *eb = partners[k];
                if (!bucket_ev_old(eb)) continue;
                h.n = 0;
                if (simjoin_topk(eb->ev_vec, bucket_ev_old(eb), b->x_vec + b->x_mark * EMBED_DIM,
                                 b->nx - b->x_mark, EMBED_DIM, first_threshold, first_k,
                                 r->s.rerank ? NULL : eb->ev_floor, &h) != 0 ||
                    pending_from_hits(&p, &h, eb, 0, b, b->x_mark) != 0)
                    goto oom;
            }
    }
    if (r->s.rerank) {
        size_t before = p.n;
        long added = inject_country_pages(r, &p);
        if (added < 0) goto oom;
        if (added) {
            pending_unique(&p);
            r->stats->rerank_country_pages += (int64_t)(p.n - before);
        }
    }
    r->stats->join_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    if (p.n) qsort(p.v, p.n, sizeof *p.v, pair_cmp);
    if (r->s.rerank && p.n && rerank_pending(r, &p)) goto out;
    for (size_t i = 0; i < p.n;) {
        size_t j = i;
        while (j < p.n && p.v[j].eb == p.v[i].eb && p.v[j].ev == p.v[i].ev) j++;
        bucket *eb = p.v[i].eb;
        uint32_t ev = p.v[i].ev;
        int is_new = ev >= eb->ev_jmark; /* no earlier pairs: embedded in this batch */
        if (is_new) {
            /* No earlier pairs: the merged list is already ranked. */
            size_t take = j - i < (size_t)r->s.top_k ? j - i : (size_t)r->s.top_k;
            for (size_t k = 0; k < take; k++)
                if (gold_insert_pair(r, &p.v[i + k], (int)k + 1)) goto out;
            if (gold_set_best(r, eb, ev, &p.v[i], take)) goto out;
        } else {
            for (size_t k = i; k < j; k++)
                if (gold_insert_pair(r, &p.v[k], 0)) goto out;
            if (gold_refresh_event(r, eb, ev, 1)) goto out;
        }
        i = j;
    }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory in the similarity join");
out:
    free(p.v);
    simjoin_hits_free(&h);
    return rc;
}
