/* The gold flow's embedding policy (gold_int.h): which events and titles the model embeds and
 * when (correlate.prefilter lazy, static or off), and the prefetch that embeds before a batch's
 * write transaction. */
#include "correlate/gold_int.h"

#include "core/grow.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "correlate/countries.h"
#include "correlate/country_names.h"
#include "correlate/rerank.h"
#include "correlate/simjoin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void select_hits(bucket *tb, size_t t_offset, const simjoin_hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        title_entry *te = &tb->titles[h->v[i].col + t_offset];
        if (te->xrow < 0) te->wanted = 1;
    }
}

/* The lazy mode's selection: every title not embedded yet of a bucket that has a partner bucket
   (itself, or a neighbour when those are joined) with at least one event. Exact, since such a
   title meets the join exactly as it would have on arrival; a bucket without events costs
   nothing until one comes. */
static int lazy_select(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = gold_partner_buckets(r, b, partners);
        if (!bucket_partners_hold(partners, np, 0)) continue;
        for (size_t i = 0; i < b->nt; i++)
            if (b->titles[i].xrow < 0) b->titles[i].wanted = 1;
    }
    return 0;
}

/* The cascade's first stage, after the batch's events are embedded: static vectors for the
   batch's new titles, then the same two-way search as the exact join (new events against every
   title of their partner buckets, new titles against the earlier events), scoring each event's
   model vector against the titles' static vectors (both live in the model's output space: a
   static vector is a mean of pooled one-token texts), each event keeping its
   correlate.prefilter.top_n best at or above correlate.prefilter.threshold. Events are long and
   contextual, so they keep their exact vectors; titles are a few tokens, where the static
   approximation is closest. The titles kept that have no model vector yet are marked wanted:
   gold_embed_new embeds them and the exact join takes them from there. A title not kept stays in the
   bucket and is tried again against every later event. */
int gold_prefilter_select(run *r)
{
    if (r->pf_mode == PREFILTER_LAZY) return lazy_select(r);
    if (!r->pf) return 0;
    int64_t t0 = time_monotonic_ms();
    size_t dim = (size_t)prefilter_dim(r->pf);
    float threshold = prefilter_threshold(r->pf);
    int top_n = prefilter_top_n(r->pf);
    buf text = BUF_INIT;
    simjoin_hits h = {0};
    int rc = -1;
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        for (size_t i = b->t_mark; i < b->nt; i++) {
            if (event_text_title(b->titles[i].title, &text) != 0) goto oom;
            prefilter_embed(r->pf, text.data, b->t_svec + i * dim);
        }
    }
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        bucket *partners[3];
        size_t np = gold_partner_buckets(r, b, partners);
        for (size_t k = 0; k < np && b->ne > b->ev_jmark; k++) {
            bucket *tb = partners[k];
            h.n = 0;
            if (simjoin_topk(b->ev_vec + b->ev_jmark * EMBED_DIM, b->ne - b->ev_jmark, tb->t_svec,
                             tb->nt, dim, threshold, top_n, NULL, &h) != 0)
                goto oom;
            select_hits(tb, 0, &h);
        }
        for (size_t k = 0; k < np && b->nt > b->t_mark; k++) {
            bucket *eb = partners[k];
            h.n = 0;
            if (!bucket_ev_old(eb)) continue;
            if (simjoin_topk(eb->ev_vec, bucket_ev_old(eb), b->t_svec + b->t_mark * dim,
                             b->nt - b->t_mark, dim, threshold, top_n, NULL, &h) != 0)
                goto oom;
            select_hits(b, b->t_mark, &h);
        }
    }
    /* The candidate stage also proposes the country pages of the events' countries whatever
       their cosine (inject_country_pages), so the cascade embeds those too: a few titles. */
    if (r->s.rerank)
        for (size_t bi = 0; bi < r->st.n; bi++) {
            bucket *b = r->st.b[bi];
            if (!b->country_titles) continue;
            bucket *partners[3];
            size_t np = gold_partner_buckets(r, b, partners);
            for (size_t row = 0; row < country_table_n; row++) {
                const row_index *ts = &b->country_titles[row];
                int events = 0;
                for (size_t k = 0; k < np && !events; k++)
                    events = partners[k]->country_events && partners[k]->country_events[row].n > 0;
                for (uint32_t j = 0; events && j < ts->n; j++)
                    if (b->titles[ts->v[j]].xrow < 0) b->titles[ts->v[j]].wanted = 1;
            }
        }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory in the prefilter");
