/* The gold reranker: features of a candidate (event, page) pair and the logistic model over them
 * (rerank.h). The lexical rules here are mirrored line for line by tools/rerank/fit.py, which
 * fits the table below; tests/unit/test_rerank.c checks that both give the same score. */
#include "correlate/rerank.h"

#include "core/buf.h"
#include "correlate/event_text.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ----------------------------------------------------------------------------
 * Logistic regression (scikit-learn, L2, C = 10) fitted on the 174 candidate pairs (cosine >=
 * 0.20) of the 330-pair development set tests/data/labels_eventids.tsv, by
 *   /work/main/build/venv/bin/python tools/rerank/fit.py HOME/wikigdelt.db \
 *       MODEL_DIR/all-MiniLM-L6-v2 tests/data/labels_eventids.tsv
 * (HOME: both real GDELT exports ingested and refined), which prints this table, the
 * threshold (best F1 of the final fit) and the cross-validated figures in docs/gold.md. */
static const double rerank_intercept = -3.2689;
static const double rerank_coef[RERANK_NFEATURES] = {
    +2.9001, /* cos_text */
    +3.6996, /* cos_field_max */
    +2.1295, /* in_slug */
    -1.4832, /* word_overlap: given the phrase test and the cosines, a shared word alone is
                more often a shared name (New Mexico / Mexico) than a shared subject */
    -1.3561, /* qualifier_absent */
    -3.0324, /* year_mismatch */
};
/* The fit's best-F1 threshold is 0.30, but that reflects the labelled sets' prior (about one pair
   in five related). In a live window nearly every candidate is unrelated: on the replayed day
   (2024 news against 2015 titles, where the volume sample tests/data/labels_volume.tsv finds
   about 9 related pairs among 35,289 candidates) 0.30 emits 7,041 pairs, about 4 per event and
   nearly all false. The default is set at volume instead, not on any labelled F1: 0.45 emits
   1,393 pairs there, the false-pair volume of plain cosine at its default 0.40 (1,371), so the
   reranker reorders what is emitted without emitting more (figures: docs/gold.md, Accuracy). */
#define RERANK_DEFAULT_THRESHOLD 0.45
#define RERANK_DEFAULT_CANDIDATE 0.20

double rerank_model_score(const double f[RERANK_NFEATURES])
{
    double z = rerank_intercept;
    for (int i = 0; i < RERANK_NFEATURES; i++) z += rerank_coef[i] * f[i];
    return 1.0 / (1.0 + exp(-z));
}

/* ---- settings ---------------------------------------------------------------------------- */

int rerank_enabled(const config *cfg, const embedder *emb)
{
    /* The coefficients are fitted on MiniLM cosines; the fallback's cosines live on another
       scale, so it keeps plain cosine unless the setting forces the reranker on. */
    return config_get_bool(cfg, "correlate.rerank", emb && !embedder_is_fallback(emb));
}

double rerank_threshold(const config *cfg)
{
    return config_get_double(cfg, "correlate.rerank.threshold", RERANK_DEFAULT_THRESHOLD);
}

double rerank_candidate_threshold(const config *cfg)
{
    return config_get_double(cfg, "correlate.candidate_threshold", RERANK_DEFAULT_CANDIDATE);
}

int rerank_candidate_k(const config *cfg)
{
    return (int)config_get_int(cfg, "correlate.rerank.candidates", 20);
}

/* ---- words ------------------------------------------------------------------------------- */

#define MAX_TOKENS 128

typedef struct token {
    const char *p;
    size_t n;
} token;

typedef struct token_list {
    size_t n;
    token t[MAX_TOKENS];
    char *text; /* lower-cased copy that the tokens point into */
} token_list;

static int is_token_byte(unsigned char c)
{
    return (c < 0x80 && isalnum(c)) || c >= 0x80;
}

/* Runs of ASCII letters/digits or non-ASCII bytes, ASCII lower-cased; at most MAX_TOKENS (the
   rest of a very long text is ignored, the same in fit.py's use: titles and slugs are short). */
