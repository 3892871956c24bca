/* Unit tests for gold: event text composition, the sgemm top-k join against a brute-force loop,
 * eval arithmetic, and the gold flow on silver rows made by the test (windows, incremental
 * emission, top-k, edit counts, watermarks and late rows, mismatch, bursts, lineage). */
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

#include "core/buf.h"
#include "core/config.h"
#include "core/timeutil.h"
#include "correlate/eval.h"
#include "correlate/event_text.h"
#include "correlate/gold_flow.h"
#include "correlate/simjoin.h"
#include "embed/embedder.h"
#include "gold_silver_fixture.h"
#include "store/store.h"

static void test_url_words(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    assert_int_equal(event_text_url_words("https://www.nytimes.com/2024/07/14/us/politics/trump-shooting-rally.html?x=1", &b), 0);
    assert_string_equal(b.data, "trump shooting rally");
    buf_reset(&b);
    assert_int_equal(event_text_url_words("https://islandsbusiness.com/2024/fiji-positioned-for-growth-in-asia-pacific-real-estate-market/", &b), 0);
    assert_string_equal(b.data, "fiji positioned for growth in asia pacific real estate market");
    buf_reset(&b);
    /* No slug: section words are used, ids and numbers are not. */
    assert_int_equal(event_text_url_words("https://www.bbc.com/news/world-europe-68123456", &b), 0);
    assert_string_equal(b.data, "world europe");
    buf_reset(&b);
    assert_int_equal(event_text_url_words("https://www.parkerpioneer.net/news/article_3cabee6f-cbd6-4327-b3b2-d300631d9b49.html", &b), 0);
    assert_true(b.len == 0);
    assert_int_equal(event_text_url_words("https://biztoc.com/x/dbd70f23a4aba76f", &b), 0);
    assert_true(b.len == 0);
    assert_int_equal(event_text_url_words("https://www.wlip.com/syndicated-article/?id=1627816", &b), 0);
    assert_true(b.len == 0);
    assert_int_equal(event_text_url_words("https://example.com/local/4th-of-july-parade-draws-crowds/", &b), 0);
    assert_string_equal(b.data, "4th of july parade draws crowds");
    buf_reset(&b);
    assert_int_equal(event_text_url_words("not a url", &b), 0);
    assert_true(b.len == 0);
    buf_reset(&b);
    assert_int_equal(event_text_url_words("https://host.example", &b), 0);
    assert_true(b.len == 0);
    buf_free(&b);
}

static void test_compose(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    event_parts p = {"Make statement, not specified below", "UNITED STATES", "UNITED STATES",
                     "Washington, District of Columbia, United States",
                     "https://x.example/2024/07/15/biden-addresses-nation/"};
    unsigned mask;
    char err[200];
    assert_int_equal(event_text_parse_fields(EVENT_TEXT_DEFAULT_FIELDS, &mask, err, sizeof err), 0);
    assert_int_equal(event_text_compose(&p, mask, &b), 0);
    assert_string_equal(b.data, "Make statement. United States. Washington, District of Columbia,"
                                " United States. biden addresses nation");
    assert_int_equal(event_text_parse_fields("url, actor1", &mask, err, sizeof err), 0);
    assert_int_equal(event_text_compose(&p, mask, &b), 0);
    assert_string_equal(b.data, "United States. biden addresses nation");
    assert_int_equal(event_text_parse_fields("description,headline", &mask, err, sizeof err), -1);
    assert_non_null(strstr(err, "headline"));
    event_parts empty = {NULL, "", NULL, NULL, "https://x.example/1234567"};
    assert_int_equal(event_text_parse_fields(EVENT_TEXT_DEFAULT_FIELDS, &mask, err, sizeof err), 0);
    assert_int_equal(event_text_compose(&empty, mask, &b), 0);
    assert_string_equal(b.data, "");
    assert_int_equal(event_text_title("Donald_Trump_2024_presidential_campaign", &b), 0);
    assert_string_equal(b.data, "Donald Trump 2024 presidential campaign");
    buf_free(&b);
}

