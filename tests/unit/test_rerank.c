/* Unit tests for the gold reranker (src/correlate/rerank.c): feature extraction on handwritten
 * events and titles, the C score against the fitting script's score on real development pairs,
 * and the gold flow with the reranker on (pairs kept and ranked by match_score). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "correlate/gold_flow.h"
#include "correlate/rerank.h"
#include "embed/embedder.h"
#include "gold_silver_fixture.h"
#include "store/store.h"

static void features_of(const rerank_event *ev, const char *title, double f[RERANK_NFEATURES])
{
    float cos[RERANK_MAX_FIELDS];
    for (size_t i = 0; i < ev->nfields; i++) cos[i] = 0.1f * (float)(i + 1);
    rerank_features(ev, "enwiki", title, 0.5f, cos, f);
}

static void test_field_texts(void **state)
{
    (void)state;
    rerank_event ev;
    assert_int_equal(rerank_event_set(&ev, "Consult", "  UNITED STATES ", "", "Athens, Texas, United States",
                                      "https://x.com/2024/07/14/us/trump-shooting-rally.html",
                                      20240714, 20240715013000LL, NULL),
                     0);
    /* actor1 trimmed, blank actor2 left out, three geo parts, the slug */
    assert_int_equal(ev.nfields, 5);
    assert_string_equal(ev.field_text[0], "UNITED STATES");
    assert_string_equal(ev.field_text[1], "Athens");
    assert_string_equal(ev.field_text[2], "Texas");
    assert_string_equal(ev.field_text[3], "United States");
    assert_string_equal(ev.field_text[4], "trump shooting rally");
    assert_string_equal(ev.slug, "trump shooting rally");
    assert_int_equal(ev.years[0], 2024);
    assert_int_equal(ev.years[1], 2024);
    rerank_event_free(&ev);
    /* Nothing at all: no fields, no crash. */
    assert_int_equal(rerank_event_set(&ev, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL), 0);
    assert_int_equal(ev.nfields, 0);
    double f[RERANK_NFEATURES];
    rerank_features(&ev, NULL, "Anything (at all)", 0.3f, NULL, f);
    assert_true(f[0] == (double)0.3f && f[1] == 0 && f[2] == 0 && f[3] == 0);
    assert_true(f[4] == 1); /* "at" is a stop word, "all" is absent */
    rerank_event_free(&ev);
}

static void test_lexical_features(void **state)
{
    (void)state;
    rerank_event ev;
    assert_int_equal(rerank_event_set(&ev, "Make statement", "MASSACHUSETTS", NULL,
                                      "Boston, Massachusetts, United States",
                                      "https://n.com/2025/07/14/fire-in-massachusetts-care-home-kills-nine/",
                                      20250714, 20250715000000LL, NULL),
                     0);
    double f[RERANK_NFEATURES];
    features_of(&ev, "Massachusetts (Bee Gees song)", f);
    assert_true(fabs(f[0] - 0.5) < 1e-6);
    assert_true(fabs(f[1] - 0.1 * (double)ev.nfields) < 1e-6); /* the largest field cosine */
    assert_true(f[2] == 1);     /* "massachusetts" is in the slug */
    assert_true(f[3] == 1);     /* its one word is in the event */
    assert_true(f[4] == 1);     /* "Bee Gees song" is not */
    assert_true(f[5] == 0);
    features_of(&ev, "Fire_in_Massachusetts", f); /* underscores are spaces */
    assert_true(f[2] == 1 && f[4] == 0);
    features_of(&ev, "Massachusetts (state)", f); /* qualifier word absent too */
    assert_true(f[4] == 1);
    features_of(&ev, "Boston (Massachusetts)", f); /* qualifier present in the event */
    assert_true(f[4] == 0 && f[2] == 0 && f[3] == 1);
    features_of(&ev, "Boston Celtics", f); /* half of the words */
    assert_true(fabs(f[3] - 0.5) < 1e-9);
    features_of(&ev, "List of people of the Massachusetts", f); /* stop words do not count */
    assert_true(fabs(f[3] - 1.0 / 3.0) < 1e-9);
    features_of(&ev, "1964 Republican National Convention", f);
    assert_true(f[5] == 1);
    features_of(&ev, "2025 in Massachusetts", f);
    assert_true(f[5] == 0);
    features_of(&ev, "Route 1800x", f); /* not a year token */
    assert_true(f[5] == 0);
    features_of(&ev, "Kills nine", f); /* a phrase of the slug, case-insensitive */
    assert_true(f[2] == 1);
    features_of(&ev, "Nine kills", f); /* words of the slug, but not as a phrase */
    assert_true(f[2] == 0 && f[3] == 1);
    features_of(&ev, "", f);
    assert_true(f[2] == 0 && f[3] == 0 && f[4] == 0 && f[5] == 0);
    rerank_event_free(&ev);
}

/* The structured features (indices 6..11, rerank.h) on handwritten events. */
enum { F_COUNTRY_NATIONAL = 6, F_COUNTRY_LOCAL, F_COUNTRY_SLUG };

static void structured_of(const char *actor1, const char *actor2, const char *geo,
                          const char *url, const rerank_coded *coded, const char *title,
                          double f[RERANK_NFEATURES])
{
    rerank_event ev;
    assert_int_equal(rerank_event_set(&ev, "Consult", actor1, actor2, geo, url, 20250714,
                                      20250715000000LL, coded),
                     0);
    features_of(&ev, title, f);
    rerank_event_free(&ev);
}