out:
    r->stats->prefilter_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    buf_free(&text);
    simjoin_hits_free(&h);
    return rc;
}

/* Embeds this batch's new events (events = 1) or the titles to embed (events = 0), in chunks so
   the embedder sees sizeable batches. */
int gold_embed_new(run *r, int events)
{
    enum { CHUNK = 512 };
    const char *texts[CHUNK];
    float *dst[CHUNK];
    float *out = malloc((size_t)CHUNK * EMBED_DIM * sizeof *out);
    buf tb[CHUNK];
    memset(tb, 0, sizeof tb);
    if (!out) {
        snprintf(r->err, r->errlen, "out of memory");
        return -1;
    }
    int64_t t0 = time_monotonic_ms();
    size_t n = 0;
    int rc = 0;
    char eerr[WG_ERR_LEN] = "";
#define FLUSH()                                                                          \
    do {                                                                                 \
        if (n && embedder_encode(r->emb, texts, n, out, eerr, sizeof eerr) != 0) {       \
            snprintf(r->err, r->errlen, "embedding: %s", eerr);                          \
            rc = -1;                                                                     \
            goto done;                                                                   \
        }                                                                                \
        for (size_t k = 0; k < n; k++)                                                   \
            memcpy(dst[k], out + k * EMBED_DIM, EMBED_DIM * sizeof(float));              \
        n = 0;                                                                           \
    } while (0)
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        for (size_t i = b->ev_jmark; i < b->ne && events; i++) {
            texts[n] = b->ev_text[i] ? b->ev_text[i] : "";
            dst[n++] = b->ev_vec + i * EMBED_DIM;
            r->stats->events_embedded++;
            if (n == CHUNK) FLUSH();
        }
        FLUSH();
        if (events) {
            for (size_t i = b->ev_jmark; i < b->ne; i++) {
                free(b->ev_text[i]);
                b->ev_text[i] = NULL;
            }
            continue;
        }
        /* The titles to embed: without the prefilter every title not embedded yet (this batch's
           new ones, or all when a store kept by a prefiltered run is reopened without it);
           with it, those its first stage selected. Room first: dst points into x_vec. */
        size_t want = 0;
        for (size_t i = 0; i < b->nt; i++)
            want += b->titles[i].xrow < 0 && (r->pf_mode == PREFILTER_OFF || b->titles[i].wanted);
        if (bucket_exact_reserve(b, b->nx + want) != 0) {
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            goto done;
        }
        for (size_t i = 0; i < b->nt && want; i++) {
            title_entry *te = &b->titles[i];
            if (te->xrow >= 0 || (r->pf_mode != PREFILTER_OFF && !te->wanted)) continue;
            te->wanted = 0;
            want--;
            if (event_text_title(te->title, &tb[n]) != 0) {
                snprintf(r->err, r->errlen, "out of memory");
                rc = -1;
                goto done;
            }
            texts[n] = tb[n].data;
            dst[n++] = bucket_exact_row_add(b, i);
            r->stats->titles_embedded++;
            if (n == CHUNK) FLUSH();
        }
        FLUSH();
    }
done:
#undef FLUSH
    r->stats->embed_seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    for (size_t k = 0; k < CHUNK; k++) buf_free(&tb[k]);
    free(out);
    return rc;
}

/* Which events get embedded in this batch: a bucket that waits goes live (all its events,
   waiting ones included, are embedded and join as new events) when it or a partner bucket has a
   title, or always when the mode is not lazy. Exact: an event meets the same titles whenever it
   is embedded, since a waiting bucket's partners had no titles so far (a partner that closed
   took its titles with it in every mode). Titles of a live bucket's partners are embedded too
   (lazy_select), as their buckets have events. */
void gold_mark_live_events(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        if (b->ev_live) {
            b->ev_jmark = b->ev_mark;
            continue;
        }
        bucket *partners[3];
        size_t np = gold_partner_buckets(r, b, partners);
        int go = r->pf_mode != PREFILTER_LAZY || bucket_partners_hold(partners, np, 1);
        b->ev_live = go;
        b->ev_jmark = go ? 0 : b->ne;
    }
}

