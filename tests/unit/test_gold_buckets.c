/* Unit tests for the gold flow's in-memory bucket state (correlate/gold_buckets.h), driven
 * directly with no store: the set of open buckets and their partners, events and their country
 * indices, titles and their hash index across growth, exact rows, and which events are "old". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/countries.h"
#include "correlate/gold_buckets.h"

#define H 14400

static void test_set_find_remove(void **state)
{
    (void)state;
    bucket_set s = {0};
    bucket *a = bucket_set_add(&s, 0, 0), *b = bucket_set_add(&s, H, 0), *c = bucket_set_add(&s, 3 * H, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(s.n, 3);
    assert_ptr_equal(bucket_set_find(&s, H), b);
    assert_null(bucket_set_find(&s, 2 * H));
    assert_string_equal(a->start_text, "1970-01-01 00:00:00");
    assert_string_equal(b->start_text, "1970-01-01 04:00:00");
    bucket_set_remove(&s, b);
    assert_int_equal(s.n, 2);
    assert_null(bucket_set_find(&s, H));
    assert_ptr_equal(bucket_set_find(&s, 3 * H), c);
    bucket_set_free(&s);
    assert_int_equal(s.n, 0);
}

static void test_partners(void **state)
{
    (void)state;
    bucket_set s = {0};
    bucket *a = bucket_set_add(&s, 0, 0), *b = bucket_set_add(&s, H, 0);
    bucket_set_add(&s, 3 * H, 0);
    bucket *out[3];
    /* without neighbours: only the bucket itself, when open */
    assert_int_equal(bucket_set_partners(&s, H, H, 0, out), 1);
    assert_ptr_equal(out[0], b);
    assert_int_equal(bucket_set_partners(&s, 2 * H, H, 0, out), 0);
    /* with neighbours: itself first, then the one before and after that are open */
    assert_int_equal(bucket_set_partners(&s, H, H, 1, out), 2);
    assert_ptr_equal(out[0], b);
    assert_ptr_equal(out[1], a);
    assert_int_equal(bucket_set_partners(&s, 2 * H, H, 1, out), 2); /* 4h and 12h, not itself */
    assert_int_equal(bucket_partners_hold(out, 2, 1), 0);
    assert_int_equal(bucket_title_add(b, "enwiki", "Flood", 1, 10, 10, NULL), 0);
    assert_int_equal(bucket_partners_hold(out, 2, 1), 1);
    assert_int_equal(bucket_partners_hold(out, 2, 0), 0);
    bucket_set_free(&s);
}

static void test_titles_across_growth(void **state)
{
    (void)state;
    bucket_set s = {0};
    bucket *b = bucket_set_add(&s, 0, 0);
    char t[32];
    for (int i = 0; i < 3000; i++) { /* the hash index grows from 1024 slots twice */
        snprintf(t, sizeof t, "Title %d", i);
        assert_int_equal(bucket_title_add(b, i % 2 ? "dewiki" : "enwiki", t, 1, i, i, NULL), i);
    }
    assert_int_equal(b->nt, 3000);
    assert_true(b->nslots >= 2 * b->nt);
    for (int i = 0; i < 3000; i += 7) {
        snprintf(t, sizeof t, "Title %d", i);
        assert_int_equal(bucket_title_find(b, i % 2 ? "dewiki" : "enwiki", t), i);
        assert_int_equal(bucket_title_find(b, i % 2 ? "enwiki" : "dewiki", t), -1); /* other wiki */
        assert_string_equal(b->titles[i].title, t);
        assert_int_equal(b->titles[i].xrow, -1); /* not embedded */
    }
    assert_int_equal(bucket_title_find(b, "enwiki", "Nope"), -1);
    bucket_set_free(&s);
}

static void test_exact_rows(void **state)
{
    (void)state;
    bucket_set s = {0};
    bucket *b = bucket_set_add(&s, 0, 0);
    float v[EMBED_DIM];
    for (int d = 0; d < EMBED_DIM; d++) v[d] = (float)d;
    assert_int_equal(bucket_title_add(b, "enwiki", "A", 2, 1, 5, v), 0); /* with a vector */
    assert_int_equal(bucket_title_add(b, "enwiki", "B", 1, 6, 6, NULL), 1);
    assert_int_equal(b->nx, 1);
    assert_int_equal(b->titles[0].xrow, 0);
    assert_int_equal(b->titles[1].xrow, -1);
    assert_int_equal(bucket_exact_reserve(b, 600), 0);
    float *row = bucket_exact_row_add(b, 1);
    assert_non_null(row);
    row[0] = 42.0f;
    assert_int_equal(b->titles[1].xrow, 1);
    assert_int_equal(b->x_title[1], 1);
    assert_true(b->x_vec[EMBED_DIM] == 42.0f);
    assert_true(b->x_vec[EMBED_DIM - 1] == (float)(EMBED_DIM - 1));
    assert_int_equal(b->titles[0].edit_count, 2);
    assert_int_equal(b->titles[0].last_sid, 5);
    bucket_set_free(&s);
}

static void test_events_and_countries(void **state)
{
    (void)state;
    bucket_set s = {0};
    bucket *b = bucket_set_add(&s, 0, 0);
    const char *codes[3] = {"SYR", NULL, "SY"};
    char *text = strdup("Syria: fighting");
    assert_int_equal(bucket_event_add(b, 7, NULL, text, codes), 0);
    const char *none[3] = {NULL, NULL, NULL};
    assert_int_equal(bucket_event_add(b, 8, NULL, NULL, none), 0);
    assert_int_equal(b->ne, 2);
    assert_int_equal(b->ev_sid[0], 7);
    assert_true(b->ev_floor[0] == -2.0f);
    assert_int_equal(b->ev_pairs[1], 0);
    assert_ptr_equal(b->ev_text[0], text);
    /* the event names Syria through two codes: indexed once, under Syria's row */
    assert_non_null(b->country_events);
    size_t rows = 0, syria = country_table_n;
    for (size_t r = 0; r < country_table_n; r++)
        if (b->country_events[r].n) {
            rows++;
            syria = r;
        }
    assert_int_equal(rows, 1);
    assert_string_equal(country_table[syria].cameo, "SYR");
    assert_int_equal(b->country_events[syria].n, 1);
    assert_int_equal(b->country_events[syria].v[0], 0);
    /* Syria's page on dewiki is indexed as a country page */
    long ti = bucket_title_add(b, "dewiki", "Syrien", 1, 1, 1, NULL);
    assert_true(ti >= 0);
    assert_non_null(b->country_titles);
    assert_int_equal(b->country_titles[syria].n, 1);
    /* old events: none while the bucket waits (not live), those before the join mark once live */
    assert_int_equal(bucket_ev_old(b), 0);
    b->ev_live = 1;
    b->ev_jmark = 1;
    assert_int_equal(bucket_ev_old(b), 1);
    bucket_set_free(&s); /* frees the event's text too (ASan checks) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_find_remove),
        cmocka_unit_test(test_partners),
        cmocka_unit_test(test_titles_across_growth),
        cmocka_unit_test(test_exact_rows),
        cmocka_unit_test(test_events_and_countries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