static void random_unit(float *v, size_t n, size_t dim, unsigned *seed)
{
    for (size_t i = 0; i < n; i++) {
        double norm = 0;
        for (size_t d = 0; d < dim; d++) {
            *seed = *seed * 1103515245u + 12345u;
            v[i * dim + d] = (float)((*seed >> 8) & 0xffff) / 65536.0f - 0.5f;
            norm += v[i * dim + d] * v[i * dim + d];
        }
        for (size_t d = 0; d < dim; d++) v[i * dim + d] /= (float)sqrt(norm);
    }
}

/* The blocked product with per-row top-k must give exactly what a pairwise loop gives, across
   block boundaries (more rows and columns than one block). */
static void test_simjoin_matches_bruteforce(void **state)
{
    (void)state;
    const size_t na = 600, nb = 4500, dim = 16;
    const int k = 3;
    const float thr = 0.55f;
    float *a = malloc(na * dim * sizeof *a), *b = malloc(nb * dim * sizeof *b);
    unsigned seed = 7;
    random_unit(a, na, dim, &seed);
    random_unit(b, nb, dim, &seed);
    simjoin_hits h = {0};
    assert_int_equal(simjoin_topk(a, na, b, nb, dim, thr, k, NULL, &h), 0);
    size_t hi = 0, total = 0;
    for (size_t i = 0; i < na; i++) {
        float best[3] = {-9, -9, -9};
        for (size_t j = 0; j < nb; j++) {
            float s = 0;
            for (size_t d = 0; d < dim; d++) s += a[i * dim + d] * b[j * dim + d];
            if (s < thr) continue;
            for (int t = 0; t < k; t++)
                if (s > best[t]) {
                    for (int u = k - 1; u > t; u--) best[u] = best[u - 1];
                    best[t] = s;
                    break;
                }
        }
        for (int t = 0; t < k && best[t] > -9; t++, hi++, total++) {
            assert_true(hi < h.n);
            assert_int_equal(h.v[hi].row, i);
            assert_true(fabsf(h.v[hi].sim - best[t]) < 1e-4f);
        }
    }
    assert_int_equal(h.n, total);
    assert_true(total > 100); /* the test says something */
    /* A per-row floor only lets better pairs through. */
    float *floor = malloc(na * sizeof *floor);
    for (size_t i = 0; i < na; i++) floor[i] = 0.9f;
    simjoin_hits h2 = {0};
    assert_int_equal(simjoin_topk(a, na, b, nb, dim, thr, k, floor, &h2), 0);
    for (size_t i = 0; i < h2.n; i++) assert_true(h2.v[i].sim > 0.9f);
    assert_true(h2.n < h.n);
    simjoin_hits_free(&h);
    simjoin_hits_free(&h2);
    free(floor);
    free(a);
    free(b);
}

static void test_eval_arithmetic(void **state)
{
    (void)state;
    float s[] = {0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f};
    int l[] = {1, 1, 0, 1, 0, 0};
    eval_result r;
    gold_eval_at(s, l, 6, 0.5, &r);
    assert_int_equal(r.tp, 2);
    assert_int_equal(r.fp, 1);
    assert_int_equal(r.fn, 1);
    assert_int_equal(r.tn, 2);
    assert_true(fabs(r.precision - 2.0 / 3) < 1e-9);
    assert_true(fabs(r.f1 - 2.0 / 3) < 1e-9);
    gold_eval_sweep(s, l, 6, 0.0, 1.0, 0.01, &r);
    /* Best: threshold in (0.3, 0.4] keeps the three related and one unrelated: F1 6/7. */
    assert_true(fabs(r.f1 - 6.0 / 7) < 1e-9);
    assert_true(r.threshold > 0.3 && r.threshold <= 0.4 + 1e-9);
}

