/* Second-stage scorer of the gold correlation. The first stage (cosine of the composed event text
 * and the page title >= correlate.candidate_threshold) keeps nearly every related pair but also
 * the pages that only share a name with the event (Athens vs. Athens, Texas; the 1964 Republican
 * National Convention for the 2024 one). The reranker scores each candidate with a logistic
 * regression over cheap, explainable features, six from the texts:
 *   cos_text          cosine of the title and the composed event text (the first stage's score)
 *   cos_field_max     best cosine of the title and one of the event's fields on its own: Actor1Name,
 *                     Actor2Name, each comma-separated part of ActionGeo_FullName, the URL slug
 *   in_slug           the title (without a parenthetical qualifier) occurs as a phrase in the slug
 *   word_overlap      fraction of the title's words (stop words aside) found in the event's fields
 *   qualifier_absent  the title's qualifier ("Massachusetts (Bee Gees song)") shares no word
 *                     with the event
 *   year_mismatch     the title names a year that is neither the event's SQLDATE nor its
 *                     DATEADDED year
 * and three from GDELT's coded fields, for pages about a country: the labelling rule of
 * tests/data/README.md counts a country page only for that country's national affairs, never for
 * a local story inside it. "The title's country" is a country_table entry (countries.h) one of
 * whose names is the title (qualifier included), or whose name in the title's wiki's language
 * it is (country_names.h: Syrien on dewiki):
 *   country_national  an actor of the title's country (Actor*CountryCode) is a national body
 *                     (Actor*Type*Code GOV, MIL, LEG, JUD, ELI or SPY), or the event is geocoded
 *                     in that country at a seat of its government (a part of ActionGeo_FullName
 *                     is one of the country's seats: Ottawa; District of Columbia, White House)
 *   country_local     the title's country is the ActionGeo country (ActionGeo_CountryCode) at a
 *                     sub-national level (ActionGeo_Type 2..5) and the event is not national
 *   country_slug      the slug names the title's country (a name or an adjective: "us", "uk",
 *                     "canadian")
 * and five that know a news story's own article ("Attempted assassination of Donald Trump",
 * "2024 Bangladesh floods"), whose subject is the event itself rather than one of its names:
 *   kind_match        the title has a word of a kind of event (assassination, shooting, flood,
 *                     election, summit, trial, ...: rerank_kinds in rerank.c) and the event is of
 *                     that kind: its CAMEO root is one of the kind's, or its slug has a word of
 *                     the same kind
 *   kind_other        the title has a word of a kind of event and the event is of none of them
 *   year_match        the title names the event's year (SQLDATE's or DATEADDED's)
 *   entity_in_title   an actor name or a part of the geo is a phrase of the title, which says
 *                     more than that name (a story about it, not the name's own page)
 *   title_novel       the title has a word the event never mentions (stop words, kind words and
 *                     four-digit numbers aside): "Bill Haley" for a Nikki Haley story,
 *                     "Milwaukee Brewers" for the convention in Milwaukee
 * and four about the story's entities (computed on words whose Latin-1 letters are folded to
 * ASCII, "López" = "LOPEZ"):
 *   name_in_event     a person's surname: the title is two or three words without qualifier or
 *                     stop word, and its last word (>= 4 letters, not a kind or year word) occurs
 *                     as a word of the slug or an actor name
 *   words_in_event    every content word of the title's core occurs in the slug, the actors or
 *                     the geo
 *   story_entity      the title has a kind word and shares another word (>= 3 letters, not a
 *                     stop word or a year) with the slug, the actors or the geo
 *   entity_clean      name_in_event or story_entity, and neither year_mismatch nor kind_other
 * Beside the features, the logit has a term of the two unit vectors themselves: sum over the 384
 * dimensions of a fitted weight times the event text's and the title's components (a learned
 * weighting of cos_text: rerank_product_term).
 * The coefficients are fitted on MiniLM cosines by tools/rerank/fit.py (rerank_model.c), so the
 * reranker is only used with the real model. Settings:
 *   correlate.rerank                (bool; default on with the model, off with the hash fallback)
 *   correlate.rerank.threshold      (score in 0..1 that a candidate must reach; default 0.48)
 *   correlate.candidate_threshold   (first-stage cosine; default 0.20; the pages of the event's
 *                                    countries in the titles' languages are candidates whatever
 *                                    their cosine: rerank_country_candidate, gold_flow.c)
 *   correlate.rerank.candidates     (first-stage top-k per event before reranking; default 20) */
#ifndef WG_RERANK_H
#define WG_RERANK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "embed/embedder.h"

#define RERANK_NFEATURES 18
#define RERANK_MAX_FIELDS 16