static void test_structured_features(void **state)
{
    (void)state;
    double f[RERANK_NFEATURES];
    /* A local story inside the country: Toronto's police, geocoded to a world city of Canada,
       the slug does not name Canada. */
    rerank_coded local = {.actor_country = {"CAN", NULL}, .geo_type = 4, .geo_country = "CA"};
    const char *toronto = "https://t.ca/news/woman-wanted-after-child-assaulted-in-west-end";
    structured_of("TORONTO", NULL, "Toronto, Ontario, Canada", toronto, &local, "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 0 && f[F_COUNTRY_LOCAL] == 1 && f[F_COUNTRY_SLUG] == 0);
    /* Not a country page: none of the country features. */
    structured_of("TORONTO", NULL, "Toronto, Ontario, Canada", toronto, &local, "Toronto", f);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(f[k] == 0);
    /* The same geocode at country level (ActionGeo_Type 1) is not a local story. */
    rerank_coded whole = local;
    whole.geo_type = 1;
    structured_of("TORONTO", NULL, "Canada", toronto, &whole, "Canada", f);
    assert_true(f[F_COUNTRY_LOCAL] == 0 && f[F_COUNTRY_NATIONAL] == 0);
    /* National: an actor of the country with a government type code (any of the three)... */
    rerank_coded gov = {.actor_country = {NULL, "CAN"},
                        .actor_type = {{NULL, NULL, NULL}, {"BUS", "GOV", NULL}},
                        .geo_type = 4,
                        .geo_country = "CA"};
    structured_of("OTTAWA", "MARK CARNEY", "Brookfield, Nova Scotia, Canada", toronto, &gov,
                  "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 1 && f[F_COUNTRY_LOCAL] == 0);
    /* ... but not when that actor belongs to another country, */
    gov.actor_country[1] = "USA";
    structured_of("OTTAWA", "MARK CARNEY", "Brookfield, Nova Scotia, Canada", toronto, &gov,
                  "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 0 && f[F_COUNTRY_LOCAL] == 1);
    /* ... nor when an actor is merely named after the country (GDELT's "UNITED STATES" of many
       a local story): that is still local. */
    structured_of("UNITED STATES", NULL, "Texas, United States", toronto,
                  &(rerank_coded){.actor_country = {"USA", NULL}, .geo_type = 2, .geo_country = "US"},
                  "United_States", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 0 && f[F_COUNTRY_LOCAL] == 1);
    /* National: geocoded at a seat of the country's government (any part of the geo)... */
    rerank_coded us_city = {.actor_country = {"USA", NULL}, .geo_type = 3, .geo_country = "US"};
    const char *tariffs = "https://x.com/2025/07/14/austria-urges-eu-to-respond-to-new-us-tariffs/";
    structured_of("SAN FRANCISCO", NULL, "White House, District of Columbia, United States", tariffs,
                  &us_city, "United States", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 1 && f[F_COUNTRY_LOCAL] == 0);
    structured_of(NULL, NULL, "Ottawa, Ontario, Canada", toronto, &local, "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 1 && f[F_COUNTRY_LOCAL] == 0);
    /* ... of that country: Ottawa geocoded in another country is nobody's seat. */
    rerank_coded elsewhere = local;
    elsewhere.geo_country = "US";
    structured_of(NULL, NULL, "Ottawa, Illinois, United States", toronto, &elsewhere, "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 0 && f[F_COUNTRY_LOCAL] == 0);
    /* The slug names the country by another name ("US") or an adjective; local is unaffected. */
    structured_of("SAN FRANCISCO", NULL, "Connecticut, United States", tariffs, &us_city,
                  "United States", f);
    assert_true(f[F_COUNTRY_SLUG] == 1 && f[F_COUNTRY_LOCAL] == 1);
    structured_of("SAN FRANCISCO", NULL, "Connecticut, United States",
                  "https://x.com/2025/07/14/dog-rescue-dna-surprise/", &us_city, "United States",
                  f);
    assert_true(f[F_COUNTRY_SLUG] == 0 && f[F_COUNTRY_LOCAL] == 1);
    structured_of(NULL, NULL, "Canada", "https://x.com/2025/07/14/canadians-mark-canada-day/",
                  &whole, "Canada", f);
    assert_true(f[F_COUNTRY_SLUG] == 1);
    structured_of(NULL, NULL, "Canada", "https://x.com/2025/07/14/canadiana-auction/", &whole,
                  "Canada", f); /* whole words only */
    assert_true(f[F_COUNTRY_SLUG] == 0);
    /* A region has no FIPS code: never local or national by geocode. */
    structured_of(NULL, NULL, "Paris, Ile-de-France, France", toronto,
                  &(rerank_coded){.geo_type = 4, .geo_country = "FR"}, "Europe", f);
    assert_true(f[F_COUNTRY_LOCAL] == 0 && f[F_COUNTRY_NATIONAL] == 0);
    /* The qualifier is part of the name compared: Georgia the country, not the US state. */
    rerank_coded batumi = {.geo_type = 4, .geo_country = "GG"};
    structured_of(NULL, NULL, "Batumi, Ajaria, Georgia", toronto, &batumi, "Georgia (country)", f);
    assert_true(f[F_COUNTRY_LOCAL] == 1);
    structured_of(NULL, NULL, "Batumi, Ajaria, Georgia", toronto, &batumi, "Georgia (U.S. state)",
                  f);
    assert_true(f[F_COUNTRY_LOCAL] == 0);
    /* A code longer than CAMEO's is stored empty and matches nothing. */
    structured_of("CANADA", NULL, "Canada", toronto,
                  &(rerank_coded){.actor_country = {"CANX", NULL},
                                  .actor_type = {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}},
                  "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 0);
    structured_of("CANADA", NULL, "Canada", toronto,
                  &(rerank_coded){.actor_country = {"CAN", NULL},
                                  .actor_type = {{"GOVX", "GOV", NULL}, {NULL, NULL, NULL}}},
                  "Canada", f);
    assert_true(f[F_COUNTRY_NATIONAL] == 1);
    /* Out-of-range ActionGeo_Type counts as unknown. */
    rerank_coded odd = local;
    odd.geo_type = 9;
    structured_of(NULL, NULL, "Toronto, Ontario, Canada", toronto, &odd, "Canada", f);
    assert_true(f[F_COUNTRY_LOCAL] == 0);
    /* Nothing known, or no title: all 0, no crash. */
    structured_of(NULL, NULL, NULL, NULL, NULL, "Canada", f);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(f[k] == 0);
    structured_of(NULL, NULL, "Ottawa, Ontario, Canada", toronto, &local, "", f);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(f[k] == 0);
}

/* The features that know a story's own article (indices 9..13, rerank.h) on a handwritten
   event: the shooting at the Butler rally, CAMEO root 19 (fight), geocoded in Pennsylvania. */
enum { F_KIND_MATCH = 9, F_KIND_OTHER, F_YEAR_MATCH, F_ENTITY_IN_TITLE, F_TITLE_NOVEL };

static void story_event(rerank_event *ev, const char *root, const char *url)
{
    rerank_coded coded = {.actor_country = {"USA", NULL}, .geo_type = 2, .geo_country = "US",
                          .event_root = root};
    assert_int_equal(rerank_event_set(ev, "Fight with small arms and light weapons", "DONALD TRUMP",
                                      "GUNMAN", "Butler, Pennsylvania, United States", url,
                                      20240713, 20240714000000LL, &coded),
                     0);
}

static void test_story_features(void **state)
{
    (void)state;
    rerank_event ev;
    double f[RERANK_NFEATURES];
    story_event(&ev, "19", "https://n.com/2024/07/13/trump-rally-shooting-butler/");
    assert_string_equal(ev.event_root, "19");
    /* The story's own article: a kind word of the event's root, a name of the event inside a
       longer title, no word the event does not know but the kind words. */
    features_of(&ev, "Attempted assassination of Donald Trump", f);
    assert_true(f[F_KIND_MATCH] == 1 && f[F_KIND_OTHER] == 0);
    assert_true(f[F_ENTITY_IN_TITLE] == 1);
    assert_true(f[F_TITLE_NOVEL] == 1); /* "attempted" is not a kind word, nor in the event */
    features_of(&ev, "Assassination of Donald Trump", f);
    assert_true(f[F_KIND_MATCH] == 1 && f[F_ENTITY_IN_TITLE] == 1 && f[F_TITLE_NOVEL] == 0);
    /* Another instance of the kind: kind_match too, but a foreign name and a year of its own. */
    features_of(&ev, "2012 Aurora shooting", f);
    assert_true(f[F_KIND_MATCH] == 1 && f[F_YEAR_MATCH] == 0 && f[5] == 1 && f[F_TITLE_NOVEL] == 1);
    features_of(&ev, "2024 Butler shooting", f);
    assert_true(f[F_KIND_MATCH] == 1 && f[F_YEAR_MATCH] == 1 && f[5] == 0 && f[F_TITLE_NOVEL] == 0);
    /* DATEADDED's year counts as the event's too. */
    features_of(&ev, "Pennsylvania in 2024", f);
    assert_true(f[F_YEAR_MATCH] == 1 && f[F_KIND_MATCH] == 0 && f[F_KIND_OTHER] == 0);
    /* A kind the event is not of. */
    features_of(&ev, "2024 Pennsylvania floods", f);
    assert_true(f[F_KIND_MATCH] == 0 && f[F_KIND_OTHER] == 1 && f[F_ENTITY_IN_TITLE] == 1);
    /* A name equal to the title is not "in" it; a name of the event inside a namesake is. */
    features_of(&ev, "Pennsylvania", f);
    assert_true(f[F_ENTITY_IN_TITLE] == 0 && f[F_TITLE_NOVEL] == 0);
    features_of(&ev, "Butler University", f);
    assert_true(f[F_ENTITY_IN_TITLE] == 1 && f[F_TITLE_NOVEL] == 1);
    features_of(&ev, "The Gunman", f); /* a stop word does not make a name longer than "gunman" */
    assert_true(f[F_ENTITY_IN_TITLE] == 1);
    rerank_event_free(&ev);
    /* Without the root, the slug decides the kind: "shooting" in it is of the same kind as
       "assassination". */
    story_event(&ev, NULL, "https://n.com/2024/07/13/trump-rally-shooting-butler/");
    features_of(&ev, "Attempted assassination of Donald Trump", f);
    assert_true(f[F_KIND_MATCH] == 1 && f[F_KIND_OTHER] == 0);
    features_of(&ev, "2024 Butler protests", f);
    assert_true(f[F_KIND_MATCH] == 0 && f[F_KIND_OTHER] == 1);
    rerank_event_free(&ev);
    /* Neither root nor slug: a kind word is of another kind; a root longer than 2 is no root. */
    story_event(&ev, "190", "https://n.com/2024/07/13/rally-in-butler/");
    assert_string_equal(ev.event_root, "");
    features_of(&ev, "Attempted assassination of Donald Trump", f);
    assert_true(f[F_KIND_MATCH] == 0 && f[F_KIND_OTHER] == 1);
    rerank_event_free(&ev);
}

/* The entity features (indices 14..17, rerank.h) on handwritten events. */
enum { F_NAME_IN_EVENT = 14, F_WORDS_IN_EVENT, F_STORY_ENTITY, F_ENTITY_CLEAN };

static void entity_event(rerank_event *ev, const char *actor1, const char *geo, const char *url)
{
    rerank_coded coded = {.actor_country = {"USA", NULL}, .geo_type = 2, .geo_country = "US",
                          .event_root = "19"};
    assert_int_equal(rerank_event_set(ev, "Make statement", actor1, NULL, geo, url, 20240713,
                                      20240714000000LL, &coded),
                     0);
}

static void test_entity_features(void **state)
{
    (void)state;
    rerank_event ev;
    double f[RERANK_NFEATURES];
    /* A surname in the slug: the person's page. */
    entity_event(&ev, "CONGRESS", "Washington, District of Columbia, United States",
                 "https://n.com/2025/07/15/jeffries-urges-release-jeffrey-epstein/");
    features_of(&ev, "Hakeem Jeffries", f);
    assert_true(f[F_NAME_IN_EVENT] == 1 && f[F_WORDS_IN_EVENT] == 0 && f[F_ENTITY_CLEAN] == 1);
    /* A qualifier: not a plain person's title. */
    features_of(&ev, "Hakeem Jeffries (politician)", f);
    assert_true(f[F_NAME_IN_EVENT] == 0 && f[F_ENTITY_CLEAN] == 0);
    features_of(&ev, "Jeffrey Epstein", f); /* the whole title is a phrase of the slug */
    assert_true(f[F_NAME_IN_EVENT] == 1 && f[F_WORDS_IN_EVENT] == 1);
    features_of(&ev, "Epstein Jeffrey", f); /* last word in the slug, the phrase not */
    assert_true(f[F_NAME_IN_EVENT] == 1);
    features_of(&ev, "Release", f); /* one word: not a surname, though in the slug */
    assert_true(f[F_NAME_IN_EVENT] == 0 && f[F_WORDS_IN_EVENT] == 1);
    features_of(&ev, "Congress", f); /* one word: an actor's name, not a person's */
    assert_true(f[F_NAME_IN_EVENT] == 0);
    features_of(&ev, "Release of Jeffries", f); /* a stop word: not a person's name */
    assert_true(f[F_NAME_IN_EVENT] == 0);
    features_of(&ev, "Hakeem Samuel Jeffries", f); /* three words */
    assert_true(f[F_NAME_IN_EVENT] == 1);
    features_of(&ev, "Hakeem Samuel Smith Jeffries", f); /* four: not counted */
    assert_true(f[F_NAME_IN_EVENT] == 0);

    features_of(&ev, "Tom Urges", f);
    assert_true(f[F_NAME_IN_EVENT] == 1);
    features_of(&ev, "Bill Haley", f);
    assert_true(f[F_NAME_IN_EVENT] == 0 && f[F_WORDS_IN_EVENT] == 0 && f[F_ENTITY_CLEAN] == 0);
    features_of(&ev, "Washington", f); /* a word of the geo: in the event, not a name of it */
    assert_true(f[F_NAME_IN_EVENT] == 0 && f[F_WORDS_IN_EVENT] == 1);
    features_of(&ev, "Congress of the Washington", f); /* stop words aside, all in the event */
    assert_true(f[F_WORDS_IN_EVENT] == 1);
    rerank_event_free(&ev);
    /* A surname of three letters is too short to tell. */
    entity_event(&ev, NULL, NULL, "https://n.com/2024/07/13/lee-wins-seoul-vote/");
    features_of(&ev, "Tom Lee", f);
    assert_true(f[F_NAME_IN_EVENT] == 0);
    rerank_event_free(&ev);
    /* Diacritics are folded: "López" meets GDELT's "LOPEZ". */
    entity_event(&ev, "ANDRES MANUEL LOPEZ", "Mexico City, Distrito Federal, Mexico",
                 "https://n.com/2024/07/13/president-speaks/");
    features_of(&ev, "Andr\xc3\xa9s Manuel L\xc3\xb3pez", f);
    assert_true(f[F_NAME_IN_EVENT] == 1 && f[F_WORDS_IN_EVENT] == 1);
    features_of(&ev, "\xc3\x89lodie L\xc3\xb3pez", f); /* the surname alone */
    assert_true(f[F_NAME_IN_EVENT] == 1 && f[F_WORDS_IN_EVENT] == 0);
    features_of(&ev, "Andr\xc3\xa8s L\xc3\xb2pe", f); /* other letters fold elsewhere */
    assert_true(f[F_NAME_IN_EVENT] == 0);
    rerank_event_free(&ev);
    /* The story's own article: a kind word and a word of the event; not another instance. */
    entity_event(&ev, "DONALD TRUMP", "Butler, Pennsylvania, United States",
                 "https://n.com/2024/07/13/trump-rally-shooting-gunman-thomas-crooks-explosives/");
    features_of(&ev, "Attempted assassination of Donald Trump", f);
    assert_true(f[F_STORY_ENTITY] == 1 && f[F_ENTITY_CLEAN] == 1);
    features_of(&ev, "Thomas Matthew Crooks", f);
    assert_true(f[F_NAME_IN_EVENT] == 1 && f[F_STORY_ENTITY] == 0 && f[F_ENTITY_CLEAN] == 1);
    features_of(&ev, "2012 Aurora shooting", f); /* no shared entity */
    assert_true(f[F_STORY_ENTITY] == 0 && f[F_ENTITY_CLEAN] == 0);
    features_of(&ev, "2016 Trump shooting", f); /* shared, but another year: not clean */
    assert_true(f[F_STORY_ENTITY] == 1 && f[5] == 1 && f[F_ENTITY_CLEAN] == 0);
    features_of(&ev, "Pennsylvania floods", f); /* shared, but a kind the event is not of */
    assert_true(f[F_STORY_ENTITY] == 1 && f[F_KIND_OTHER] == 1 && f[F_ENTITY_CLEAN] == 0);
    features_of(&ev, "", f);
    for (int k = F_NAME_IN_EVENT; k <= F_ENTITY_CLEAN; k++) assert_true(f[k] == 0);
    rerank_event_free(&ev);
}

/* Pairs of the development set and of the story sets' dev parts with the inputs, features and
   score that tools/rerank/fit.py computed for them (`fit.py HOME/wikigdelt.db MODEL LABELS
   [--part dev] --dump 4`: evenly spread pairs and the first of each feature; the cosines come
   from sentence-transformers), the
   title's wiki included: Syrien on dewiki is a country page by its localised name. */
static const struct dumped {
    const char *description, *actor1, *actor2, *geo, *url;
    int64_t sqldate, dateadded;
    rerank_coded coded;
    const char *title;
    float cos_text;
    float field_cos[RERANK_MAX_FIELDS];
    size_t nfields;
    double features[RERANK_NFEATURES];
    double score;
    const char *wiki; /* the title's wiki (fit.py: `wikigdelt eval`'s rule); NULL: unknown */
} dumped[] = {
    {"Consult, not specified below", "ENGINEER", NULL, NULL, "https://indianexpress.com/article/cities/chandigarh/inaugurated-by-union-home-minister-amit-shah-touted-as-24x7-water-supply-project-but-now-facing-serious-financial-irregularities-allegation-10126763/", 20250715LL, 20250715000000LL, {{NULL, NULL}, {{"CVL", NULL, NULL}, {NULL, NULL, NULL}}, 0, NULL, "04"}, "Amit Shah", 0.310836f, {0.256880f, 0.363107f}, 2, {0.310836, 0.363107, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 1.000000}, 0.769368, "enwiki"},
    {"Consult, not specified below", NULL, "CANADA", "Ottawa, Ontario, Canada", "https://toronto.citynews.ca/2024/07/14/trudeau-says-he-spoke-with-trump-sunday-after-shooting-condemned-political-violence/", 20240715LL, 20240715000000LL, {{NULL, "CAN"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "CA", "04"}, "Justin Trudeau", 0.460113f, {0.465427f, 0.437445f, 0.469398f, 0.465427f, 0.498152f}, 5, {0.460113, 0.498152, 0.000000, 0.500000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 1.000000}, 0.565658, "frwiki"},
    {"Make statement, not specified below", "MAYOR", NULL, "New York, United States", "https://www.foxnews.com/politics/cuomo-opponents-slam-his-re-entry-nyc-mayor-race-say-city-wants-move-from-ex-governor", 20250715LL, 20250715000000LL, {{NULL, NULL}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 2, "US", "01"}, "New York City", 0.425575f, {0.408884f, 0.948005f, 0.537907f, 0.337746f}, 4, {0.425575, 0.948005, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 1.000000, 0.000000, 1.000000}, 0.677157, "enwiki"},
    {"Make a visit", "UNITED KINGDOM", "ISRAEL", "Gaza, Israel (general), Israel", "https://menafn.com/1108437828/Palestine-Prime-Minister-UK-Foreign-Secretary-Discuss-Developments-In-Gaza-West-Bank", 20240715LL, 20240715000000LL, {{"GBR", "ISR"}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 4, "IS", "04"}, "Palestine", 0.524032f, {0.473499f, 0.815645f, 0.785343f, 0.672619f, 0.815645f, 0.481052f}, 6, {0.524032, 0.815645, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.819666, "enwiki"},
    {"Threaten, not specified below", NULL, "RUSSIA", "White House, District of Columbia, United States", "https://nationnews.com/2025/07/14/trump-threatens-russia-with-tariffs-as-talks-drag-on/", 20250715LL, 20250715000000LL, {{NULL, "RUS"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 3, "US", "13"}, "United States", 0.372878f, {0.602577f, 0.470945f, 0.340042f, 1.000000f, 0.081466f}, 5, {0.372878, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.489367, "enwiki"},
    {"Praise or endorse", "CANADIAN", NULL, "Quebec, Quebec, Canada", "https://www.standard-freeholder.com:443/opinion/canada-day-a-time-to-reflect", 20240715LL, 20240715000000LL, {{"CAN", NULL}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "CA", "05"}, "Canada", 0.455450f, {0.777156f, 0.704189f, 0.704189f, 1.000000f, 0.365207f}, 5, {0.455450, 1.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.662523, "viwiki"},
    {"Make statement, not specified below", NULL, "UNITED KINGDOM", "Edinburgh, Edinburgh, City of, United Kingdom", "https://guernseypress.com/news/uk-news/2024/07/14/child-benefit-cap-must-be-scrapped-at-kings-speech-snp-warns-labour/", 20240715LL, 20240715000000LL, {{NULL, "GBR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "UK", "01"}, "Labour Party (UK)", 0.341861f, {0.456753f, 0.330313f, 0.330313f, 0.163239f, 0.456753f, 0.271737f}, 6, {0.341861, 0.456753, 0.000000, 0.500000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.197178, "enwiki"},
    {"Use conventional military force, not specified below", NULL, "SYRIA", "Sweida, As Suwayda', Syria", "https://www.bostonglobe.com/2025/07/14/world/violence-threatens-syrias-fragile-peace-leaving-more-than-50-dead/", 20250715LL, 20250715000000LL, {{NULL, "SYR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "SY", "19"}, "Refugees of the Syrian Civil War", 0.545365f, {0.622456f, 0.140197f, 0.007298f, 0.622456f, 0.630636f}, 5, {0.545365, 0.630636, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.320095, "enwiki"},
    {"Reduce relations, not specified below", "TURKISH", "SYRIA", "Syria", "https://menafn.com/1108437878/Turkish-FM-Expresses-Hope-For-Syria-To-Embrace-Turkeys-Call-For-Normalisation", 20240715LL, 20240715000000LL, {{"TUR", "SYR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 1, "SY", "16"}, "Turkey–PKK conflict", 0.543590f, {0.450203f, 0.421697f, 0.421697f, 0.483343f}, 4, {0.543590, 0.483343, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.386324, "enwiki"},
    {"Make optimistic comment", NULL, "LEGISLATOR", "Texas, United States", "https://www.upi.com/Top_News/US/2024/07/14/abbot-threatesn-utility-company-after-hurricane/1721720998925/", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"LEG", NULL, NULL}}, 2, "US", "01"}, "2015 Pacific hurricane season", 0.325674f, {0.079498f, 0.075611f, 0.087112f, 0.371298f}, 4, {0.325674, 0.371298, 0.000000, 0.250000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.095193, "enwiki"},
    {"Make a visit", NULL, "MILWAUKEE", NULL, "https://news.sky.com/story/trump-arrives-in-milwaukee-for-republican-national-convention-after-assassination-attempt-13177998", 20240715LL, 20240715000000LL, {{NULL, "USA"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 0, NULL, "04"}, "1964 Republican National Convention", 0.330673f, {0.136943f, 0.366145f}, 2, {0.330673, 0.366145, 0.000000, 0.750000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000}, 0.091842, "enwiki"},
    {"Appeal, not specified below", NULL, "RESIDENTS", "Australia", "https://www.yahoo.com/news/kangaroo-running-around-pierce-county-231048971.html", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"CVL", NULL, NULL}}, 1, "AS", "02"}, "Michael Lewis (ciclista)", 0.037954f, {0.205506f, 0.145625f, 0.005873f}, 3, {0.037954, 0.205506, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.179007, "ptwiki"},
    {"Engage in diplomatic cooperation, not specified below", "GOVERNMENT", "ARMED GROUP", "Sweida, As Suwayda', Syria", "https://www.tribuneindia.com/news/world/israel-intervenes-as-syrian-forces-clash-with-druze-militia/", 20250715LL, 20250715000000LL, {{NULL, NULL}, {{"GOV", "COP", NULL}, {"UAF", NULL, NULL}}, 4, "SY", "05"}, "Syrien", 0.174009f, {0.168350f, 0.234920f, 0.173159f, 0.313083f, 0.193871f, 0.123934f}, 6, {0.174009, 0.313083, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.340567, "dewiki"},
    {"Yield, not specified below", "UNITED KINGDOM", "SCIENTIST", "London, London, City of, United Kingdom", "https://english.aawsat.com/varieties/5164797-heatwaves-spain-caused-1180-deaths-past-two-months-ministry-says", 20250715LL, 20250715000000LL, {{"GBR", NULL}, {{NULL, NULL, NULL}, {"CVL", NULL, NULL}}, 4, "UK", "08"}, "London", 0.452993f, {0.713557f, 0.224767f, 1.000000f, 1.000000f, 0.579445f, 0.713557f, 0.002566f}, 7, {0.452993, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.416610, "dawiki"},
    {"Praise or endorse", "COMMUNITY", NULL, NULL, "https://www.wenatcheeworld.com/news/your_news/college-life/article_294d2208-9bce-439c-a9f6-eeeeb50ced5e.html", 20250715LL, 20250715000000LL, {{NULL, NULL}, {{"CVL", "EDU", NULL}, {NULL, NULL, NULL}}, 0, NULL, "05"}, "Araguaína (tiểu vùng)", 0.006703f, {0.148560f, 0.078305f}, 2, {0.006703, 0.148560, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.171251, "viwiki"},
    {"Use conventional military force, not specified below", NULL, "CROOK", "Allegheny County, Pennsylvania, United States", "https://www.ketv.com/article/trump-rally-shooting-gunman-thomas-crooks-explosives/61591883", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"CRM", NULL, NULL}}, 3, "US", "19"}, "Attempted assassination of Donald Trump", 0.287534f, {0.114911f, 0.077788f, 0.170172f, 0.173572f, 0.389335f}, 5, {0.287534, 0.389335, 0.000000, 0.250000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 1.000000}, 0.342142, NULL},
    {"Use conventional military force, not specified below", NULL, "CROOK", "Allegheny County, Pennsylvania, United States", "https://www.ketv.com/article/trump-rally-shooting-gunman-thomas-crooks-explosives/61591883", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"CRM", NULL, NULL}}, 3, "US", "19"}, "Donald Trump", 0.212787f, {0.342028f, 0.109744f, 0.316670f, 0.471501f, 0.284641f}, 5, {0.212787, 0.471501, 0.000000, 0.500000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 1.000000}, 0.477837, NULL},
    {"Use conventional military force, not specified below", NULL, "CROOK", "Allegheny County, Pennsylvania, United States", "https://www.ketv.com/article/trump-rally-shooting-gunman-thomas-crooks-explosives/61591883", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"CRM", NULL, NULL}}, 3, "US", "19"}, "Butler, Pennsylvania", 0.392309f, {0.224189f, 0.480761f, 0.688268f, 0.295976f, 0.137865f}, 5, {0.392309, 0.688268, 0.000000, 0.500000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.370308, NULL},
    {"Accuse of aggression", NULL, "GUNMAN", "Pennsylvania State Police, Pennsylvania, United States", "https://www.kwch.com/2024/07/14/secret-service-investigating-how-gunman-who-shot-injured-trump-was-able-get-so-close/", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{NULL, NULL, NULL}, {"UAF", NULL, NULL}}, 3, "US", "11"}, "United States Secret Service", 0.353239f, {0.257661f, 0.341320f, 0.207731f, 0.416610f, 0.570015f}, 5, {0.353239, 0.570015, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.412452, NULL},
    {"Fight with small arms and light weapons", "FIRE CHIEF", NULL, "Pennsylvania, United States", "https://wgme.com/newsletter-daily/ex-volunteer-fire-chief-corey-comperatore-killed-trump-rally-shooter-victim-butler-pennsylvania-fbi-identifies-gunman-thomas-matthew-crooks", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 2, "US", "19"}, "Federal Bureau of Investigation", 0.276602f, {0.285045f, 0.183559f, 0.220572f, 0.317508f}, 4, {0.276602, 0.317508, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.295874, NULL},
    {"Criticize or denounce", "SLOVAK", "ROBERT FICO", "Pennsylvania, United States", "https://www.postregister.com/news/national/global-leaders-condemn-assassination-attempt-targeting-former-us-president-donald-trump/article_4cb20f2f-256a-5783-b74f-85679ffc5bb1.html", 20240715LL, 20240715000000LL, {{"SVK", "SVK"}, {{NULL, NULL, NULL}, {"GOV", NULL, NULL}}, 2, "US", "11"}, "Slovakia", 0.374458f, {0.780294f, 0.112892f, 0.259279f, 0.368459f, 0.052359f}, 5, {0.374458, 0.780294, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.505453, NULL},
    {"Make a visit", "PRESIDENT", "MILWAUKEE", NULL, "https://www.ctvnews.ca/world/donald-trump-arrives-in-milwaukee-for-rnc-after-assassination-attempt-heightens-security-fears-1.6963781", 20240715LL, 20240715000000LL, {{NULL, "USA"}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 0, NULL, "04"}, "2024 Republican National Convention", 0.219065f, {0.294554f, 0.092605f, 0.128089f}, 3, {0.219065, 0.294554, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.496209, NULL},
    {"Use conventional military force, not specified below", NULL, "UNITED STATES", "Minnesota, United States", "https://www.macleayargus.com.au/story/8695317/shannen-doherty-beverly-hills-90210-and-charmed-actor-dies-at-53/?cs=9676", 20240715LL, 20240715000000LL, {{NULL, "USA"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 2, "US", "19"}, "Charmed (2018 TV series)", 0.473892f, {0.114077f, 0.076850f, 0.114077f, 0.520724f}, 4, {0.473892, 0.520724, 1.000000, 1.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.198341, NULL},
    {"Arrest, detain, or charge with legal action", "AUSTRALIA", "RUSSIA", "Canberra, Australian Capital Territory, Australia", "https://www.canberratimes.com.au/story/8693669/first-espionage-charges-since-2018-for-australian-couple/?cs=14258", 20240708LL, 20240715000000LL, {{"AUS", "RUS"}, {{"COP", NULL, NULL}, {NULL, NULL, NULL}}, 4, "AS", "17"}, "Australia", 0.415980f, {1.000000f, 0.641386f, 0.567982f, 0.516307f, 1.000000f, 0.253329f}, 6, {0.415980, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.706546, NULL},
    {"Make statement, not specified below", "LESOTHO", NULL, "Tsikoane, Lesotho (general), Lesotho", "https://sundayexpress.co.ls/lephema-intensifies-bid-to-be-next-pm/", 20240714LL, 20240715000000LL, {{"LSO", NULL}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "LT", "01"}, "Lesotho", 0.685359f, {1.000000f, 0.243856f, 0.898047f, 1.000000f, 0.214950f}, 5, {0.685359, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.313514, NULL},
    {"Consult, not specified below", "HUNGARY", NULL, "Budapest, Budapest, Hungary", "https://www.politico.eu/article/hungary-boycott-foreign-affairs-summit-eu-ukraine-pm-viktor-orban-event-august-budapest/", 20240715LL, 20240715000000LL, {{"HUN", NULL}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "HU", "04"}, "European Union", 0.369372f, {0.494562f, 0.355493f, 0.355493f, 0.494562f, 0.275598f}, 5, {0.369372, 0.494562, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.391514, NULL},
    {"Make statement, not specified below", "INDONESIA", NULL, "Jakarta, Jakarta Raya, Indonesia", "https://en.tempo.co/read/1891414/indonesia-commits-to-boost-support-for-unrwa", 20240715LL, 20240715000000LL, {{"IDN", NULL}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "ID", "01"}, "United Nations Relief and Rehabilitation Administration", 0.248923f, {0.184730f, 0.022319f, 0.082502f, 0.184730f, 0.271490f}, 5, {0.248923, 0.271490, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.343319, NULL},
    {"Disapprove, not specified below", "GANG", NULL, "Dublin, Dublin, Ireland", "https://www.mayonews.ie/news/national-news/1554283/two-irish-citizens-nabbed-by-homeland-security-in-us-after-staggering-300k-atm-scam.html", 20240715LL, 20240715000000LL, {{NULL, NULL}, {{"CRM", NULL, NULL}, {NULL, NULL, NULL}}, 4, "EI", "11"}, "Homeland (TV series)", 0.337532f, {0.248524f, 0.186642f, 0.186642f, 0.217580f, 0.253957f}, 5, {0.337532, 0.253957, 1.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.339612, NULL},
    {"Make a visit", NULL, "UNITED STATES", "Grand Canyon, Arizona, United States", "https://www.durangoherald.com/articles/wildfire-that-destroyed-historic-grand-canyon-lodge-spread-after-being-allowed-to-burn-for-days/", 20240715LL, 20250715000000LL, {{NULL, "USA"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 3, "US", "04"}, "Grand Canyon Lodge", 0.640564f, {0.195860f, 0.759281f, 0.396184f, 0.195860f, 0.621779f}, 5, {0.640564, 0.759281, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 1.000000, 0.000000, 1.000000}, 0.873584, NULL},
    {"Make a visit", NULL, "UNITED STATES", "Grand Canyon, Arizona, United States", "https://www.durangoherald.com/articles/wildfire-that-destroyed-historic-grand-canyon-lodge-spread-after-being-allowed-to-burn-for-days/", 20240715LL, 20250715000000LL, {{NULL, "USA"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 3, "US", "04"}, "Grand Canyon National Park", 0.607774f, {0.224192f, 0.911797f, 0.431142f, 0.224192f, 0.524842f}, 5, {0.607774, 0.911797, 0.000000, 0.500000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.452787, NULL},
    {"Host a visit", "CHRISTIAN", "JERUSALEM", "Jerusalem, Israel (general), Israel", "https://english.aawsat.com/arab-world/5164799-clerics-accuse-west-bank-israeli-settlers-attacking-christian-sites", 20250708LL, 20250715000000LL, {{NULL, "ISR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "IS", "04"}, "West Bank", 0.399381f, {0.167825f, 0.279849f, 0.279849f, 0.270033f, 0.331731f, 0.385674f}, 6, {0.399381, 0.385674, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 1.000000}, 0.899691, NULL},
    {"Demand, not specified below", "EGYPT", "ISRAEL", "Egypt", "https://www.crookwellgazette.com.au/story/9016045/israel-proposes-withdrawal-of-more-troops-from-gaza/", 20250708LL, 20250715000000LL, {{"EGY", "ISR"}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 1, "EG", "10"}, "Gaza war", 0.652082f, {0.423396f, 0.591332f, 0.423396f, 0.643991f}, 4, {0.652082, 0.643991, 0.000000, 0.500000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000}, 0.418639, NULL},
    {"Demand, not specified below", "EGYPT", "ISRAEL", "Egypt", "https://www.crookwellgazette.com.au/story/9016045/israel-proposes-withdrawal-of-more-troops-from-gaza/", 20250708LL, 20250715000000LL, {{"EGY", "ISR"}, {{"GOV", NULL, NULL}, {NULL, NULL, NULL}}, 1, "EG", "10"}, "2025 Gaza war ceasefire", 0.498288f, {0.206454f, 0.365525f, 0.206454f, 0.608906f}, 4, {0.498288, 0.608906, 0.000000, 0.250000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000}, 0.636849, NULL},
    {"Demand, not specified below", "EGYPT", "ISRAEL", "Gaza, Israel (general), Israel", "https://www.scmp.com/news/world/middle-east/article/3318207/israel-willing-withdraw-more-troops-gaza-previously-offered", 20250715LL, 20250715000000LL, {{"EGY", "ISR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "IS", "10"}, "Israel", 0.626108f, {0.660531f, 1.000000f, 0.734757f, 0.828475f, 1.000000f, 0.340559f}, 6, {0.626108, 1.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.714004, NULL},
    {"Demand, not specified below", "EGYPT", "ISRAEL", "Gaza, Israel (general), Israel", "https://www.scmp.com/news/world/middle-east/article/3318207/israel-willing-withdraw-more-troops-gaza-previously-offered", 20250715LL, 20250715000000LL, {{"EGY", "ISR"}, {{NULL, NULL, NULL}, {NULL, NULL, NULL}}, 4, "IS", "10"}, "Gaza War (2008–2009)", 0.633188f, {0.342209f, 0.502093f, 0.793333f, 0.465715f, 0.502093f, 0.579370f}, 6, {0.633188, 0.793333, 0.000000, 0.500000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000}, 0.250965, NULL},
    {"Arrest, detain, or charge with legal action", "INTERNATIONAL CRIMINAL COURT", "ISRAELI", "Gaza, Israel (general), Israel", "https://www.presstv.ir/Detail/2025/07/14/751218/Israeli-academics-condemn-so-called-humanitarian-city-in-Rafah-as-war-crime", 20250715LL, 20250715000000LL, {{NULL, "ISR"}, {{"IGO", "JUD", NULL}, {"GOV", NULL, NULL}}, 4, "IS", "17"}, "War crime", 0.495513f, {0.454861f, 0.291764f, 0.312226f, 0.271020f, 0.326087f, 0.459751f}, 6, {0.495513, 0.459751, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 1.000000, 1.000000}, 0.692042, NULL},
    {"Make statement, not specified below", "SENATOR", "UKRAINE", "Kyiv, Kyyiv, Misto, Ukraine", "https://bnonews.com/index.php/2025/07/trump-threatens-100-tariffs-on-russias-allies-unveils-nato-arms-deal-for-ukraine/", 20250715LL, 20250715000000LL, {{NULL, "UKR"}, {{"LEG", NULL, NULL}, {NULL, NULL, NULL}}, 4, "UP", "01"}, "Ukraine", 0.575369f, {0.231979f, 1.000000f, 0.715361f, 0.250981f, 0.185944f, 1.000000f, 0.376718f}, 7, {0.575369, 1.000000, 1.000000, 1.000000, 0.000000, 0.000000, 1.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000}, 0.883371, NULL},
    {"Make a visit", "STATE MEDIA", "UKRAINE", "Kyiv, Kyyiv, Misto, Ukraine", "https://www.naturalnews.com/2025-07-14-north-korea-engineers-russia-military-alliance.html", 20250715LL, 20250715000000LL, {{NULL, "UKR"}, {{"GOV", "MED", NULL}, {NULL, NULL, NULL}}, 4, "UP", "04"}, "Kim Jong Un", 0.332076f, {0.155114f, 0.272537f, 0.238051f, 0.303218f, 0.257810f, 0.272537f, 0.436784f}, 7, {0.332076, 0.436784, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.376764, NULL},
    {"Disapprove, not specified below", "ADMINISTRATION", "EMPLOYEE", "United States", "https://www.naturalnews.com/2025-07-14-thousands-fired-from-state-department-as-trump-guts-bloated-bureaucracy.html", 20250715LL, 20250715000000LL, {{NULL, NULL}, {{"GOV", NULL, NULL}, {"LAB", NULL, NULL}}, 1, "US", "11"}, "United States Agency for International Development", 0.239592f, {0.368417f, 0.133385f, 0.412767f, 0.157695f}, 4, {0.239592, 0.412767, 0.000000, 0.400000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.326841, NULL},
    {"Make statement, not specified below", "SUPREME COURT", "UNITED STATES", "District of Columbia, United States", "https://thehill.com/opinion/judiciary/supreme-court/5397217-trump-supreme-court-birthright-citizenship/", 20250715LL, 20250715000000LL, {{NULL, "USA"}, {{"JUD", NULL, NULL}, {NULL, NULL, NULL}}, 2, "US", "01"}, "United States v. Wong Kim Ark", 0.361498f, {0.436072f, 0.253794f, 0.274017f, 0.253794f, 0.274197f}, 5, {0.361498, 0.436072, 0.000000, 0.333333, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 0.000000, 1.000000, 1.000000, 0.000000, 0.000000, 0.000000, 0.000000}, 0.377551, NULL},
};

static void test_matches_python(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dumped / sizeof dumped[0]; i++) {
        const struct dumped *d = &dumped[i];
        rerank_event ev;
        assert_int_equal(rerank_event_set(&ev, d->description, d->actor1, d->actor2, d->geo,
                                          d->url, d->sqldate, d->dateadded, &d->coded),
                         0);
        assert_int_equal(ev.nfields, d->nfields);
        double f[RERANK_NFEATURES];
        rerank_features(&ev, d->wiki, d->title, d->cos_text, d->field_cos, f);
        for (int k = 0; k < RERANK_NFEATURES; k++)
            if (fabs(f[k] - d->features[k]) > 1e-5) {
                fprintf(stderr, "pair %zu (%s) feature %d: C %f, Python %f\n", i, d->title, k, f[k],
                        d->features[k]);
                fail();
            }
        /* The C table holds the coefficients to 4 decimals: scores agree to ~1e-4. */
        double s = rerank_model_score(f);
        if (fabs(s - d->score) > 1e-3) {
            fprintf(stderr, "pair %zu (%s): C score %f, Python %f\n", i, d->title, s, d->score);
            fail();
        }
        /* The gold flow's path (field cosines from the vectors, no product term) scores the
           same. Field vectors along one axis give the title (that axis) the dumped field cosines. */
        float tv[EMBED_DIM] = {1.0f};
        assert_null(ev.field_vec);
        ev.field_vec = calloc((size_t)ev.nfields * EMBED_DIM, sizeof *ev.field_vec);
        assert_non_null(ev.field_vec);
        for (size_t k = 0; k < ev.nfields; k++) ev.field_vec[k * EMBED_DIM] = d->field_cos[k];
        double hot = rerank_pair_score(&ev, d->wiki, d->title, NULL, tv, d->cos_text);
        if (fabs(hot - s) > 1e-6) {
            fprintf(stderr, "pair %zu (%s): rerank_pair_score %f, rerank_model_score %f\n", i,
                    d->title, hot, s);
            fail();
        }
        rerank_event_free(&ev);
    }
}

/* A store at path with the silver fixture and one event (a Japan earthquake story), and an
   embedder, both opened with cfg. */
static void open_with_event(const char *path, config *cfg, sqlite3 **db, embedder **emb)
{
    char err[256];
    assert_int_equal(store_open(path, cfg, 0, db, err, sizeof err), 0);
    assert_int_equal(gold_fixture_create(*db), 0);
    assert_int_equal(embedder_open(cfg, emb, err, sizeof err), 0);
    assert_int_equal(gold_fixture_event(*db, 101, "2024-07-15 01:00:00", "043", "Consult",
                                        "UNITED STATES", "JAPAN", "Tokyo, Tokyo, Japan", 35.7,
                                        139.7, "https://n.com/2024/07/15/japan-earthquake-tokyo-aid/"),
                     0);
}

/* The flow with the reranker on (forced on with the hash fallback, whose cosines the
   coefficients were not fitted for: this checks the plumbing, not the accuracy). */
static void test_flow_reranked(void **state)
{
    (void)state;
    char dir[] = "/tmp/wg-rerank-unit.XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/lake.db", dir);
    config *cfg = config_new();
    config_set(cfg, "embed.backend", "hash");
    config_set(cfg, "correlate.rerank", "true");
    config_set(cfg, "correlate.candidate_threshold", "0.05");
    config_set(cfg, "correlate.rerank.threshold", "0.10");
    config_set(cfg, "correlate.top_k", "2");
    sqlite3 *db;
    embedder *emb;
    open_with_event(path, cfg, &db, &emb);
    const char *titles[] = {"2024 Japan earthquake", "Japan", "Tokyo", "1923 Great Kanto earthquake",
                            "Phyllobates terribilis"};
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "w%d", i);
        assert_int_equal(gold_fixture_edit(db, id, "2024-07-15 00:10:00", "enwiki", titles[i], "A", 1), 0);
    }
    gold_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_correlate_run(db, cfg, emb, 1, &st, err, sizeof err), 0);
    assert_true(st.rerank_candidates >= st.pairs_written);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rank, match_score, cosine_sim FROM"
                                            " correlated_gold_events ORDER BY rank", -1, &q, NULL),
                     SQLITE_OK);
    int n = 0;
    double prev = 2;
    while (sqlite3_step(q) == SQLITE_ROW) {
        n++;
        assert_int_equal(sqlite3_column_int(q, 0), n);
        double ms = sqlite3_column_double(q, 1), cs = sqlite3_column_double(q, 2);
        assert_true(ms >= 0.10 && ms <= 1.0 && ms <= prev);
        assert_true(cs >= 0.05 - 1e-6);
        prev = ms;
    }
    sqlite3_finalize(q);
    assert_true(n >= 1 && n <= 2);
    /* The rerank threshold is a real filter: at 1.0 nothing passes. */
    embedder_close(emb);
    store_close(db);
    config_set(cfg, "correlate.rerank.threshold", "1.0");
    snprintf(path, sizeof path, "%s/lake2.db", dir);
    open_with_event(path, cfg, &db, &emb);
    assert_int_equal(gold_fixture_edit(db, "w0", "2024-07-15 00:10:00", "enwiki", "Japan", "A", 1), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_correlate_run(db, cfg, emb, 1, &st, err, sizeof err), 0);
    assert_int_equal(st.pairs_written, 0);
    assert_true(st.rerank_candidates >= 1);
    embedder_close(emb);
    store_close(db);
    config_free(cfg);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_settings(void **state)
{
    (void)state;
    config *cfg = config_new();
    config_set(cfg, "embed.backend", "hash");
    embedder *emb;
    char err[256];
    assert_int_equal(embedder_open(cfg, &emb, err, sizeof err), 0);
    assert_int_equal(rerank_enabled(cfg, emb), 0); /* the fallback keeps plain cosine */
    config_set(cfg, "correlate.rerank", "true");
    assert_int_equal(rerank_enabled(cfg, emb), 1);
    assert_true(fabs(rerank_threshold(cfg) - 0.48) < 1e-9);
    assert_true(fabs(rerank_candidate_threshold(cfg) - 0.20) < 1e-9);
    embedder_close(emb);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_texts),
        cmocka_unit_test(test_lexical_features),
        cmocka_unit_test(test_structured_features),
        cmocka_unit_test(test_story_features),
        cmocka_unit_test(test_entity_features),
        cmocka_unit_test(test_matches_python),
        cmocka_unit_test(test_flow_reranked),
        cmocka_unit_test(test_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