static void test_eval_groups_and_interval(void **state)
{
    (void)state;
    /* Groups: equal keys share an id, numbered by first appearance. */
    const char *keys[] = {"e2", "e1", "e2", "e3", "e1", "e2"};
    size_t group[6];
    assert_int_equal(gold_eval_groups(keys, 6, group), 3);
    const size_t want[] = {0, 1, 0, 2, 1, 0};
    for (int i = 0; i < 6; i++) assert_int_equal(group[i], want[i]);

    /* A perfect scorer: every resample has F1 1, so the interval is 1-1. */
    float s[] = {0.9f, 0.1f, 0.8f, 0.2f, 0.7f, 0.3f, 0.95f, 0.05f};
    int l[] = {1, 0, 1, 0, 1, 0, 1, 0};
    size_t g[] = {0, 0, 1, 1, 2, 2, 3, 3};
    double lo, hi;
    assert_int_equal(gold_eval_bootstrap(s, l, g, 8, 4, 0.5, 500, 7, &lo, &hi), 0);
    assert_true(lo == 1.0 && hi == 1.0);

    /* An imperfect one: the interval holds the point F1, is not empty, and is the same for
       the same seed. Here F1 at 0.5 is 0.75 (tp 3, fp 1, fn 1). */
    float s2[] = {0.9f, 0.8f, 0.7f, 0.4f, 0.3f, 0.2f, 0.6f, 0.1f};
    int l2[] = {1, 1, 0, 1, 0, 0, 1, 0};
    size_t g2[] = {0, 1, 2, 3, 4, 5, 6, 7};
    double lo2, hi2;
    assert_int_equal(gold_eval_bootstrap(s2, l2, g2, 8, 8, 0.5, 2000, 11, &lo, &hi), 0);
    assert_true(lo < 0.75 && hi > 0.75 && lo < hi);
    assert_int_equal(gold_eval_bootstrap(s2, l2, g2, 8, 8, 0.5, 2000, 11, &lo2, &hi2), 0);
    assert_true(lo == lo2 && hi == hi2);
    /* Nothing to resample: a zero interval, not a crash. */
    assert_int_equal(gold_eval_bootstrap(s2, l2, g2, 0, 0, 0.5, 100, 1, &lo, &hi), 0);
    assert_true(lo == 0.0 && hi == 0.0);
}

/* ---- the flow ---------------------------------------------------------------------------- */

typedef struct fixture {
    char dir[64];
    char path[128];
    sqlite3 *db;
    config *cfg;
    embedder *emb;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/wg-gold-unit.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/lake.db", f->dir);
    char err[256];
    f->cfg = config_new();
    config_set(f->cfg, "correlate.threshold", "0.25");
    config_set(f->cfg, "embed.backend", "hash");
    if (store_open(f->path, f->cfg, 0, &f->db, err, sizeof err) != 0) return -1;
    if (gold_fixture_create(f->db) != 0) return -1;
    if (embedder_open(f->cfg, &f->emb, err, sizeof err) != 0) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    embedder_close(f->emb);
    store_close(f->db);
    config_free(f->cfg);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        return -999;
    }
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -998;
    sqlite3_finalize(st);
    return v;
}

