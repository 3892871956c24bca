/* The gold reranker: features of a candidate (event, page) pair (rerank.h); the fitted model over
 * them is in rerank_model.c. The lexical rules here are mirrored line for line by
 * tools/rerank/fit.py; tests/unit/test_rerank.c checks that both give the same score. */
#include "correlate/rerank.h"

#include "core/buf.h"
#include "core/settings.h"
#include "correlate/countries.h"
#include "correlate/country_names.h"
#include "correlate/event_text.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- settings ---------------------------------------------------------------------------- */

int rerank_enabled(const config *cfg, const embedder *emb)
{
    /* The coefficients are fitted on MiniLM cosines; the fallback's cosines live on another
       scale, so it keeps plain cosine unless the setting forces the reranker on. */
    return config_get_bool(cfg, "correlate.rerank", emb && !embedder_is_fallback(emb));
}

double rerank_threshold(const config *cfg)
{
    return setting_double(cfg, "correlate.rerank.threshold");
}

double rerank_candidate_threshold(const config *cfg)
{
    return setting_double(cfg, "correlate.candidate_threshold");
}

int rerank_candidate_k(const config *cfg)
{
    return (int)setting_int(cfg, "correlate.rerank.candidates");
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

/* Copies a code into its fixed array; one that does not fit (not a CAMEO/FIPS code) stays
   empty so that it matches nothing. */
static void copy_code(char *dst, size_t cap, const char *src)
{
    dst[0] = 0;
    if (src && strlen(src) < cap) memcpy(dst, src, strlen(src) + 1);
}

int rerank_event_set(rerank_event *ev, const char *description, const char *actor1,
                     const char *actor2, const char *geo, const char *url, int64_t sqldate,
                     int64_t dateadded, const rerank_coded *coded)
{
    memset(ev, 0, sizeof *ev);
    if (coded) {
        for (int a = 0; a < 2; a++) {
            copy_code(ev->actor_country[a], sizeof ev->actor_country[a], coded->actor_country[a]);
            for (int t = 0; t < 3; t++)
                copy_code(ev->actor_type[a][t], sizeof ev->actor_type[a][t], coded->actor_type[a][t]);
        }
        copy_code(ev->geo_country, sizeof ev->geo_country, coded->geo_country);
        copy_code(ev->event_root, sizeof ev->event_root, coded->event_root);
        ev->geo_type = coded->geo_type >= 0 && coded->geo_type <= 5 ? coded->geo_type : 0;
    }
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

/* ---- structured features ------------------------------------------------------------------ */

/* If the words of phrase[0..len) (the tokenizer's rule, ASCII lower-cased) are the first words of
   t[0..n): their number, else 0 (also for a phrase without words). Needs no allocation, so the
   country table is searched in place. */
static size_t phrase_prefix(const token *t, size_t n, const char *phrase, size_t len)
{
    size_t k = 0, i = 0;
    while (i < len) {
        while (i < len && !is_token_byte((unsigned char)phrase[i])) i++;
        size_t st = i;
        while (i < len && is_token_byte((unsigned char)phrase[i])) i++;
        if (i == st) break;
        if (k == n || t[k].n != i - st) return 0;
        for (size_t j = 0; j < i - st; j++) {
            unsigned char c = (unsigned char)phrase[st + j];
            if ((char)(c < 0x80 ? tolower(c) : c) != t[k].p[j]) return 0;
        }
        k++;
    }
    return k;
}

/* Calls test for each ';'-separated item of list; 1 as soon as one passes. */
static int any_item(const char *list, int (*test)(const token_list *, const char *, size_t),
                    const token_list *l)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (test(l, p, n)) return 1;
        p = e ? e + 1 : p + n;
    }
    return 0;
}

/* The whole of l is the phrase. */
static int is_phrase(const token_list *l, const char *ph, size_t n)
{
    return l->n && phrase_prefix(l->t, l->n, ph, n) == l->n;
}