static int tokenize(const char *s, size_t len, token_list *out)
{
    out->n = 0;
    out->text = malloc(len + 1);
    if (!out->text) return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        out->text[i] = (char)(c < 0x80 ? tolower(c) : c);
    }
    out->text[len] = 0;
    size_t i = 0;
    while (i < len && out->n < MAX_TOKENS) {
        while (i < len && !is_token_byte((unsigned char)out->text[i])) i++;
        size_t st = i;
        while (i < len && is_token_byte((unsigned char)out->text[i])) i++;
        if (i > st) out->t[out->n++] = (token){out->text + st, i - st};
    }
    return 0;
}

static void tokens_free(token_list *l)
{
    free(l->text);
    l->text = NULL;
    l->n = 0;
}

static int token_eq(token a, token b)
{
    return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

static int is_stop_word(token t)
{
    static const char *const words[] = {"of", "the", "and", "in", "on", "at",
                                        "for", "to", "a", "an", "de", "la"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == t.n && !memcmp(words[i], t.p, t.n)) return 1;
    return 0;
}

static int list_has(const token_list *l, token t)
{
    for (size_t i = 0; i < l->n; i++)
        if (token_eq(l->t[i], t)) return 1;
    return 0;
}

/* ---- events ------------------------------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Copy of s[0..n) without surrounding white space. */
static char *trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    char *o = malloc(n + 1);
    if (!o) return NULL;
    memcpy(o, s, n);
    o[n] = 0;
    return o;
}

static int add_field(rerank_event *ev, char *text)
{
    if (!text) return -1;
    if (!*text || ev->nfields == RERANK_MAX_FIELDS) {
        free(text);
        return 0;
    }
    ev->field_text[ev->nfields++] = text;
    return 0;
}

int rerank_event_set(rerank_event *ev, const char *description, const char *actor1,
                     const char *actor2, const char *geo, const char *url, int64_t sqldate,
                     int64_t dateadded)
{
    memset(ev, 0, sizeof *ev);
    ev->description = dup_or_null(description);
    ev->actor1 = dup_or_null(actor1);
    ev->actor2 = dup_or_null(actor2);
    ev->geo = dup_or_null(geo);
    ev->url = dup_or_null(url);
    ev->years[0] = (int)(sqldate / 10000);
    ev->years[1] = (int)(dateadded / 10000000000LL);
    if ((description && !ev->description) || (actor1 && !ev->actor1) ||
        (actor2 && !ev->actor2) || (geo && !ev->geo) || (url && !ev->url))
        goto oom;
    /* The field texts the title is compared with one by one. Names are embedded as GDELT
       writes them (upper case): the model is uncased. */
    const char *actors[2] = {actor1, actor2};
    for (int i = 0; i < 2; i++)
        if (!event_text_blank(actors[i]) && add_field(ev, trimmed(actors[i], strlen(actors[i])))) goto oom;
    for (const char *p = geo; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (add_field(ev, trimmed(p, n))) goto oom;
        p = e ? e + 1 : p + n;
    }
    buf slug = BUF_INIT;
    if (event_text_url_words(url, &slug) != 0) {
        buf_free(&slug);
        goto oom;
    }
    ev->slug = buf_detach(&slug);
    buf_free(&slug);
    if (!ev->slug) ev->slug = strdup("");
    if (!ev->slug) goto oom;
    if (*ev->slug) {
        char *copy = strdup(ev->slug);
        if (add_field(ev, copy)) goto oom;
    }
    return 0;
oom:
    rerank_event_free(ev);
    return -1;
}