static char *q_text(sqlite3 *db, const char *sql)
{
    static char out[512];
    sqlite3_stmt *st;
    out[0] = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void run_flow(fixture *f, int drain, gold_stats *st)
{
    char err[512] = "";
    memset(st, 0, sizeof *st);
    int rc = gold_correlate_run(f->db, f->cfg, f->emb, drain, st, err, sizeof err);
    if (rc) fprintf(stderr, "gold: %s\n", err);
    assert_int_equal(rc, 0);
}

static void test_flow_window_join(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    /* Bucket 2024-07-15 00:00..04:00: an earthquake story and a football story. */
    assert_int_equal(gold_fixture_event(db, 101, "2024-07-15 01:00:00", "043", "Consult",
                                        "JAPAN", NULL, "Tokyo, Tokyo, Japan", 35.7, 139.7,
                                        "https://news.example/2024/07/15/strong-earthquake-strikes-japan-coast/"), 0);
    assert_int_equal(gold_fixture_event(db, 102, "2024-07-15 01:30:00", "036",
                                        "Express intent to meet or negotiate", "SPAIN", "ENGLAND",
                                        "Berlin, Berlin, Germany", 52.5, 13.4,
                                        "https://news.example/sport/spain-beat-england-euro-2024-final/"), 0);
    assert_int_equal(gold_fixture_edit(db, "w1", "2024-07-15 00:10:00", "enwiki", "2024 Japan earthquake", "A", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "w2", "2024-07-15 00:20:00", "enwiki", "UEFA Euro 2024 final", "B", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "w3", "2024-07-15 00:30:00", "enwiki", "Phyllobates terribilis", "C", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "w4", "2024-07-15 00:40:00", "enwiki", "User talk:Someone", "C", 0), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.events_read, 2);
    assert_int_equal(st.edits_read, 4);
    assert_int_equal(st.content_edits, 3);
    assert_int_equal(st.new_titles, 3);
    assert_int_equal(st.open_buckets, 1);
    /* The earthquake event meets the earthquake page first; the final meets the final. */
    assert_string_equal(q_text(db, "SELECT title FROM correlated_gold_events WHERE EventID = 101 AND rank = 1"), "2024 Japan earthquake");
    assert_string_equal(q_text(db, "SELECT title FROM correlated_gold_events WHERE EventID = 102 AND rank = 1"), "UEFA Euro 2024 final");
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE title = 'Phyllobates terribilis'"), 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE title LIKE 'User talk%'"), 0);
    /* Lineage: silver ids of both sides, and the pair row carries the event's attributes. */
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events c JOIN gdelt_silver g ON g.silver_id = c.gdelt_silver_id AND g.EventID = c.EventID JOIN wikimedia_silver w ON w.silver_id = c.wiki_silver_id AND w.title = c.title WHERE c.EventCode = g.EventCode AND c.ActionGeo_Lat = g.ActionGeo_Lat"),
                     q_int(db, "SELECT COUNT(*) FROM correlated_gold_events"));
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_events WHERE status = 'open'"), 2);
    assert_string_equal(q_text(db, "SELECT best_title FROM gold_events WHERE EventID = 101"), "2024 Japan earthquake");
    assert_non_null(strstr(q_text(db, "SELECT event_text FROM gold_events WHERE EventID = 101"), "strong earthquake strikes japan coast"));
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_titles"), 3);

    /* Incremental, second run: more edits of a known title update edit_count in place; a new
       title is matched against the events of the earlier run. */
    assert_int_equal(gold_fixture_edit(db, "w5", "2024-07-15 02:00:00", "enwiki", "2024 Japan earthquake", "D", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "w6", "2024-07-15 02:05:00", "dewiki", "Erdbeben Japan 2024 earthquake", "E", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.new_titles, 1);
    assert_int_equal(q_int(db, "SELECT edit_count FROM correlated_gold_events WHERE EventID = 101 AND title = '2024 Japan earthquake'"), 2);
    assert_int_equal(q_int(db, "SELECT wiki_last_silver_id FROM correlated_gold_events WHERE EventID = 101 AND title = '2024 Japan earthquake'"),
                     q_int(db, "SELECT silver_id FROM wikimedia_silver WHERE event_id = 'w5'"));
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 101 AND wiki = 'dewiki'"), 1);
    /* Ranks stay a permutation 1..n per event, ordered by similarity. */
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events a JOIN correlated_gold_events b ON a.EventID = b.EventID AND a.rank < b.rank AND a.cosine_sim < b.cosine_sim"), 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM (SELECT EventID FROM correlated_gold_events GROUP BY EventID HAVING MAX(rank) <> COUNT(*))"), 0);
    int64_t pairs = q_int(db, "SELECT COUNT(*) FROM correlated_gold_events");

    /* A rerun with nothing new changes nothing. */
    run_flow(f, 0, &st);
    assert_int_equal(st.batches, 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events"), pairs);

    /* Both streams move 8 h on: the watermarks (max - 4 h) pass the first bucket's end and it
       closes; its state is dropped. */
    assert_int_equal(gold_fixture_event(db, 201, "2024-07-15 08:30:00", "010", "Make statement", "FRANCE", NULL, "Paris, France", 48.8, 2.3, "https://news.example/france-election-results-announced/"), 0);
    assert_int_equal(gold_fixture_edit(db, "w7", "2024-07-15 08:30:00", "frwiki", "France", "F", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.buckets_closed, 1);
    assert_string_equal(q_text(db, "SELECT status FROM gold_buckets WHERE time_bucket = '2024-07-15 00:00:00'"), "closed");
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_titles WHERE time_bucket = '2024-07-15 00:00:00'"), 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_events WHERE time_bucket = '2024-07-15 00:00:00'"), 0);
    assert_string_equal(q_text(db, "SELECT status FROM gold_events WHERE EventID = 101"), "matched");
    assert_string_equal(q_text(db, "SELECT value FROM checkpoints WHERE flow = 'gold.closed_before'"), "2024-07-15 04:30:00");
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM event_log WHERE flow = 'gold' AND kind = 'bucket_closed'"), 1);

    /* Late arrivals for the closed bucket: kept in gold_late, counted, never joined. */
    assert_int_equal(gold_fixture_event(db, 103, "2024-07-15 03:00:00", "043", "Consult", "JAPAN", NULL, "Tokyo", 35.7, 139.7, "https://news.example/japan-earthquake-aftershock/"), 0);
    assert_int_equal(gold_fixture_edit(db, "w8", "2024-07-15 03:30:00", "enwiki", "2024 Japan earthquake", "G", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.late_events, 1);
    assert_int_equal(st.late_edits, 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_late"), 2);
    assert_string_equal(q_text(db, "SELECT status FROM gold_events WHERE EventID = 103"), "late");
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 103"), 0);
    assert_int_equal(q_int(db, "SELECT edit_count FROM correlated_gold_events WHERE EventID = 101 AND title = '2024 Japan earthquake'"), 2);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM event_log WHERE flow = 'gold' AND kind = 'late'"), 1);
    assert_int_equal(q_int(db, "SELECT late_events + late_edits FROM gold_buckets WHERE time_bucket = '2024-07-15 00:00:00'"), 2);

    /* Drain: the input has ended, every bucket closes. Mismatch: the late event out of the 4
       closed-or-late events. */
    run_flow(f, 1, &st);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_buckets WHERE status = 'open'"), 0);
    assert_int_equal(q_int(db, "SELECT open FROM gold_mismatch"), 0);
    assert_int_equal(q_int(db, "SELECT late FROM gold_mismatch"), 1);
    assert_int_equal(q_int(db, "SELECT events FROM gold_mismatch"), 4);
    assert_int_equal(q_int(db, "SELECT late_edits FROM gold_mismatch"), 1);
    assert_int_equal(q_int(db, "SELECT CAST(mismatch_rate * 100 AS INTEGER) FROM gold_mismatch"), 25);
    /* The report's queries run on gold. */
    assert_true(q_int(db, "SELECT COUNT(*) FROM (SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) AS similarity FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2)") >= 2);
    assert_int_equal(q_int(db, "SELECT SUM(events) FROM (SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) AS events FROM gold_events GROUP BY 1,2)"), 4);
}

/* An event's list keeps only its top-k: a better title arriving later pushes the worst out. */
static void test_flow_topk_and_no_partner(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    config_set(f->cfg, "correlate.top_k", "2");
    config_set(f->cfg, "correlate.threshold", "0.05");
    assert_int_equal(gold_fixture_event(db, 1, "2024-07-15 01:00:00", "190", "Use conventional military force", "ISRAEL", "HAMAS", "Gaza, Israel (general), Israel", 31.5, 34.4, "https://news.example/israel-strikes-gaza-city-hamas/"), 0);
    assert_int_equal(gold_fixture_edit(db, "a1", "2024-07-15 00:10:00", "enwiki", "Israel", "A", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "a2", "2024-07-15 00:11:00", "enwiki", "Gaza City", "A", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 1"), 2);
    assert_int_equal(gold_fixture_edit(db, "a3", "2024-07-15 00:12:00", "enwiki", "Israel strikes Gaza City Hamas", "A", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 1"), 2);
    assert_string_equal(q_text(db, "SELECT title FROM correlated_gold_events WHERE EventID = 1 AND rank = 1"), "Israel strikes Gaza City Hamas");
    assert_int_equal(st.pairs_pruned, 1);
    assert_string_equal(q_text(db, "SELECT best_title FROM gold_events WHERE EventID = 1"), "Israel strikes Gaza City Hamas");
    assert_int_equal(q_int(db, "SELECT match_count FROM gold_events WHERE EventID = 1"), 2);
    /* An event in a window with no edit at all: no partner because the streams do not overlap. */
    assert_int_equal(gold_fixture_event(db, 2, "2024-07-16 01:00:00", "010", "Make statement", "CHINA", NULL, "Beijing", 39.9, 116.4, "https://news.example/china-statement/"), 0);
    run_flow(f, 1, &st);
    assert_string_equal(q_text(db, "SELECT status FROM gold_events WHERE EventID = 2"), "no_partner_window");
    assert_string_equal(q_text(db, "SELECT status FROM gold_events WHERE EventID = 1"), "matched");
    assert_int_equal(q_int(db, "SELECT CAST(mismatch_rate * 100 AS INTEGER) FROM gold_mismatch"), 50);
}

/* An event at 03:59 meets an edit at 04:01 only with neighbouring-bucket matching. */
static void test_flow_neighbour_buckets(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    config_set(f->cfg, "correlate.neighbour_buckets", "true");
    assert_int_equal(gold_fixture_event(db, 7, "2024-07-15 03:59:00", "190", "Fight", "UKRAINE", "RUSSIA", "Kyiv, Ukraine", 50.4, 30.5, "https://news.example/russian-missile-strike-kyiv-hospital/"), 0);
    assert_int_equal(gold_fixture_edit(db, "n1", "2024-07-15 04:01:00", "enwiki", "Okhmatdyt missile strike Kyiv hospital", "A", 1), 0);
    run_flow(f, 0, &st);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 7 AND title_time_bucket = '2024-07-15 04:00:00' AND time_bucket = '2024-07-15 00:00:00'"), 1);
    /* And the other way round: a later event meets an earlier bucket's title. */
    assert_int_equal(gold_fixture_edit(db, "n2", "2024-07-15 03:58:00", "enwiki", "Paris 2024 Olympics opening ceremony", "B", 1), 0);
    assert_int_equal(gold_fixture_event(db, 8, "2024-07-15 04:02:00", "010", "Make statement", "FRANCE", NULL, "Paris, France", 48.8, 2.3, "https://news.example/paris-olympics-opening-ceremony-plans/"), 0);
    run_flow(f, 1, &st);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 8 AND title_time_bucket = '2024-07-15 00:00:00'"), 1);
}

/* Steiner et al.: 5 edits by 2 editors with no gap over 60 s make a burst; a gap resets. */
static void test_bursts(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    const char *times[] = {"2024-07-15 01:00:00", "2024-07-15 01:00:50", "2024-07-15 01:01:40",
                           "2024-07-15 01:02:30", "2024-07-15 01:03:20", "2024-07-15 01:03:50"};
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        assert_int_equal(gold_fixture_edit(db, id, times[i], "enwiki", "Attempted assassination of Donald Trump", i % 2 ? "Alice" : "Bob", 1), 0);
    }
    /* One editor only: no burst however many edits. */
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        assert_int_equal(gold_fixture_edit(db, id, times[i], "enwiki", "Sandbox page", "Solo", 1), 0);
    }
    /* Gaps over 60 s: no burst. */
    const char *slow[] = {"2024-07-15 01:00:00", "2024-07-15 01:02:00", "2024-07-15 01:04:00",
                          "2024-07-15 01:06:00", "2024-07-15 01:08:00"};
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "g%d", i);
        assert_int_equal(gold_fixture_edit(db, id, slow[i], "enwiki", "Slow page", i % 2 ? "X" : "Y", 1), 0);
    }
    assert_int_equal(gold_fixture_event(db, 9, "2024-07-15 01:30:00", "180", "Use unconventional violence", "DONALD TRUMP", NULL, "Butler, Pennsylvania, United States", 40.8, -79.9, "https://news.example/trump-assassination-attempt-butler-rally/"), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.bursts, 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM breaking_news_bursts"), 1);
    assert_int_equal(q_int(db, "SELECT edit_count FROM breaking_news_bursts"), 6);
    assert_int_equal(q_int(db, "SELECT editor_count FROM breaking_news_bursts"), 2);
    assert_string_equal(q_text(db, "SELECT burst_start FROM breaking_news_bursts"), "2024-07-15 01:00:00");
    assert_string_equal(q_text(db, "SELECT breaking_until FROM breaking_news_bursts"), "2024-07-15 01:07:50");
    /* The news behind it. No longer breaking: the stream has reached 01:08 (the slow page). */
    assert_int_equal(q_int(db, "SELECT EventID FROM breaking_news_gold WHERE title = 'Attempted assassination of Donald Trump'"), 9);
    /* with the score it was paired by: the pair's own match_score */
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM breaking_news_gold b JOIN correlated_gold_events c"
                               " ON c.EventID = b.EventID AND c.title = b.title"
                               " WHERE b.match_score IS NOT NULL AND b.match_score = c.match_score"
                               " AND b.title = 'Attempted assassination of Donald Trump'"), 1);
    /* A page erupting at the head of the stream is active. */
    for (int i = 0; i < 5; i++) {
        char id[16], t[TIME_TEXT_LEN];
        snprintf(id, sizeof id, "n%d", i);
        time_format(1721007000 + i * 30, t); /* 2024-07-15 01:30:00 + 30 s steps */
        assert_int_equal(gold_fixture_edit(db, id, t, "enwiki", "Butler Farm Show", i % 2 ? "Carol" : "Dan", 1), 0);
    }
    run_flow(f, 0, &st);
    assert_int_equal(st.bursts, 1);
    assert_int_equal(q_int(db, "SELECT active FROM breaking_news_gold WHERE title = 'Butler Farm Show'"), 1);
    assert_int_equal(q_int(db, "SELECT active FROM breaking_news_gold WHERE title = 'Attempted assassination of Donald Trump'"), 0);
}