/* GDELT's coded fields that the structured features read (any pointer may be NULL). */
typedef struct rerank_coded {
    const char *actor_country[2]; /* Actor1CountryCode, Actor2CountryCode (CAMEO) */
    const char *actor_type[2][3]; /* Actor1Type1Code..Actor1Type3Code, the same for Actor2 */
    int geo_type;                 /* ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world
                                     city, 5 world state; 0 unknown */
    const char *geo_country;      /* ActionGeo_CountryCode (FIPS 10-4) */
    const char *event_root;       /* EventRootCode (CAMEO root, 2 digits) */
} rerank_coded;

/* One event as the reranker sees it: its raw fields (owned copies) and, once embedded, the
 * vectors of its field texts. */
typedef struct rerank_event {
    char *description, *actor1, *actor2, *geo, *url;
    /* the coded fields; a code longer than its array is stored empty (it matches nothing) */
    char actor_country[2][4], actor_type[2][3][4], geo_country[3], event_root[3];
    int geo_type;
    int years[2];                            /* SQLDATE's and DATEADDED's year (0: unknown) */
    size_t nfields;
    char *field_text[RERANK_MAX_FIELDS];     /* actors, geo parts, slug */
    float *field_vec;                        /* nfields * EMBED_DIM, after rerank_event_embed */
    char *slug;                              /* headline words of the URL, lower case */
} rerank_event;

/* Fills ev from the given parts (any may be NULL; coded NULL = none known); sqldate YYYYMMDD,
 * dateadded YYYYMMDDHHMMSS (0 = unknown). 0 ok, -1 out of memory. Free with rerank_event_free. */
int rerank_event_set(rerank_event *ev, const char *description, const char *actor1,
                     const char *actor2, const char *geo, const char *url, int64_t sqldate,
                     int64_t dateadded, const rerank_coded *coded);
/* Reads events from gdelt_silver with one prepared statement, by silver_id (by_event_id = 0) or
 * by GLOBALEVENTID: open once, get per event, close (the gold flow loads a batch's events). */
typedef struct rerank_loader rerank_loader;
rerank_loader *rerank_loader_open(sqlite3 *db, int by_event_id, char *err, size_t errlen);
/* 0 ok, 1 no such row, -1 error (err set). */
int rerank_loader_get(rerank_loader *l, int64_t id, rerank_event *ev, char *err, size_t errlen);
void rerank_loader_close(rerank_loader *l);
/* One event with a loader of its own (for a single look-up). Same results as rerank_loader_get. */
int rerank_event_load(sqlite3 *db, int by_event_id, int64_t id, rerank_event *ev, char *err,
                      size_t errlen);
/* Embeds the event's field texts (the embedder's cache makes repeated names free). */
int rerank_event_embed(rerank_event *ev, embedder *emb, char *err, size_t errlen);
/* The same for n events at once, in a few large encoder batches (the gold flow scores the
 * candidates of a whole batch of events together). */
int rerank_events_embed(rerank_event *evs, size_t n, embedder *emb, char *err, size_t errlen);
void rerank_event_free(rerank_event *ev);

/* The features of (ev, title of wiki), from the first-stage cosine and the cosines of the title
 * with each of ev's field texts (field_cos[ev->nfields]). wiki (may be NULL: unknown) gives the
 * title's language, in which a country page is also known by its localised name
 * (country_names.h: Syrien on dewiki is Syria's page). */
void rerank_features(const rerank_event *ev, const char *wiki, const char *title, float cos_text,
                     const float *field_cos, double f[RERANK_NFEATURES]);
/* Logistic score in 0..1 of a feature vector (the compiled coefficient table), and its logit;
 * the features' part of the score, without the embedding product. */
double rerank_model_score(const double f[RERANK_NFEATURES]);
double rerank_model_logit(const double f[RERANK_NFEATURES]);
/* The embedding product's part of the logit: sum over the dimensions of the compiled weight
 * times the event text's and the title's unit vectors' components (a weighted cosine). */
double rerank_product_term(const float *event_vec, const float *title_vec);
/* Score of one pair of an embedded event: title text (underscores allowed), the event text's
 * unit vector (NULL: no product term), the title's, and the first-stage cosine. What the gold
 * flow and `eval` decide by. */
double rerank_pair_score(const rerank_event *ev, const char *wiki, const char *title,
                         const float *event_vec, const float *title_vec, float cos_text);

/* The country_table rows that the event's codes name (Actor1CountryCode, Actor2CountryCode,
 * ActionGeo_CountryCode), up to cap; returns how many. */
size_t rerank_event_countries(const rerank_event *ev, size_t *rows, size_t cap);
/* 1 when title is, in its wiki's language, the page of one of the event's countries: the
 * candidate stage proposes such a pair whatever its cosine (a Syria story meets Syrien on dewiki,
 * whose cosine with an English text is near 0), and the reranker decides. */
int rerank_country_candidate(const rerank_event *ev, const char *wiki, const char *title);

/* Settings (see above). rerank_enabled is 0 with the hash fallback unless forced on. */
int rerank_enabled(const config *cfg, const embedder *emb);
double rerank_threshold(const config *cfg);
double rerank_candidate_threshold(const config *cfg);
int rerank_candidate_k(const config *cfg);

#endif