int rerank_event_load(sqlite3 *db, int by_event_id, int64_t id, rerank_event *ev, char *err,
                      size_t errlen)
{
    sqlite3_stmt *st;
    const char *sql = by_event_id
                          ? "SELECT event_description, Actor1Name, Actor2Name, ActionGeo_FullName,"
                            " SOURCEURL, SQLDATE, DATEADDED FROM gdelt_silver"
                            " WHERE GLOBALEVENTID = ?1"
                          : "SELECT event_description, Actor1Name, Actor2Name, ActionGeo_FullName,"
                            " SOURCEURL, SQLDATE, DATEADDED FROM gdelt_silver"
                            " WHERE silver_id = ?1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading gdelt_silver: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        snprintf(err, errlen, "reading gdelt_silver: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    rc = rerank_event_set(ev, (const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2),
                          (const char *)sqlite3_column_text(st, 3),
                          (const char *)sqlite3_column_text(st, 4), sqlite3_column_int64(st, 5),
                          sqlite3_column_int64(st, 6));
    sqlite3_finalize(st);
    if (rc) snprintf(err, errlen, "out of memory");
    return rc;
}

static int flush_fields(embedder *emb, const char **texts, float **dst, size_t *k, float *out,
                        char *err, size_t errlen)
{
    if (embedder_encode(emb, texts, *k, out, err, errlen) != 0) return -1;
    for (size_t j = 0; j < *k; j++) memcpy(dst[j], out + j * EMBED_DIM, EMBED_DIM * sizeof(float));
    *k = 0;
    return 0;
}

int rerank_events_embed(rerank_event *evs, size_t n, embedder *emb, char *err, size_t errlen)
{
    enum { CHUNK = 512 };
    const char *texts[CHUNK];
    float *dst[CHUNK];
    float *out = malloc((size_t)CHUNK * EMBED_DIM * sizeof *out);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rerank_event *ev = &evs[i];
        free(ev->field_vec);
        ev->field_vec = NULL;
        if (!ev->nfields) continue;
        ev->field_vec = malloc(ev->nfields * EMBED_DIM * sizeof *ev->field_vec);
        if (!ev->field_vec) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        for (size_t f = 0; f < ev->nfields && rc == 0; f++) {
            texts[k] = ev->field_text[f];
            dst[k++] = ev->field_vec + f * EMBED_DIM;
            if (k == CHUNK) rc = flush_fields(emb, texts, dst, &k, out, err, errlen);
        }
    }
    if (rc == 0 && k) rc = flush_fields(emb, texts, dst, &k, out, err, errlen);
    free(out);
    return rc;
}

int rerank_event_embed(rerank_event *ev, embedder *emb, char *err, size_t errlen)
{
    return rerank_events_embed(ev, 1, emb, err, errlen);
}

void rerank_event_free(rerank_event *ev)
{
    free(ev->description);
    free(ev->actor1);
    free(ev->actor2);
    free(ev->geo);
    free(ev->url);
    for (size_t i = 0; i < ev->nfields; i++) free(ev->field_text[i]);
    free(ev->field_vec);
    free(ev->slug);
    memset(ev, 0, sizeof *ev);
}

/* ---- features ---------------------------------------------------------------------------- */

/* Adds the tokens of s to set (up to MAX_TOKENS in all; later ones are dropped, never reached by real titles and slugs). */
static void set_add(token_list *set, const token_list *l)
{
    for (size_t i = 0; i < l->n && set->n < MAX_TOKENS; i++)
        if (!list_has(set, l->t[i])) set->t[set->n++] = l->t[i];
}