/* A long-lived handle (the continuous pipeline) keeps its state between steps; a handle opened
   afterwards on the same store carries on from what was committed. */
static void test_flow_handle(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    char err[512] = "";
    gold_flow *h;
    assert_int_equal(gold_flow_open(db, f->cfg, f->emb, &h, err, sizeof err), 0);
    assert_int_equal(gold_fixture_event(db, 1, "2024-07-15 01:00:00", "043", "Consult", "JAPAN", NULL, "Tokyo", 35.7, 139.7, "https://news.example/strong-earthquake-strikes-japan-coast/"), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_flow_step(h, 0, &st, err, sizeof err), 0);
    assert_int_equal(st.events_read, 1);
    assert_int_equal(gold_flow_open_buckets(h), 1);
    assert_int_equal(gold_fixture_edit(db, "h1", "2024-07-15 01:10:00", "enwiki", "2024 Japan earthquake", "A", 1), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_flow_step(h, 0, &st, err, sizeof err), 0);
    assert_int_equal(st.pairs_written, 1);
    gold_flow_close(h);
    /* A new handle reloads the open bucket from the store and goes on. */
    assert_int_equal(gold_flow_open(db, f->cfg, f->emb, &h, err, sizeof err), 0);
    assert_int_equal(gold_flow_open_buckets(h), 1);
    assert_int_equal(gold_fixture_edit(db, "h2", "2024-07-15 01:20:00", "enwiki", "Japan earthquake 2024 strikes coast", "B", 1), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_flow_step(h, 1, &st, err, sizeof err), 0);
    assert_int_equal(st.pairs_written, 1);
    assert_int_equal(gold_flow_open_buckets(h), 0);
    gold_flow_close(h);
    assert_int_equal(q_int(db, "SELECT match_count FROM gold_events WHERE EventID = 1"), 2);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events WHERE rank IN (1, 2)"), 2);
}