/* Embeds the texts of the next batch before its write transaction begins, so that the model's
   time does not hold the store's write lock (ingest and refine write to the same file). The
   embedder caches vectors by exact text, so inside the transaction embed_new finds them ready
   (the prefetch decides nothing: a text it misses is embedded inside, one it embeds needlessly
   costs time only, so the pairs are those of prefilter = off whatever it does). Only worth it
   for the model: the fallback is cheaper to recompute. Best effort: on any error the batch
   simply embeds inside the transaction as before.

   The lazy mode decides here what the batch will embed, from the open buckets AND the batch's
   own rows (a pre-pass over their times, read as read_wiki / read_gdelt will): a row is
   embedded when its bucket or a partner bucket holds the other side, open or arriving in this
   batch; and an open bucket whose partner gets its first rows of the other side in this batch
   has its waiting rows embedded too (mark_live_events, lazy_select). The static cascade's
   title selection needs the batch's event vectors, so its titles stay inside. */

/* Bucket starts, few per batch (a linear set). */
typedef struct start_set {
    int64_t *v;
    size_t n, cap;
} start_set;

static int start_set_has(const start_set *s, int64_t start)
{
    for (size_t i = s->n; i-- > 0;)
        if (s->v[i] == start) return 1;
    return 0;
}

static int start_set_add(start_set *s, int64_t start)
{
    if (start_set_has(s, start)) return 0;
    if (grow_array(&s->v, &s->cap, s->n, sizeof *s->v, 16)) return -1;
    s->v[s->n++] = start;
    return 0;
}

/* Whether the bucket at start, or a partner (a neighbour when those are joined), holds titles
   (titles = 1) or events (0) in the open state, or gets some from the batch (arriving). */
static int partner_side_holds(run *r, int64_t start, int titles, const start_set *arriving)
{
    bucket *partners[3];
    size_t np = gold_partners_of(r, start, partners);
    if (bucket_partners_hold(partners, np, titles)) return 1;
    const int64_t w = r->s.bucket_seconds;
    const int64_t starts[3] = {start, start - w, start + w};
    for (int i = 0; i < (r->s.neighbours ? 3 : 1); i++)
        if (start_set_has(arriving, starts[i])) return 1;
    return 0;
}

/* One side's rows of the coming batch: composed text and bucket start, late rows left out. */
typedef struct batch_row {
    char *text;
    int64_t start;
    int64_t sid; /* events: the silver row, whose fields the reranker embeds too */
} batch_row;

typedef struct prefetch {
    char *texts[2048]; /* large calls: the embedder splits them over its threads evenly */
    size_t n;
    float *out;
    char err[WG_ERR_LEN];
} prefetch;

/* Queues a text (copied); encodes and forgets a full chunk. */
static void prefetch_add(run *r, prefetch *p, const char *text)
{
    if (!(p->texts[p->n] = strdup(text ? text : ""))) return;
    if (++p->n == sizeof p->texts / sizeof p->texts[0]) {
        embedder_encode(r->emb, (const char *const *)p->texts, p->n, p->out, p->err, sizeof p->err);
        while (p->n) free(p->texts[--p->n]);
    }
}

/* Reads one side's next batch_rows rows through the batch's own silver reader; rows the batch
   will not take into a bucket (bad time, late, not content, blank title) are left out. Returns
   the count, or -1. */
static long read_batch_rows(run *r, int titles, batch_row **out, buf *text)
{
    gold_silver_reader rd;
    gold_silver_row row;
    *out = NULL;
    if (gold_silver_open(r, titles, &rd)) return -1;
    batch_row *rows = NULL;
    size_t n = 0, cap = 0;
    long rc = 0;
    while (gold_silver_next(&rd, &row) == GOLD_READ_ROW) {
        const char *et = row.event_time;
        int64_t t;
        if (!et || time_parse_iso8601(et, &t) != 0) continue;
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        if (gold_is_late(r, start)) continue;
        int ok;
        if (titles) {
            if (!row.is_content || !row.title || !*row.title) continue;
            /* a title its open bucket already embedded: only its edit count moves */
            bucket *b = bucket_set_find(&r->st, start);
            long i = b ? bucket_title_find(b, row.wiki ? row.wiki : "", row.title) : -1;
            if (i >= 0 && b->titles[i].xrow >= 0) continue;
            ok = event_text_title(row.title, text) == 0;
        } else {
            ok = event_text_compose(&row.parts, r->s.fields, text) == 0;
        }
        if (ok && n == cap) {
            cap = cap ? cap * 2 : 256;
            batch_row *grown = realloc(rows, cap * sizeof *rows);
            if (grown) rows = grown;
            else ok = 0;
        }
        if (!ok || !(rows[n].text = strdup(text->data ? text->data : ""))) {
            rc = -1;
            break;
        }
        rows[n].sid = titles ? 0 : row.sid;
        rows[n++].start = start;
    }
    gold_silver_close(&rd);
    if (rc < 0) {
        while (n) free(rows[--n].text);
        free(rows);
        return -1;
    }
    *out = rows;
    return (long)n;
}

