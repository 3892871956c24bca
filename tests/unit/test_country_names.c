/* Unit tests for the localised country pages (src/correlate/country_names.c): the wiki id ->
 * language rule (odd and bad ids included), the (language, title) -> country lookup through ICU,
 * the reranker's country features on a localised title, and the gold flow's candidate stage,
 * which proposes a country page of the event's country below the cosine threshold. */
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
#include "correlate/countries.h"
#include "correlate/country_names.h"
#include "correlate/gold_flow.h"
#include "correlate/rerank.h"
#include "embed/embedder.h"
#include "gold_silver_fixture.h"
#include "store/store.h"

static void assert_lang(const char *wiki, const char *want)
{
    char lang[32] = "unchanged";
    int got = wiki_language(wiki, lang, sizeof lang);
    if (!want) {
        if (got) fprintf(stderr, "wiki %s: language %s, expected none\n", wiki ? wiki : "(null)", lang);
        assert_int_equal(got, 0);
        return;
    }
    if (!got) fprintf(stderr, "wiki %s: no language, expected %s\n", wiki, want);
    assert_int_equal(got, 1);
    assert_string_equal(lang, want);
}

static void test_wiki_language(void **state)
{
    (void)state;
    assert_lang("dewiki", "de");
    assert_lang("enwiki", "en");
    assert_lang("jawiki", "ja");
    assert_lang("simplewiki", "en");
    assert_lang("zh_min_nanwiki", "zh-min-nan");
    assert_lang("be_x_oldwiki", "be-x-old");
    assert_lang("nds_nlwiki", "nds-nl");
    assert_lang("warwiki", "war");
    /* Other projects and special wikis: no language. */
    assert_lang("wikidatawiki", NULL);
    assert_lang("commonswiki", NULL);
    assert_lang("metawiki", NULL);
    assert_lang("specieswiki", NULL);
    assert_lang("mediawikiwiki", NULL);
    assert_lang("test2wiki", NULL);
    assert_lang("enwiktionary", NULL);
    assert_lang("dewikibooks", NULL);
    assert_lang("frwikisource", NULL);
    assert_lang("enwikinews", NULL);
    /* Odd and bad ids. */
    assert_lang(NULL, NULL);
    assert_lang("", NULL);
    assert_lang("wiki", NULL);
    assert_lang("xwiki", NULL);
    assert_lang("DEwiki", NULL);
    assert_lang("de wiki", NULL);
    assert_lang("de-wiki", NULL);
    assert_lang("_dewiki", NULL);
    assert_lang("de_wiki", NULL);
    assert_lang("de__xwiki", NULL);
    assert_lang("2dwiki", NULL);
    assert_lang("d\xc3\xa9wiki", NULL);
    assert_lang("dewikiwikiwikiwikiwikiwiki", NULL);
    /* A buffer too small: no language, no overflow. */
    char small[3] = "zz";
    assert_int_equal(wiki_language("zh_min_nanwiki", small, sizeof small), 0);
    assert_int_equal(wiki_language("dewiki", small, 1), 0);
    assert_int_equal(wiki_language("dewiki", small, sizeof small), 1);
    assert_string_equal(small, "de");
}

static long row_of(const char *cameo, const char *fips)
{
    for (size_t r = 0; r < country_table_n; r++)
        if (!strcmp(country_table[r].cameo, cameo) && (!fips || !strcmp(country_table[r].fips, fips)))
            return (long)r;
    return -1;
}

/* The single row of title on wiki, or -1 for none (fails on several). */
static long page_row(const char *wiki, const char *title)
{
    size_t rows[COUNTRY_MAX_ROWS];
    size_t n = country_page_rows(wiki, title, rows);
    assert_true(n <= 1);
    return n ? (long)rows[0] : -1;
}