/* A batch that fails half-way (here a trigger refuses one pair) leaves nothing behind: output,
   state and checkpoints roll back together, the handle reloads, and the retry writes every row
   exactly once. Rows with no usable event_time are skipped and logged. */
static void test_failed_batch_rolls_back(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    char err[512] = "";
    gold_flow *h;
    assert_int_equal(gold_flow_open(db, f->cfg, f->emb, &h, err, sizeof err), 0);
    assert_int_equal(gold_fixture_event(db, 1, "2024-07-15 01:00:00", "043", "Consult", "JAPAN", NULL, "Tokyo", 35.7, 139.7, "https://news.example/strong-earthquake-strikes-japan-coast/"), 0);
    assert_int_equal(gold_fixture_edit(db, "f1", "2024-07-15 01:10:00", "enwiki", "2024 Japan earthquake", "A", 1), 0);
    assert_int_equal(gold_fixture_edit(db, "f2", "not a time", "enwiki", "Whatever", "A", 1), 0);
    assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON correlated_gold_events"
                                      " BEGIN SELECT RAISE(ABORT, 'injected failure'); END", NULL, NULL, NULL), SQLITE_OK);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_flow_step(h, 0, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "injected failure"));
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_events"), 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_titles"), 0);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM checkpoints WHERE flow LIKE 'gold.%'"), 0);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_flow_step(h, 0, &st, err, sizeof err), 0);
    assert_int_equal(st.events_read, 1);
    assert_int_equal(st.edits_read, 2);
    assert_int_equal(st.bad_rows, 1);
    assert_int_equal(st.pairs_written, 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_events"), 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM correlated_gold_events"), 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_titles"), 1);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM event_log WHERE kind = 'bad_rows'"), 1);
    gold_flow_close(h);
}

