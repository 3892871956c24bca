/* The settings table: lookup (exact names and families), value checks by type and range, and
 * validation of a whole configuration (the first unknown key or bad value, with its origin). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/settings.h"

static void test_find(void **state)
{
    (void)state;
    const setting *s = settings_find("wiki.batch_events");
    assert_non_null(s);
    assert_int_equal(s->type, SETTING_INT);
    assert_string_equal(s->def, "1000");
    assert_null(settings_find("wiki.batch_event"));
    assert_null(settings_find("wiki"));
    assert_non_null(settings_find("expect.gdelt_silver.id"));
    assert_null(settings_find("expect.gdelt_silver.idd"));
    /* every name is unique and described */
    size_t n;
    const setting *t = settings_table(&n);
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].desc && *t[i].desc);
        for (size_t j = i + 1; j < n; j++) assert_string_not_equal(t[i].name, t[j].name);
        if (t[i].def && t[i].type != SETTING_STR) {
            char err[256];
            assert_int_equal(settings_check(&t[i], t[i].name, t[i].def, err, sizeof err), 0);
        }
    }
}

static void test_check(void **state)
{
    (void)state;
    char err[256];
    const setting *i = settings_find("correlate.top_k");
    assert_int_equal(settings_check(i, "correlate.top_k", "1", err, sizeof err), 0);
    assert_int_equal(settings_check(i, "correlate.top_k", "100", err, sizeof err), 0);
    assert_int_equal(settings_check(i, "correlate.top_k", "101", err, sizeof err), -1);
    assert_non_null(strstr(err, "correlate.top_k = '101': must be 1..100"));
    assert_int_equal(settings_check(i, "correlate.top_k", "0", err, sizeof err), -1);
    assert_int_equal(settings_check(i, "correlate.top_k", "5x", err, sizeof err), -1);
    assert_int_equal(settings_check(i, "correlate.top_k", "", err, sizeof err), -1);
    assert_int_equal(settings_check(i, "correlate.top_k", "99999999999999999999", err, sizeof err), -1);
    const setting *d = settings_find("correlate.threshold");
    assert_int_equal(settings_check(d, "correlate.threshold", "-1", err, sizeof err), 0);
    assert_int_equal(settings_check(d, "correlate.threshold", "0.35", err, sizeof err), 0);
    assert_int_equal(settings_check(d, "correlate.threshold", "nan", err, sizeof err), -1);
    assert_int_equal(settings_check(d, "correlate.threshold", "1.0001", err, sizeof err), -1);
    const setting *b = settings_find("correlate.neighbour_buckets");
    assert_int_equal(settings_check(b, "k", "TRUE", err, sizeof err), 0);
    assert_int_equal(settings_check(b, "k", "off", err, sizeof err), 0);
    assert_int_equal(settings_check(b, "k", "2", err, sizeof err), -1);
    const setting *e = settings_find("embed.precision");
    assert_int_equal(settings_check(e, "embed.precision", "int8", err, sizeof err), 0);
    assert_int_equal(settings_check(e, "embed.precision", "int", err, sizeof err), -1);
    assert_int_equal(settings_check(e, "embed.precision", "int88", err, sizeof err), -1);
    assert_int_equal(settings_check(e, "embed.precision", "", err, sizeof err), -1);
}

static void test_validate(void **state)
{
    (void)state;
    char err[512];
    config *c = config_new();
    assert_int_equal(config_set_pair(c, "wiki.batch_events=5", err, sizeof err), 0);
    assert_int_equal(settings_validate(c, NULL, err, sizeof err), 0);
    assert_string_equal(config_origin(c, "wiki.batch_events"), "--set");
    assert_int_equal(setting_int(c, "wiki.batch_events"), 5);
    assert_int_equal(setting_int(c, "wiki.batch_ms"), 1000); /* the table's default */
    assert_string_equal(setting_str(c, "store.synchronous"), "normal");
    assert_int_equal(setting_bool(c, "correlate.neighbour_buckets"), 0);
    config_set(c, "wiki.bogus", "1");
    assert_string_equal(config_origin(c, "wiki.bogus"), "command");
    assert_int_equal(settings_validate(c, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown setting 'wiki.bogus'"));
    config_free(c);
    c = config_new();
    config_set(c, "store.busy_timeout_ms", "-5");
    assert_int_equal(settings_validate(c, "x.conf", err, sizeof err), -1);
    assert_non_null(strstr(err, "store.busy_timeout_ms = '-5': must be 0.."));
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
