/* The open buckets' in-memory state (gold_buckets.h): no SQLite here. */
#include "correlate/gold_buckets.h"

#include "core/grow.h"
#include "correlate/country_names.h"
#include "correlate/countries.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(const char *wiki, const char *title)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)wiki; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static void bucket_free(bucket *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->nt; i++) {
        free(b->titles[i].wiki);
        free(b->titles[i].title);
    }
    for (size_t i = 0; i < b->ne; i++) free(b->ev_text ? b->ev_text[i] : NULL);
    free(b->ev_sid);
    free(b->ev_vec);
    free(b->ev_floor);
    free(b->ev_pairs);
    free(b->ev_text);
    free(b->titles);
    free(b->t_svec);
    free(b->x_title);
    free(b->x_vec);
    free(b->slots);
    for (size_t i = 0; i < country_table_n; i++) {
        if (b->country_titles) free(b->country_titles[i].v);
        if (b->country_events) free(b->country_events[i].v);
    }
    free(b->country_titles);
    free(b->country_events);
    free(b);
}

/* Appends item to (*idx)[row], allocating the per-row array on first use. -1 out of memory. */
static int row_index_add(row_index **idx, size_t row, uint32_t item)
{
    if (row >= country_table_n) return 0;
    if (!*idx && !(*idx = calloc(country_table_n, sizeof **idx))) return -1;
    row_index *ri = &(*idx)[row];
    if (ri->n && ri->v[ri->n - 1] == item) return 0; /* the same item through another code */
    if (ri->n == ri->cap) {
        uint32_t cap = ri->cap ? ri->cap * 2 : 4;
        uint32_t *v = realloc(ri->v, cap * sizeof *v);
        if (!v) return -1;
        ri->v = v;
        ri->cap = cap;
    }
    ri->v[ri->n++] = item;
    return 0;
}

void bucket_set_free(bucket_set *s)
{
    for (size_t i = 0; i < s->n; i++) bucket_free(s->b[i]);
    free(s->b);
    memset(s, 0, sizeof *s);
}

bucket *bucket_set_find(bucket_set *s, int64_t start)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i]->start == start) return s->b[i];
    return NULL;
}

bucket *bucket_set_add(bucket_set *s, int64_t start, int sdim)
{
    if (grow_array(&s->b, &s->cap, s->n, sizeof *s->b, 8)) return NULL;
    bucket *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->start = start;
    b->sdim = sdim;
    time_format(start, b->start_text);
    s->b[s->n++] = b;
    return b;
}

void bucket_set_remove(bucket_set *s, bucket *b)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i] == b) {
            s->b[i] = s->b[--s->n];
            break;
        }
    bucket_free(b);
}

/* The capacity (doubling from 256) that holds need elements. */
static size_t grown_cap(size_t cap, size_t need)
{
    cap = cap ? cap : 256;
    while (cap < need) cap *= 2;
    return cap;
}

static int event_reserve(bucket *b, size_t need)
{
    if (need <= b->ecap) return 0;
    size_t cap = grown_cap(b->ecap, need);
    if (grow_to(&b->ev_sid, cap, sizeof *b->ev_sid) ||
        grow_to(&b->ev_vec, cap, EMBED_DIM * sizeof *b->ev_vec) ||
        grow_to(&b->ev_floor, cap, sizeof *b->ev_floor) ||
        grow_to(&b->ev_pairs, cap, sizeof *b->ev_pairs) ||
        grow_to(&b->ev_text, cap, sizeof *b->ev_text))
        return -1;
    b->ecap = cap;
    return 0;
}

/* codes: Actor1CountryCode, Actor2CountryCode, ActionGeo_CountryCode (any NULL). */
int bucket_event_add(bucket *b, int64_t sid, const float *vec, char *text,
                     const char *const codes[3])
{
    if (event_reserve(b, b->ne + 1) != 0) return -1;
    size_t rows[8];
    size_t nrows = codes ? country_rows_of_codes(codes[0], codes[1], codes[2], rows, 8) : 0;
    for (size_t k = 0; k < nrows; k++)
        if (row_index_add(&b->country_events, rows[k], (uint32_t)b->ne) != 0) return -1;
    size_t i = b->ne++;
    b->ev_sid[i] = sid;
    if (vec) memcpy(b->ev_vec + i * EMBED_DIM, vec, EMBED_DIM * sizeof(float));
    b->ev_floor[i] = -2.0f;
    b->ev_pairs[i] = 0;
    b->ev_text[i] = text;
    return 0;
}

/* The events of b embedded before the current batch (they join only the batch's new titles). */
size_t bucket_ev_old(const bucket *b)
{
    return b->ev_live ? b->ev_jmark : 0;
}