/* One stream alone never moves both watermarks; the open-bucket cap still bounds memory. */
static void test_open_bucket_cap(void **state)
{
    fixture *f = *state;
    sqlite3 *db = f->db;
    gold_stats st;
    config_set(f->cfg, "correlate.max_open_buckets", "2");
    const char *times[] = {"2024-07-15 01:00:00", "2024-07-15 05:00:00", "2024-07-15 09:00:00",
                           "2024-07-15 13:00:00"};
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        assert_int_equal(gold_fixture_edit(db, id, times[i], "enwiki", "Some page", "U", 1), 0);
    }
    run_flow(f, 0, &st);
    assert_int_equal(st.open_buckets, 2);
    assert_int_equal(st.buckets_closed, 2);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM event_log WHERE kind = 'bucket_forced_close'"), 2);
    assert_int_equal(q_int(db, "SELECT COUNT(*) FROM gold_open_titles"), 2);
    /* An event for a force-closed bucket is late. */
    assert_int_equal(gold_fixture_event(db, 3, "2024-07-15 02:00:00", "010", "Make statement", NULL, NULL, NULL, 0, 0, NULL), 0);
    run_flow(f, 0, &st);
    assert_int_equal(st.late_events, 1);
    assert_string_equal(q_text(db, "SELECT status FROM gold_events WHERE EventID = 3"), "late");
}