/* The reranker's field texts of an event that is about to be embedded (actors, place parts,
   slug): nearly every embedded event meets candidates, and rerank_pending would otherwise embed
   them inside the write transaction. */
static void prefetch_event_fields(run *r, prefetch *p, rerank_loader *loader, int64_t sid)
{
    if (!loader) return;
    rerank_event ev = {0};
    char err[WG_ERR_LEN];
    if (rerank_loader_get(loader, sid, &ev, err, sizeof err) == 0)
        for (size_t f = 0; f < ev.nfields; f++) prefetch_add(r, p, ev.field_text[f]);
    rerank_event_free(&ev);
}

void gold_prefetch_embeddings(run *r)
{
    if (embedder_is_fallback(r->emb)) return;
    prefetch p = {.n = 0};
    batch_row *rows[2] = {NULL, NULL}; /* [0] events, [1] titles */
    long nrows[2] = {0, 0};
    start_set arriving[2] = {{0}, {0}}; /* buckets the batch brings events / titles into */
    buf text = BUF_INIT;
    const int lazy = r->pf_mode == PREFILTER_LAZY;
    rerank_loader *loader = NULL;
    if (!(p.out = malloc(sizeof p.texts / sizeof p.texts[0] * EMBED_DIM * sizeof *p.out))) return;
    for (int side = 0; side < 2; side++) {
        if (side ? !r->have_wiki : !r->have_gdelt) continue;
        if (side == 1 && r->pf_mode == PREFILTER_STATIC) continue;
        if ((nrows[side] = read_batch_rows(r, side, &rows[side], &text)) < 0) goto out;
        for (long i = 0; i < nrows[side]; i++)
            if (start_set_add(&arriving[side], rows[side][i].start)) goto out;
    }
    /* The batch's rows that will be embedded (events with their reranker fields). */
    char lerr[WG_ERR_LEN];
    loader = r->s.rerank ? rerank_loader_open(r->db, 0, lerr, sizeof lerr) : NULL;
    for (int side = 0; side < 2; side++)
        for (long i = 0; i < nrows[side]; i++)
            if (!lazy || partner_side_holds(r, rows[side][i].start, !side, &arriving[!side])) {
                prefetch_add(r, &p, rows[side][i].text);
                if (side == 0) prefetch_event_fields(r, &p, loader, rows[side][i].sid);
            }
    /* Waiting rows of open buckets that this batch wakes: events of a bucket whose partner gets
       its first titles, titles of a bucket whose partner gets its first events. */
    for (size_t bi = 0; lazy && bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        if (!b->ev_live && b->ne && partner_side_holds(r, b->start, 1, &arriving[1]))
            for (size_t i = 0; i < b->ne; i++)
                if (b->ev_text[i]) {
                    prefetch_add(r, &p, b->ev_text[i]);
                    prefetch_event_fields(r, &p, loader, b->ev_sid[i]);
                }
        if (b->nt > b->nx && partner_side_holds(r, b->start, 0, &arriving[0]))
            for (size_t i = 0; i < b->nt; i++)
                if (b->titles[i].xrow < 0 && event_text_title(b->titles[i].title, &text) == 0)
                    prefetch_add(r, &p, text.data);
    }
    if (p.n) embedder_encode(r->emb, (const char *const *)p.texts, p.n, p.out, p.err, sizeof p.err);
out:
    rerank_loader_close(loader);
    while (p.n) free(p.texts[--p.n]);
    for (int side = 0; side < 2; side++) {
        for (long i = 0; i < nrows[side]; i++) free(rows[side][i].text);
        free(rows[side]);
        free(arriving[side].v);
    }
    buf_free(&text);
    free(p.out);
}