static int slots_grow(bucket *b)
{
    size_t n = b->nslots ? b->nslots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < b->nt; i++) {
        size_t h = (size_t)key_hash(b->titles[i].wiki, b->titles[i].title) & (n - 1);
        while (s[h]) h = (h + 1) & (n - 1);
        s[h] = (uint32_t)(i + 1);
    }
    free(b->slots);
    b->slots = s;
    b->nslots = n;
    return 0;
}

/* Index of (wiki, title) in the bucket, or -1. */
long bucket_title_find(const bucket *b, const char *wiki, const char *title)
{
    if (!b->nslots) return -1;
    size_t h = (size_t)key_hash(wiki, title) & (b->nslots - 1);
    while (b->slots[h]) {
        const title_entry *t = &b->titles[b->slots[h] - 1];
        if (!strcmp(t->wiki, wiki) && !strcmp(t->title, title)) return (long)(b->slots[h] - 1);
        h = (h + 1) & (b->nslots - 1);
    }
    return -1;
}

int bucket_exact_reserve(bucket *b, size_t need)
{
    if (need <= b->xcap) return 0;
    size_t cap = grown_cap(b->xcap, need);
    if (grow_to(&b->x_title, cap, sizeof *b->x_title) ||
        grow_to(&b->x_vec, cap, EMBED_DIM * sizeof *b->x_vec))
        return -1;
    b->xcap = cap;
    return 0;
}

/* Appends an exact row for title i and returns it (its vector is the caller's to fill). Rows
   returned earlier move unless bucket_exact_reserve made room for them all first. */
float *bucket_exact_row_add(bucket *b, size_t i)
{
    if (bucket_exact_reserve(b, b->nx + 1) != 0) return NULL;
    b->x_title[b->nx] = (uint32_t)i;
    b->titles[i].xrow = (long)b->nx;
    return b->x_vec + b->nx++ * EMBED_DIM;
}

/* vec: the title's model vector when it has one (from the store), else NULL (embedded later,
   if the prefilter selects it). */
long bucket_title_add(bucket *b, const char *wiki, const char *title, int64_t edits,
                      int64_t first_sid, int64_t last_sid, const float *vec)
{
    if ((b->nt + 1) * 2 > b->nslots && slots_grow(b) != 0) return -1;
    if (b->nt == b->tcap) {
        size_t cap = b->tcap ? b->tcap * 2 : 256;
        title_entry *t = realloc(b->titles, cap * sizeof *t);
        if (!t) return -1;
        b->titles = t;
        if (b->sdim) {
            float *v = realloc(b->t_svec, cap * (size_t)b->sdim * sizeof *v);
            if (!v) return -1;
            b->t_svec = v;
        }
        b->tcap = cap;
    }
    title_entry *t = &b->titles[b->nt];
    memset(t, 0, sizeof *t);
    t->wiki = strdup(wiki);
    t->title = strdup(title);
    if (!t->wiki || !t->title) {
        free(t->wiki);
        free(t->title);
        return -1;
    }
    t->edit_count = edits;
    t->first_sid = first_sid;
    t->last_sid = last_sid;
    t->xrow = -1;
    if (vec) {
        float *row = bucket_exact_row_add(b, b->nt);
        if (!row) {
            free(t->wiki);
            free(t->title);
            return -1;
        }
        memcpy(row, vec, EMBED_DIM * sizeof(float));
    }
    size_t rows[COUNTRY_MAX_ROWS];
    size_t nrows = country_page_rows(wiki, title, rows);
    for (size_t k = 0; k < nrows; k++)
        if (row_index_add(&b->country_titles, rows[k], (uint32_t)b->nt) != 0) {
            free(t->wiki);
            free(t->title);
            return -1;
        }
    size_t h = (size_t)key_hash(wiki, title) & (b->nslots - 1);
    while (b->slots[h]) h = (h + 1) & (b->nslots - 1);
    b->slots[h] = (uint32_t)(b->nt + 1);
    return (long)b->nt++;
}

/* Whether any of the buckets holds titles (titles = 1) or events (titles = 0). */
int bucket_partners_hold(bucket *const *partners, size_t np, int titles)
{
    for (size_t k = 0; k < np; k++)
        if (titles ? partners[k]->nt > 0 : partners[k]->ne > 0) return 1;
    return 0;
}

size_t bucket_set_partners(bucket_set *s, int64_t start, int64_t width, int neighbours,
                           bucket *out[3])
{
    const int64_t starts[3] = {start, start - width, start + width};
    size_t n = 0;
    for (int i = 0; i < (neighbours ? 3 : 1); i++) {
        bucket *p = bucket_set_find(s, starts[i]);
        if (p) out[n++] = p;
    }
    return n;
}