static void test_missing_silver(void **state)
{
    (void)state;
    char dir[] = "/tmp/wg-gold-unit2.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[512] = "";
    snprintf(path, sizeof path, "%s/lake.db", dir);
    config *cfg = config_new();
    sqlite3 *db;
    embedder *emb;
    assert_int_equal(store_open(path, cfg, 0, &db, err, sizeof err), 0);
    assert_int_equal(embedder_open(cfg, &emb, err, sizeof err), 0);
    /* A build without the silver components: their tables are absent. */
    assert_int_equal(sqlite3_exec(db, "DROP TABLE IF EXISTS gdelt_silver; DROP TABLE IF EXISTS"
                                      " wikimedia_silver;", NULL, NULL, NULL), SQLITE_OK);
    gold_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(gold_correlate_run(db, cfg, emb, 0, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "refine"));
    config_set(cfg, "correlate.event_text_fields", "description,bogus");
    assert_int_equal(gold_fixture_create(db), 0);
    assert_int_equal(gold_correlate_run(db, cfg, emb, 0, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "bogus"));
    embedder_close(emb);
    store_close(db);
    config_free(cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_words),
        cmocka_unit_test(test_compose),
        cmocka_unit_test(test_simjoin_matches_bruteforce),
        cmocka_unit_test(test_eval_arithmetic),
        cmocka_unit_test(test_eval_groups_and_interval),
        cmocka_unit_test_setup_teardown(test_flow_window_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_topk_and_no_partner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_neighbour_buckets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bursts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_bucket_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_batch_rolls_back, setup, teardown),
        cmocka_unit_test(test_missing_silver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
