/* The assistant's slot grammar: time expressions, countries, CAMEO categories, the other slots,
 * the delexicalised question, and the SQL extraction from an LLM reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ask/llm.h"
#include "ask/slots.h"
#include "correlate/countries.h"

#define REF "2025-07-15"

static void expect_time(const char *q, const char *from, const char *to)
{
    ask_time t;
    int found = ask_time_parse(q, REF, &t, NULL, NULL);
    if (!from) {
        if (found) fail_msg("'%s': unexpected time [%s, %s)", q, t.from, t.to);
        return;
    }
    if (!found) fail_msg("'%s': no time found", q);
    if (strcmp(t.from, from) || strcmp(t.to, to)) fail_msg("'%s': [%s, %s), expected [%s, %s)", q, t.from, t.to, from, to);
}

static void test_time_relative(void **state)
{
    (void)state;
    expect_time("protests last week", "2025-07-08", "2025-07-16");
    expect_time("in the past week", "2025-07-08", "2025-07-16");
    expect_time("over the last 7 days", "2025-07-08", "2025-07-16");
    expect_time("the past three days", "2025-07-12", "2025-07-16");
    expect_time("yesterday", "2025-07-14", "2025-07-15");
    expect_time("events today", "2025-07-15", "2025-07-16");
    expect_time("last month", "2025-06-15", "2025-07-16");
    expect_time("past 2 weeks", "2025-07-01", "2025-07-16");
}

static void test_time_absolute(void **state)
{
    (void)state;
    expect_time("on 15 July 2025", "2025-07-15", "2025-07-16");
    expect_time("on July 15, 2025", "2025-07-15", "2025-07-16");
    expect_time("on the 15th of July 2024", "2024-07-15", "2024-07-16");
    expect_time("on 2024-07-15", "2024-07-15", "2024-07-16");
    expect_time("on 15/07/2024", "2024-07-15", "2024-07-16");
    expect_time("in the 2024 data", "2024-01-01", "2025-01-01");
    expect_time("in 2024", "2024-01-01", "2025-01-01");
    expect_time("in July 2025", "2025-07-01", "2025-08-01");
    expect_time("during March", "2025-03-01", "2025-04-01");
    expect_time("29 February 2024", "2024-02-29", "2024-03-01");
}

static void test_time_open_and_ranges(void **state)
{
    (void)state;
    expect_time("since June", "2025-06-01", "");
    expect_time("since 1 July 2024", "2024-07-01", "");
    /* a month after the reference month is last year's */
    expect_time("since December", "2024-12-01", "");
    expect_time("after 14 July 2025", "2025-07-15", "");
    expect_time("before 2025", "", "2025-01-01");
    expect_time("until 10 July 2025", "", "2025-07-11");
    expect_time("between 1 and 3 July 2025", "2025-07-01", "2025-07-04");
    expect_time("between June and July 2025", "2025-06-01", "2025-08-01");
    expect_time("between 2024-07-15 and 2025-07-15", "2024-07-15", "2025-07-16");
    expect_time("from 1 July 2024 to 30 June 2025", "2024-07-01", "2025-07-01");
}

static void test_time_none(void **state)
{
    (void)state;
    expect_time("which countries had the most protests", NULL, NULL);
    expect_time("top 5 actors", NULL, NULL);
    expect_time("on 31 February 2025", NULL, NULL);     /* no such day */
    expect_time("events in May", "2025-05-01", "2025-06-01");
    expect_time("what may happen", NULL, NULL);          /* "may" alone is not the month */
}