void rerank_features(const rerank_event *ev, const char *title, float cos_text,
                     const float *field_cos, double f[RERANK_NFEATURES])
{
    memset(f, 0, RERANK_NFEATURES * sizeof *f);
    f[0] = cos_text;
    for (size_t i = 0; i < ev->nfields; i++)
        if (i == 0 || field_cos[i] > f[1]) f[1] = field_cos[i];
    /* Title = core + optional " (qualifier)"; underscores are spaces (tokens ignore both). */
    size_t tlen = strlen(title), core_len = tlen, qual_off = tlen, qual_len = 0;
    if (tlen >= 4 && title[tlen - 1] == ')') {
        for (size_t i = tlen - 1; i-- > 0;) {
            if (title[i] == '(' && i > 0 && (title[i - 1] == ' ' || title[i - 1] == '_')) {
                core_len = i - 1;
                qual_off = i + 1;
                qual_len = tlen - 1 - qual_off;
                break;
            }
        }
    }
    token_list core = {0}, qual = {0}, whole = {0}, slug = {0};
    token_list parts[3] = {{0}};
    token_list evset = {0};
    if (tokenize(title, core_len, &core) || tokenize(title + qual_off, qual_len, &qual) ||
        tokenize(title, tlen, &whole) ||
        tokenize(ev->slug ? ev->slug : "", ev->slug ? strlen(ev->slug) : 0, &slug))
        goto out; /* out of memory: the lexical features stay 0 */
    const char *srcs[3] = {ev->actor1, ev->actor2, ev->geo};
    for (int i = 0; i < 3; i++)
        if (tokenize(srcs[i] ? srcs[i] : "", srcs[i] ? strlen(srcs[i]) : 0, &parts[i])) goto out;
    token_list desc = {0};
    if (tokenize(ev->description ? ev->description : "",
                 ev->description ? strlen(ev->description) : 0, &desc))
        goto out;
    set_add(&evset, &slug);
    for (int i = 0; i < 3; i++) set_add(&evset, &parts[i]);
    set_add(&evset, &desc);
    /* in_slug: the core's words as a contiguous phrase of the slug. */
    if (core.n && core.n <= slug.n)
        for (size_t s = 0; s + core.n <= slug.n && !f[2]; s++) {
            size_t k = 0;
            while (k < core.n && token_eq(slug.t[s + k], core.t[k])) k++;
            if (k == core.n) f[2] = 1;
        }
    /* word_overlap: share of the core's content words that the event mentions. */
    size_t content = 0, found = 0;
    for (size_t i = 0; i < core.n; i++) {
        if (is_stop_word(core.t[i])) continue;
        content++;
        found += (size_t)list_has(&evset, core.t[i]);
    }
    f[3] = content ? (double)found / (double)content : 0.0;
    /* qualifier_absent: a qualifier none of whose content words the event mentions. */
    size_t qcontent = 0, qfound = 0;
    for (size_t i = 0; i < qual.n; i++) {
        if (is_stop_word(qual.t[i])) continue;
        qcontent++;
        qfound += (size_t)list_has(&evset, qual.t[i]);
    }
    f[4] = qcontent && !qfound;
    /* year_mismatch: a four-digit year 1800..2099 in the title that is not the event's. */
    int any_year = 0, match = 0;
    for (size_t i = 0; i < whole.n; i++) {
        token t = whole.t[i];
        if (t.n != 4) continue;
        int y = 0, digits = 1;
        for (size_t k = 0; k < 4; k++) {
            if (!isdigit((unsigned char)t.p[k])) digits = 0;
            else y = y * 10 + (t.p[k] - '0');
        }
        if (!digits || y < 1800 || y > 2099) continue;
        any_year = 1;
        if (y == ev->years[0] || y == ev->years[1]) match = 1;
    }
    f[5] = any_year && !match;
    tokens_free(&desc);
out:
    tokens_free(&core);
    tokens_free(&qual);
    tokens_free(&whole);
    tokens_free(&slug);
    for (int i = 0; i < 3; i++) tokens_free(&parts[i]);
}

double rerank_pair_score(const rerank_event *ev, const char *title, const float *title_vec,
                         float cos_text)
{
    float field_cos[RERANK_MAX_FIELDS];
    for (size_t i = 0; i < ev->nfields; i++) {
        float s = 0;
        const float *v = ev->field_vec + i * EMBED_DIM;
        for (int d = 0; d < EMBED_DIM; d++) s += v[d] * title_vec[d];
        field_cos[i] = s;
    }
    double f[RERANK_NFEATURES];
    rerank_features(ev, title, cos_text, field_cos, f);
    return rerank_model_score(f);
}