/* The phrase occurs in l. */
static int has_phrase(const token_list *l, const char *ph, size_t n)
{
    for (size_t s = 0; s < l->n; s++)
        if (phrase_prefix(l->t + s, l->n - s, ph, n)) return 1;
    return 0;
}

/* Actor type codes of a national body (CAMEO): government, military, legislature, judiciary,
   elites, intelligence. */
static int is_national_type(const char *code)
{
    static const char *const types[] = {"GOV", "MIL", "LEG", "JUD", "ELI", "SPY"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(code, types[i])) return 1;
    return 0;
}

/* Rows named by the title's words (countries.h: country_rows_named), up to cap; how many. */
static size_t title_country_rows(const token_list *title, size_t *rows, size_t cap)
{
    if (!title->n) return 0;
    char key[512];
    size_t o = 0;
    for (size_t k = 0; k < title->n; k++) {
        if (o + title->t[k].n + 2 > sizeof key) return 0; /* longer than any country's name */
        if (k) key[o++] = ' ';
        memcpy(key + o, title->t[k].p, title->t[k].n);
        o += title->t[k].n;
    }
    key[o] = '\0';
    return country_rows_named(key, rows, cap);
}

/* Features 6..8 (rerank.h). title: all the title's words, qualifier included (a country is
   "Canada" or "Georgia (country)", never "Georgia (U.S. state)"); geos: ActionGeo_FullName's
   parts; slug: the headline's words. */
static void structured_features(const rerank_event *ev, const token_list *title,
                                const size_t *local_rows, size_t nlocal, const token_list *geos,
                                size_t ngeos, const token_list *slug, double *f)
{
    if (!title->n) return;
    /* The title names the row in English (whatever its wiki: "Canada" is also the page's title
       in fr, vi...), or it is the row's page in its wiki's language (Syrien). */
    size_t named[2 * COUNTRY_MAX_ROWS + 8];
    size_t nnamed = title_country_rows(title, named, sizeof named / sizeof *named - nlocal);
    /* a row met twice only sets its flags again */
    for (size_t k = 0; k < nlocal; k++) named[nnamed++] = local_rows[k];
    for (size_t r = 0; r < nnamed; r++) {
        size_t c = named[r];
        const country_entry *e = &country_table[c];
        /* National: the country's government, armed forces, courts... act (by type code), or
           the geocoder put the event at the seat of its government (GDELT geocodes "the
           federal government" to the capital). An actor named after the country is not enough:
           GDELT names "UNITED STATES" the actor of many a local story. */
        int national = 0;
        for (int a = 0; a < 2; a++)
            if (!strcmp(ev->actor_country[a], e->cameo))
                for (int t = 0; t < 3; t++) national |= is_national_type(ev->actor_type[a][t]);
        int in_country = *e->fips && !strcmp(ev->geo_country, e->fips);
        if (in_country)
            for (size_t g = 0; g < ngeos && !national; g++)
                national |= any_item(e->seats, is_phrase, &geos[g]);
        if (national) f[0] = 1; /* country_national */
        /* Local: geocoded inside the country below the national level, and not national. */
        if (in_country && ev->geo_type >= 2 && ev->geo_type <= 5 && !national) f[1] = 1;
        if (any_item(e->names, has_phrase, slug) || any_item(e->adjectives, has_phrase, slug))
            f[2] = 1; /* country_slug */
    }
}

/* ---- kinds of event ---------------------------------------------------------------------- */

/* The words by which a news story's own article names its kind of event, and the CAMEO roots of
   that kind ("" : none, known by the slug only). A word is one token of the tokenizer (ASCII
   lower case). tools/rerank/fit.py reads this table from here: keep one row per line. */