static void test_lookup(void **state)
{
    (void)state;
    long syria = row_of("SYR", NULL);
    assert_true(syria >= 0);
    assert_int_equal(page_row("dewiki", "Syrien"), syria);
    assert_int_equal(page_row("svwiki", "Syrien"), syria);
    assert_int_equal(page_row("itwiki", "Siria"), syria);
    assert_int_equal(page_row("jawiki", "シリア"), syria);
    assert_int_equal(page_row("ruwiki", "Сирия"), syria);
    assert_int_equal(page_row("zhwiki", "叙利亚"), syria);
    assert_int_equal(page_row("itwiki", "Marocco"), row_of("MAR", NULL));
    assert_int_equal(page_row("jawiki", "インド"), row_of("IND", NULL));
    assert_int_equal(page_row("dewiki", "Georgien"), row_of("GEO", NULL));
    /* Compared as the reranker compares words: case of ASCII letters and underscores aside. */
    assert_int_equal(page_row("dewiki", "syrien"), syria);
    assert_int_equal(page_row("dewiki", "Syrien_"), syria);
    /* Another language's name is not the page on this wiki. */
    assert_int_equal(page_row("enwiki", "Syrien"), -1);
    assert_int_equal(page_row("itwiki", "Syrien"), -1);
    assert_int_equal(page_row("dewiki", "Syria"), -1);
    assert_int_equal(page_row("dewiki", "Syrien (Begriffsklärung)"), -1);
    /* English wikis use the table's names (Wikipedia's titles), not CLDR's English. */
    assert_int_equal(page_row("enwiki", "Syria"), syria);
    assert_int_equal(page_row("simplewiki", "Syria"), syria);
    assert_int_equal(page_row("enwiki", "Georgia (country)"), row_of("GEO", NULL));
    assert_int_equal(page_row("enwiki", "Georgia"), -1);
    assert_int_equal(page_row("enwiki", "Myanmar (Burma)"), -1);
    /* Two rows share Palestine's names. */
    size_t rows[COUNTRY_MAX_ROWS];
    assert_int_equal(country_page_rows("enwiki", "Palestine", rows), 2);
    /* No language, a language ICU has no names for, NULLs: none, no crash. */
    assert_int_equal(page_row("wikidatawiki", "Syria"), -1);
    assert_int_equal(page_row("xxwiki", "Syria"), -1);
    assert_int_equal(page_row("xxwiki", "Syrien"), -1);
    assert_int_equal(page_row("zh_min_nanwiki", "叙利亚"), -1);
    assert_int_equal(page_row(NULL, "Syrien"), -1);
    assert_int_equal(page_row("dewiki", NULL), -1);
    assert_int_equal(page_row("dewiki", ""), -1);
    char longtitle[2000];
    memset(longtitle, 'a', sizeof longtitle - 1);
    longtitle[sizeof longtitle - 1] = 0;
    assert_int_equal(page_row("dewiki", longtitle), -1);
    /* ISO codes of rows: by CAMEO alpha-3, Kosovo explicitly, none for regions. */
    assert_string_equal(country_row_iso2((size_t)row_of("USA", NULL)), "US");
    assert_string_equal(country_row_iso2((size_t)row_of("XKX", NULL)), "XK");
    assert_string_equal(country_row_iso2((size_t)row_of("EUR", NULL)), "");
    assert_string_equal(country_row_iso2(country_table_n + 5), "");
    /* The event's codes name rows: CAMEO for actors, FIPS for the geocode. */
    size_t er[8];
    assert_int_equal(country_rows_of_codes("SYR", NULL, "SY", er, 8), 1);
    assert_int_equal((long)er[0], syria);
    assert_int_equal(country_rows_of_codes("USA", "SYR", "MO", er, 8), 3);
    assert_int_equal(country_rows_of_codes(NULL, "", "", er, 8), 0);
    assert_int_equal(country_rows_of_codes("SYRX", NULL, "SYR", er, 8), 0);
}

static void test_dump(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(country_names_dump(f, "dewiki"), 0);
    assert_int_equal(country_names_dump(f, "wikidatawiki"), 0);
    assert_int_equal(country_names_dump(f, "xxwiki"), 0);
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "dewiki\tde\t%ld\tSyrien\n", row_of("SYR", NULL));
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "wikidatawiki\t\t-1\t\n"));
    assert_non_null(strstr(text, "xxwiki\txx\t-1\t\n"));
    free(text);
}

enum { F_COUNTRY_NATIONAL = 6, F_COUNTRY_LOCAL, F_COUNTRY_SLUG };

static void test_features(void **state)
{
    (void)state;
    /* Syrian government forces in Sweida (a world city, not the seat): local by the codes,
       and the slug names the country by its adjective. */
    rerank_coded coded = {.actor_country = {"SYR", NULL},
                          .actor_type = {{"MIL", NULL, NULL}, {NULL, NULL, NULL}},
                          .geo_type = 4,
                          .geo_country = "SY"};
    rerank_event ev;
    assert_int_equal(rerank_event_set(&ev, "Fight", "SYRIA", "DRUZE", "Sweida, As Suwayda', Syria",
                                      "https://x.com/world/syrian-forces-clash-with-druze-militia/",
                                      20250714, 20250715000000LL, &coded),
                     0);
    float cos[RERANK_MAX_FIELDS] = {0};
    double f[RERANK_NFEATURES], g[RERANK_NFEATURES];
    rerank_features(&ev, "dewiki", "Syrien", 0.1f, cos, f);
    assert_true(f[F_COUNTRY_NATIONAL] == 1 && f[F_COUNTRY_SLUG] == 1 && f[F_COUNTRY_LOCAL] == 0);
    /* The same title on an English wiki (or an unknown one) is no country page. */
    rerank_features(&ev, "enwiki", "Syrien", 0.1f, cos, g);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(g[k] == 0);
    rerank_features(&ev, NULL, "Syrien", 0.1f, cos, g);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(g[k] == 0);
    /* English names stay country pages on every wiki (as before the localised names). */
    rerank_features(&ev, "dewiki", "Syria", 0.1f, cos, g);
    assert_true(g[F_COUNTRY_NATIONAL] == 1 && g[F_COUNTRY_SLUG] == 1);
    for (int k = F_COUNTRY_NATIONAL; k <= F_COUNTRY_SLUG; k++) assert_true(f[k] == g[k]);
    /* Candidates below the cosine: the event's country's page in the title's language. */
    assert_int_equal(rerank_country_candidate(&ev, "dewiki", "Syrien"), 1);
    assert_int_equal(rerank_country_candidate(&ev, "jawiki", "シリア"), 1);
    assert_int_equal(rerank_country_candidate(&ev, "enwiki", "Syria"), 1);
    assert_int_equal(rerank_country_candidate(&ev, "enwiki", "Syrien"), 0);
    assert_int_equal(rerank_country_candidate(&ev, "dewiki", "Marokko"), 0);
    assert_int_equal(rerank_country_candidate(&ev, "xxwiki", "Syrien"), 0);
    assert_int_equal(rerank_country_candidate(&ev, NULL, NULL), 0);
    rerank_event_free(&ev);
}