static void test_date_add(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(ask_date_add("2024-02-28", 1, out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(ask_date_add("2025-01-01", -1, out), 0);
    assert_string_equal(out, "2024-12-31");
    assert_int_equal(ask_date_add("2025-13-01", 1, out), -1);
    assert_int_equal(ask_date_add("garbage", 1, out), -1);
}

static void parse(const char *q, ask_slots *s)
{
    static const char *const actors[] = {"NETANYAHU", "POLICE", "PRESIDENT", "PROTESTER"};
    static const char *const objects[] = {"correlated_gold_events", "gdelt_silver", "wikimedia_silver"};
    ask_lexicon lex = {actors, 4, objects, 3};
    char err[128];
    assert_int_equal(ask_slots_parse(q, REF, &lex, s, err, sizeof err), 0);
}

static void test_countries(void **state)
{
    (void)state;
    ask_slots s;
    parse("protests in France", &s);
    assert_string_equal(s.fips, "FR");
    assert_string_equal(s.cameo_cc, "FRA");
    assert_int_equal(s.country_actor, 0);
    parse("events in Deutschland", &s);        /* CLDR German */
    assert_string_equal(s.fips, "GM");
    parse("events in Allemagne", &s);          /* CLDR French */
    assert_string_equal(s.cameo_cc, "DEU");
    parse("how many events in the UK", &s);
    assert_string_equal(s.fips, "UK");
    parse("events in Britain", &s);
    assert_string_equal(s.cameo_cc, "GBR");
    parse("Russian actors", &s);               /* a demonym: the actor's country */
    assert_string_equal(s.cameo_cc, "RUS");
    assert_int_equal(s.country_actor, 1);
    parse("events initiated by Israel", &s);
    assert_int_equal(s.country_actor, 1);
    parse("events in the US", &s);
    assert_string_equal(s.fips, "US");
    parse("tell us about protests", &s);       /* "us" is no country in lower case */
    assert_int_equal(s.country_row, -1);
    parse("events in Burma", &s);
    assert_string_equal(s.cameo_cc, "MMR");
    int amb = 0;
    assert_true(ask_country_lookup("Ukraine", &amb) >= 0);
    assert_int_equal(amb, 0);
    assert_int_equal(ask_country_lookup("Atlantis", &amb), -1);
}

static void test_country_ambiguity(void **state)
{
    (void)state;
    ask_slots s;
    parse("protests in Georgia", &s);
    assert_string_equal(s.fips, "GG");
    assert_non_null(strstr(s.note, "Georgia read as the country"));
    parse("protests in the US state of Georgia", &s);
    assert_string_equal(s.adm1, "USGA");
    assert_non_null(strstr(s.note, "US state"));
    parse("events in Korea", &s);
    assert_non_null(strstr(s.ask_back, "South Korea"));
    parse("events in South Korea", &s);
    assert_string_equal(s.ask_back, "");
    assert_string_equal(s.cameo_cc, "KOR");
    parse("fighting in Congo", &s);
    assert_non_null(strstr(s.ask_back, "Democratic Republic"));
}

static void test_categories(void **state)
{
    (void)state;
    assert_string_equal(ask_category_lookup("protest"), "14");
    assert_string_equal(ask_category_lookup("protests"), "14");
    assert_string_equal(ask_category_lookup("riots"), "145");
    assert_string_equal(ask_category_lookup("air strikes"), "195");
    assert_string_equal(ask_category_lookup("humanitarian aid"), "073");
    assert_string_equal(ask_category_lookup("threats"), "13");
    assert_string_equal(ask_category_lookup("fighting"), "19");
    assert_null(ask_category_lookup("weather"));
    ask_slots s;
    parse("how many assaults", &s);
    assert_string_equal(s.cameo, "18");
    assert_string_equal(s.cameo_desc, "ASSAULT");
    parse("events with CAMEO code 0231", &s);
    assert_string_equal(s.cameo, "0231");
    parse("cameo 141 in Spain", &s);
    assert_string_equal(s.cameo, "141");
    assert_string_equal(s.fips, "SP");
    parse("events with code 9999", &s);        /* not in the codebook */
    assert_string_equal(s.cameo, "");
    parse("verbal cooperation events", &s);
    assert_int_equal(s.quad_mask, 1);
    parse("material conflict", &s);
    assert_int_equal(s.quad_mask, 8);
    parse("how much conflict", &s);
    assert_int_equal(s.quad_mask, 12);
    parse("cooperation versus conflict", &s);
    assert_int_equal(s.quad_split, 1);
    assert_int_equal(s.quad_mask, 0);
}

static void test_other_slots(void **state)
{
    (void)state;
    ask_slots s;
    parse("top 5 countries by protests", &s);
    assert_int_equal(s.top_n, 5);
    parse("the ten most edited pages", &s);
    assert_int_equal(s.top_n, 10);
    parse("events involving the police", &s);
    assert_string_equal(s.actor_type, "COP");
    parse("events involving Netanyahu", &s);
    assert_string_equal(s.actor_name, "NETANYAHU");
    parse("events with tone below -5", &s);
    assert_int_equal(s.threshold_set, 1);
    assert_string_equal(s.threshold_op, "<");
    assert_true(s.threshold == -5);
    assert_int_equal(s.measure, MEASURE_TONE);
    parse("which countries had the most negative tone", &s);
    assert_int_equal(s.direction, -1);
    parse("highest goldstein scale", &s);
    assert_int_equal(s.measure, MEASURE_GOLDSTEIN);
    assert_int_equal(s.direction, 1);
    parse("most edited pages on the German Wikipedia", &s);
    assert_string_equal(s.wiki, "dewiki");
    parse("edits on enwiki by bots", &s);
    assert_string_equal(s.wiki, "enwiki");
    assert_int_equal(s.bot, 1);
    parse("bots vs humans", &s);
    assert_int_equal(s.bots_and_humans, 1);
    parse("how was the page \"Jeremy Corbyn\" edited", &s);
    assert_string_equal(s.title, "Jeremy Corbyn");
    parse("edits of the page New York City per hour", &s);
    assert_string_equal(s.title, "New York City");
    assert_int_equal(s.per_hour, 1);
    parse("describe gdelt_silver", &s);
    assert_string_equal(s.object, "gdelt_silver");
    parse("what columns does correlated gold events have", &s);
    assert_string_equal(s.object, "correlated_gold_events");
    parse("where is the Goldstein scale stored", &s);
    assert_string_equal(s.term, "goldstein");
}

static void test_delex(void **state)
{
    (void)state;
    ask_slots s;
    parse("Which countries had the most protest events last week?", &s);
    assert_string_equal(s.delex, "which countries had the most category events");
    parse("How many events in Ukraine on 15 July 2025", &s);
    assert_string_equal(s.delex, "how many events in country");
    char err[64];
    char longq[3000];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    assert_int_equal(ask_slots_parse(longq, REF, NULL, &s, err, sizeof err), -1);
}

static void test_llm_extract(void **state)
{
    (void)state;
    char *s = ask_llm_extract_sql("Sure.\n```sql\nSELECT 1;\n```\nDone.");
    assert_string_equal(s, "SELECT 1");
    free(s);
    s = ask_llm_extract_sql("The answer is SELECT wiki FROM t;");
    assert_string_equal(s, "SELECT wiki FROM t");
    free(s);
    s = ask_llm_extract_sql("DELETE FROM gdelt_silver");
    assert_string_equal(s, "DELETE FROM gdelt_silver");
    free(s);
    assert_null(ask_llm_extract_sql("I do not know."));
    assert_null(ask_llm_extract_sql(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_relative),       cmocka_unit_test(test_time_absolute),
        cmocka_unit_test(test_time_open_and_ranges), cmocka_unit_test(test_time_none),
        cmocka_unit_test(test_date_add),            cmocka_unit_test(test_countries),
        cmocka_unit_test(test_country_ambiguity),   cmocka_unit_test(test_categories),
        cmocka_unit_test(test_other_slots),         cmocka_unit_test(test_delex),
        cmocka_unit_test(test_llm_extract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