static const struct rerank_kind {
    const char *words, *roots;
} rerank_kinds[] = {
    {"assassination;assassinated;assassin;shooting;shootings;shot;shooter;gunman;gunmen;gunfire;killing;killings;killed;murder;murders;murdered;stabbing;stabbings;attack;attacks;attacked;bombing;bombings;bomb;bombs;massacre;explosion;explosions;blast;hostage;hostages;ambush;terrorist;terrorism;airstrike;airstrikes", "18;19;20"},
    {"war;wars;invasion;offensive;battle;siege;ceasefire;conflict;insurgency;clashes;fighting", "19;20"},
    {"protest;protests;protesters;protestors;demonstration;demonstrations;riot;riots;unrest;uprising;march", "14"},
    {"election;elections;elected;referendum;primary;primaries;campaign;convention;inauguration;vote;votes;voting;voters;ballot;poll;polls;candidate;nominee;nomination", ""},
    {"summit;talks;visit;meeting;negotiations;treaty;agreement;accord;deal;conference;diplomatic", "03;04;05;06"},
    {"trial;trials;indictment;indicted;prosecution;lawsuit;lawsuits;sued;court;verdict;conviction;convicted;sentenced;sentencing;arrest;arrested;impeachment;pardon;pardons;investigation;charges;charged;jury;judge", "11;17"},
    {"earthquake;earthquakes;quake;flood;floods;flooding;floodwaters;hurricane;typhoon;cyclone;storm;storms;wildfire;wildfires;blaze;heatwave;tornado;tornadoes;landslide;landslides;eruption;volcano;drought;tsunami;avalanche", ""},
    {"crash;crashes;crashed;derailment;collision;collapse;collapsed;accident;sinking;sank;shipwreck;disaster", ""},
    {"sanctions;sanction;tariff;tariffs;embargo;trade", "16"},
    {"outbreak;pandemic;epidemic;virus;measles;cholera", ""},
};
enum { RERANK_NKINDS = sizeof rerank_kinds / sizeof rerank_kinds[0] };

/* The token t is one of the ';'-separated words. */
static int word_in(const char *words, token t)
{
    for (const char *p = words; *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == t.n && !memcmp(p, t.p, n)) return 1;
        p = e ? e + 1 : p + n;
    }
    return 0;
}

static int any_word_in(const char *words, const token_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (word_in(words, l->t[i])) return 1;
    return 0;
}

/* kind_match and kind_other (rerank.h) of a title's words against the event's root and slug. */
static void kind_features(const rerank_event *ev, const token_list *title, const token_list *slug,
                          double *match, double *other)
{
    int any = 0, hit = 0;
    for (size_t k = 0; k < RERANK_NKINDS && !hit; k++) {
        if (!any_word_in(rerank_kinds[k].words, title)) continue;
        any = 1;
        token root = {ev->event_root, strlen(ev->event_root)};
        hit = (root.n && word_in(rerank_kinds[k].roots, root)) ||
              any_word_in(rerank_kinds[k].words, slug);
    }
    *match = hit;
    *other = any && !hit;
}

/* Four ASCII digits (a year, or a number read as one). */
static int is_year_like(token t)
{
    if (t.n != 4) return 0;
    for (size_t k = 0; k < 4; k++)
        if (!isdigit((unsigned char)t.p[k])) return 0;
    return 1;
}

/* entity_in_title: one of the event's names (actor, geo part) is a phrase of the title's core,
   which has more words than it. A name of stop words only ("the") counts for nothing. */
static int entity_in_title(const token_list *const *names, size_t nnames, const token_list *core)
{
    for (size_t i = 0; i < nnames; i++) {
        const token_list *x = names[i];
        size_t content = 0;
        for (size_t k = 0; k < x->n; k++) content += !is_stop_word(x->t[k]);
        if (!content || x->n >= core->n) continue;
        for (size_t s = 0; s + x->n <= core->n; s++) {
            size_t k = 0;
            while (k < x->n && token_eq(core->t[s + k], x->t[k])) k++;
            if (k == x->n) return 1;
        }
    }
    return 0;
}