/* The gold flow with the reranker (forced on with the hash fallback: plumbing, not accuracy): a
   Syria event and a dewiki edit of Syrien, whose cosine is far below the candidate threshold,
   pair only through the candidate stage's country pages; the same title on enwiki does not. */
/* split: the Syrien edit arrives after a first run, in a second one that reloads the window
   (the event's codes then come from silver, and the page meets an earlier event). */
static int64_t run_flow(const char *dir, const char *name, const char *wiki, int split,
                        double *cosine)
{
    char path[160], err[256];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    config *cfg = config_new();
    config_set(cfg, "embed.backend", "hash");
    config_set(cfg, "correlate.rerank", "true");
    config_set(cfg, "correlate.candidate_threshold", "0.90");
    config_set(cfg, "correlate.rerank.threshold", "0.01");
    sqlite3 *db;
    embedder *emb;
    assert_int_equal(store_open(path, cfg, 0, &db, err, sizeof err), 0);
    assert_int_equal(gold_fixture_create(db), 0);
    assert_int_equal(embedder_open(cfg, &emb, err, sizeof err), 0);
    assert_int_equal(gold_fixture_event(db, 201, "2025-07-15 01:00:00", "190", "Fight", "SYRIA",
                                        "DRUZE", "Sweida, As Suwayda', Syria", 32.7, 36.6,
                                        "https://x.com/world/syrian-forces-clash-with-druze-militia/"),
                     0);
    assert_int_equal(sqlite3_exec(db, "UPDATE gdelt_silver SET Actor1CountryCode = 'SYR',"
                                      " Actor1Type1Code = 'MIL', ActionGeo_CountryCode = 'SY',"
                                      " ActionGeo_Type = 4",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(gold_fixture_edit(db, "w2", "2025-07-15 00:30:00", "dewiki", "Marokko", "B", 1), 0);
    gold_stats st;
    memset(&st, 0, sizeof st);
    if (split) {
        assert_int_equal(gold_correlate_run(db, cfg, emb, 0, &st, err, sizeof err), 0);
        assert_int_equal(st.pairs_written, 0);
        memset(&st, 0, sizeof st);
    }
    assert_int_equal(gold_fixture_edit(db, "w1", "2025-07-15 00:20:00", wiki, "Syrien", "A", 1), 0);
    assert_int_equal(gold_correlate_run(db, cfg, emb, 1, &st, err, sizeof err), 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT wiki, title, cosine_sim FROM correlated_gold_events",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int64_t pairs = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        pairs++;
        assert_string_equal((const char *)sqlite3_column_text(q, 0), "dewiki");
        assert_string_equal((const char *)sqlite3_column_text(q, 1), "Syrien");
        *cosine = sqlite3_column_double(q, 2);
    }
    sqlite3_finalize(q);
    assert_int_equal(st.rerank_country_pages, pairs);
    embedder_close(emb);
    store_close(db);
    config_free(cfg);
    return pairs;
}

static void test_flow_injection(void **state)
{
    (void)state;
    char dir[] = "/tmp/wg-country-unit.XXXXXX";
    assert_non_null(mkdtemp(dir));
    double cosine = 2;
    assert_int_equal(run_flow(dir, "de", "dewiki", 0, &cosine), 1);
    assert_true(cosine < 0.90); /* below the candidate threshold: proposed as a country page */
    assert_int_equal(run_flow(dir, "en", "enwiki", 0, &cosine), 0);
    assert_int_equal(run_flow(dir, "split", "dewiki", 1, &cosine), 1);
    assert_int_equal(run_flow(dir, "split_en", "enwiki", 1, &cosine), 0);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wiki_language),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_flow_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
