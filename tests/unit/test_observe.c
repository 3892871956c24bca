/* Unit tests for observe: percentiles and fine buckets, a flow batch's progress row and counters,
 * the Prometheus rendering of counters and histograms, pending counters, readiness reasons. */
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
#include "observe/observe.h"
#include "store/store.h"

static void test_percentile(void **state)
{
    (void)state;
    double v[100];
    for (int i = 0; i < 100; i++) v[i] = i + 1;
    assert_true(obs_percentile(v, 100, 0.50) == 50);
    assert_true(obs_percentile(v, 100, 0.95) == 95);
    assert_true(obs_percentile(v, 100, 0.99) == 99);
    assert_true(obs_percentile(v, 1, 0.99) == 1);
    assert_true(isnan(obs_percentile(v, 0, 0.5)));
}

static void test_fine_buckets(void **state)
{
    (void)state;
    /* every value maps to a bucket whose representative is within 5% of it */
    for (double s = 0.002; s < 1e8; s *= 1.37) {
        double r = obs_fine_value(obs_fine_bucket(s));
        assert_true(fabs(r - s) <= 0.0501 * s);
    }
    assert_int_equal(obs_fine_bucket(0), 0);
    assert_int_equal(obs_fine_bucket(-3), 0);
    assert_true(obs_fine_bucket(0.5) < obs_fine_bucket(0.6));
}

typedef struct fixture {
    char dir[64], path[128];
    sqlite3 *db;
    config *cfg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wg-obs-unit.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/wikigdelt.db", f->dir);
    f->cfg = config_new();
    char err[512];
    if (store_open(f->path, f->cfg, 0, &f->db, err, sizeof err) != 0) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->db);
    config_free(f->cfg);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_flow_batch_and_render(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_begin(f->db), 0);
    assert_int_equal(store_exec(f->db,
                                "INSERT INTO expectation_counts(ts, flow, batch_id, rule, action, checked, failed)"
                                " VALUES ('2026-01-01 00:00:00', 'unit', 'b1', 'has \"quote\"', 'warn', 10, 3)",
                                NULL, 0), 0);
    obs_count("wikigdelt_source_reconnects_total", "source=\"wiki\"", 2);
    obs_batch b = {.flow = "unit", .batch_id = "b1", .start_ms = time_now_ms() - 250, .input_rows = 10,
                   .output_rows = 7, .lag_seconds = 1.5, .watermark = "2026-01-01 00:00:00"};
    assert_int_equal(obs_flow_batch(f->db, f->cfg, &b), 0);
    b.batch_id = "b2";
    b.error = "boom";
    assert_int_equal(obs_flow_batch(f->db, f->cfg, &b), 0);
    assert_int_equal(store_commit(f->db), 0);

    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND flow='unit'"), 2);
    assert_int_equal(q_int(f->db, "SELECT json_extract(details, '$.output_rows') FROM event_log WHERE kind='flow_progress' ORDER BY id LIMIT 1"), 7);
    assert_int_equal(q_int(f->db, "SELECT json_extract(details, '$.expectations[0].failed') FROM event_log WHERE kind='flow_progress' ORDER BY id LIMIT 1"), 3);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND level='error'"), 1);
    assert_true(q_int(f->db, "SELECT CAST(json_extract(details, '$.duration_seconds') * 1000 AS INTEGER) FROM event_log WHERE kind='flow_progress' ORDER BY id LIMIT 1") >= 250);

    buf out = BUF_INIT;
    assert_int_equal(obs_render_prometheus(f->db, f->path, &out), 0);
    assert_non_null(strstr(out.data, "# TYPE wikigdelt_flow_output_rows_total counter\n"));
    assert_non_null(strstr(out.data, "wikigdelt_flow_output_rows_total{flow=\"unit\"} 14\n"));
    assert_non_null(strstr(out.data, "wikigdelt_flow_errors_total{flow=\"unit\"} 1\n"));
    assert_non_null(strstr(out.data, "wikigdelt_flow_lag_seconds{flow=\"unit\"} 1.5\n"));
    /* a label value with quotes is escaped */
    assert_non_null(strstr(out.data, "rule=\"has \\\"quote\\\"\""));
    assert_non_null(strstr(out.data, "wikigdelt_source_reconnects_total{source=\"wiki\"} 2\n"));
    /* the batch-duration histogram: cumulative buckets ending with +Inf = count */
    assert_non_null(strstr(out.data, "wikigdelt_flow_batch_duration_seconds_bucket{flow=\"unit\",le=\"0.1\"} 0\n"));
    assert_non_null(strstr(out.data, "wikigdelt_flow_batch_duration_seconds_bucket{flow=\"unit\",le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(out.data, "wikigdelt_flow_batch_duration_seconds_count{flow=\"unit\"} 2\n"));
    assert_non_null(strstr(out.data, "wikigdelt_sqlite_database_bytes "));
    buf_free(&out);

    buf j = BUF_INIT;
    assert_int_equal(obs_render_otlp_json(f->db, f->path, "1.2.3", &j), 0);
    assert_non_null(strstr(j.data, "\"service.name\",\"value\":{\"stringValue\":\"wikigdelt\"}"));
    assert_non_null(strstr(j.data, "\"name\":\"wikigdelt_flow_output_rows\""));
    buf_free(&j);

    /* the last batch failed: not ready, and the reason names the flow */
    char reason[512];
    config_set(f->cfg, "observe.source_stale_seconds.gdelt_bronze", "0");
    config_set(f->cfg, "observe.source_stale_seconds.wikimedia_bronze", "0");
    assert_int_equal(obs_ready(f->db, f->cfg, f->dir, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "flow unit failed its last batch"));
}

static void test_ready_reasons(void **state)
{
    fixture *f = *state;
    char reason[512];
    assert_int_equal(obs_ready(f->db, f->cfg, f->dir, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "source gdelt_bronze has not committed a batch yet"));
    config_set(f->cfg, "observe.source_stale_seconds.gdelt_bronze", "0");
    config_set(f->cfg, "observe.source_stale_seconds.wikimedia_bronze", "0");
    assert_int_equal(obs_ready(f->db, f->cfg, f->dir, reason, sizeof reason), 1);
    config_set(f->cfg, "observe.min_free_mb", "999999999");
    assert_int_equal(obs_ready(f->db, f->cfg, f->dir, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "disk nearly full"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_fine_buckets),
        cmocka_unit_test_setup_teardown(test_flow_batch_and_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready_reasons, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