/* ---- entities of a story ----------------------------------------------------------------- */

/* ASCII lower case of the Latin-1 letters U+00C0..U+00FF (UTF-8 C3 80..C3 BF); '.' keeps the
   bytes (x, /, thorn). fit.py's FOLD is the same string. */
static const char fold_latin1[] = "aaaaaaaceeeeiiiidnooooo.ouuuuy.saaaaaaaceeeeiiiidnooooo.ouuuuy.y";

/* Folds every token of l in place ("andrés" -> "andres"): a folded token is never longer. */
static void fold_tokens(token_list *l)
{
    for (size_t k = 0; k < l->n; k++) {
        char *p = (char *)l->t[k].p;
        size_t n = l->t[k].n, o = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c == 0xC3 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
                (unsigned char)p[i + 1] <= 0xBF && fold_latin1[(unsigned char)p[i + 1] - 0x80] != '.') {
                p[o++] = fold_latin1[(unsigned char)p[i + 1] - 0x80];
                i++;
            } else {
                p[o++] = (char)c;
            }
        }
        l->t[k].n = o;
    }
}

static int is_kind_word(token t)
{
    for (size_t k = 0; k < RERANK_NKINDS; k++)
        if (word_in(rerank_kinds[k].words, t)) return 1;
    return 0;
}

/* name_in_event, words_in_event, story_entity, entity_clean (f[0..3]; rerank.h) of folded token
   lists: the title's core and all its words, the slug, Actor1Name, Actor2Name, the geo. */
static void entity_features(const token_list *core, int has_qual, const token_list *whole,
                            const token_list *slug, const token_list *a1, const token_list *a2,
                            const token_list *geo, int year_mismatch, int kind_other, double *f)
{
    const token_list *ev[4] = {slug, a1, a2, geo};
#define IN_EVENT(t) (list_has(ev[0], (t)) || list_has(ev[1], (t)) || list_has(ev[2], (t)) || \
                     list_has(ev[3], (t)))
    /* A person's name: two or three words, no stop word ("Economy of Iran" is not one), whose
       last word (the surname) is a word of the slug or an actor name. */
    int name = 0, stop = 0;
    for (size_t i = 0; i < core->n; i++) stop |= is_stop_word(core->t[i]);
    if (core->n >= 2 && core->n <= 3 && !has_qual && !stop) {
        token last = core->t[core->n - 1];
        name = last.n >= 4 && !is_kind_word(last) && !is_year_like(last) &&
               (list_has(slug, last) || list_has(a1, last) || list_has(a2, last));
    }
    size_t content = 0, found = 0;
    for (size_t i = 0; i < core->n; i++) {
        if (is_stop_word(core->t[i])) continue;
        content++;
        found += (size_t)IN_EVENT(core->t[i]);
    }
    int kind = 0, shared = 0;
    for (size_t i = 0; i < whole->n; i++) {
        token t = whole->t[i];
        int k = is_kind_word(t);
        kind |= k;
        if (!k && !is_stop_word(t) && !is_year_like(t) && t.n >= 3 && IN_EVENT(t)) shared = 1;
    }
#undef IN_EVENT
    int story = kind && shared;
    f[0] = name;
    f[1] = content && found == content;
    f[2] = story;
    f[3] = (name || story) && !year_mismatch && !kind_other;
}

/* ---- features ---------------------------------------------------------------------------- */

/* Adds the tokens of s to set (up to MAX_TOKENS in all; later ones are dropped, never reached by real titles and slugs). */
static void set_add(token_list *set, const token_list *l)
{
    for (size_t i = 0; i < l->n && set->n < MAX_TOKENS; i++)
        if (!list_has(set, l->t[i])) set->t[set->n++] = l->t[i];
}

void rerank_features(const rerank_event *ev, const char *wiki, const char *title, float cos_text,
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
    f[11] = any_year && match; /* year_match */
    kind_features(ev, &whole, &slug, &f[9], &f[10]);
    /* title_novel: a word of the title (qualifier included) that the event never mentions,
       stop words, words of a kind of event and four-digit numbers aside. */
    for (size_t i = 0; i < whole.n && !f[13]; i++) {
        token t = whole.t[i];
        if (is_stop_word(t) || is_year_like(t)) continue;
        int kind = 0;
        for (size_t k = 0; k < RERANK_NKINDS && !kind; k++) kind = word_in(rerank_kinds[k].words, t);
        if (!kind && !list_has(&evset, t)) f[13] = 1;
    }
    /* The structured features compare the title with each part of the geo on its own. */
    token_list geos[RERANK_MAX_FIELDS];
    size_t ngeos = 0;
    int geo_ok = 1;
    for (const char *p = ev->geo; p && *p && ngeos < RERANK_MAX_FIELDS;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (tokenize(p, n, &geos[ngeos])) {
            geo_ok = 0;
            break;
        }
        ngeos++;
        p = e ? e + 1 : p + n;
    }
    size_t local_rows[COUNTRY_MAX_ROWS];
    size_t nlocal = country_page_rows(wiki, title, local_rows);
    if (geo_ok) structured_features(ev, &whole, local_rows, nlocal, geos, ngeos, &slug, f + 6);
    /* entity_in_title: the actors and each part of the geo. */
    if (geo_ok) {
        const token_list *names[2 + RERANK_MAX_FIELDS]; /* pointers: a list is 2 KiB */
        size_t nn = 0;
        names[nn++] = &parts[0];
        names[nn++] = &parts[1];
        for (size_t i = 0; i < ngeos; i++) names[nn++] = &geos[i];
        f[12] = entity_in_title(names, nn, &core);
    }
    for (size_t i = 0; i < ngeos; i++) tokens_free(&geos[i]);
    tokens_free(&desc);
    /* the entity features compare folded words (last: folding rewrites the lists in place) */
    fold_tokens(&core);
    fold_tokens(&whole);
    fold_tokens(&slug);
    for (int i = 0; i < 3; i++) fold_tokens(&parts[i]);
    entity_features(&core, qual_len > 0, &whole, &slug, &parts[0], &parts[1], &parts[2],
                    f[5] != 0, f[10] != 0, f + 14);
out:
    tokens_free(&core);
    tokens_free(&qual);
    tokens_free(&whole);
    tokens_free(&slug);
    for (int i = 0; i < 3; i++) tokens_free(&parts[i]);
}

double rerank_pair_score(const rerank_event *ev, const char *wiki, const char *title,
                         const float *event_vec, const float *title_vec, float cos_text)
{
    float field_cos[RERANK_MAX_FIELDS];
    for (size_t i = 0; i < ev->nfields; i++) {
        float s = 0;
        const float *v = ev->field_vec + i * EMBED_DIM;
        for (int d = 0; d < EMBED_DIM; d++) s += v[d] * title_vec[d];
        field_cos[i] = s;
    }
    double f[RERANK_NFEATURES];
    rerank_features(ev, wiki, title, cos_text, field_cos, f);
    double z = rerank_model_logit(f);
    if (event_vec) z += rerank_product_term(event_vec, title_vec);
    return 1.0 / (1.0 + exp(-z));
}

size_t rerank_event_countries(const rerank_event *ev, size_t *rows, size_t cap)
{
    return country_rows_of_codes(ev->actor_country[0], ev->actor_country[1], ev->geo_country,
                                 rows, cap);
}

int rerank_country_candidate(const rerank_event *ev, const char *wiki, const char *title)
{
    size_t page[COUNTRY_MAX_ROWS], evr[8];
    size_t np = country_page_rows(wiki, title, page);
    if (!np) return 0;
    size_t ne = rerank_event_countries(ev, evr, 8);
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < ne; j++)
            if (page[i] == evr[j]) return 1;
    return 0;
}
