/* The SQL API's JSON writer: strings escaped per RFC 8259 with bytes that are not UTF-8 replaced
 * (so every answer parses), and SQLite values by storage class with floats in the shortest text
 * that reads back as the same double. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "format/utf8.h"
#include "serve/serve_internal.h"

static char *escaped(const char *s, size_t n)
{
    buf b = BUF_INIT;
    json_append_string(&b, s, n);
    return buf_detach(&b);
}

static void test_strings(void **state)
{
    (void)state;
    char *e = escaped("a\"b\\c\n\t\x01z", 9);
    assert_string_equal(e, "\"a\\\"b\\\\c\\n\\t\\u0001z\"");
    free(e);
    e = escaped("Zürich – 東京 😀", strlen("Zürich – 東京 😀"));
    assert_string_equal(e, "\"Zürich – 東京 😀\"");
    free(e);
    /* a lone continuation byte, a truncated sequence, an overlong '/', a UTF-16 surrogate */
    const char bad[] = "x\x80y\xe2\x82z\xc0\xafw\xed\xa0\x80v";
    e = escaped(bad, sizeof bad - 1);
    json_t *j = json_loads(e, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    assert_true(utf8_valid(json_string_value(j), strlen(json_string_value(j)), NULL));
    assert_non_null(strstr(json_string_value(j), "\xef\xbf\xbd"));
    assert_int_equal(json_string_value(j)[0], 'x');
    json_decref(j);
    free(e);
    assert_false(utf8_valid(bad, sizeof bad - 1, NULL));
    assert_true(utf8_valid("plain", 5, NULL));
    /* embedded NUL bytes are escaped, not the end of the string */
    e = escaped("a\0b", 3);
    assert_string_equal(e, "\"a\\u0000b\"");
    free(e);
}

static void test_columns(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *st;
    /* The doubles are bound from C literals: SQLite's own text-to-double conversion uses long
     * double, which Valgrind emulates at 64 bits, so a literal in the SQL can come out 1 ulp off. */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1, -9223372036854775808, ?1, 3.0, ?2, ?3, NULL, 't\"x', x'0001', 9e999",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_double(st, 1, 0.1);
    sqlite3_bind_double(st, 2, 1e300);
    sqlite3_bind_double(st, 3, 2.5e-8);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    buf b = BUF_INIT;
    buf_append_str(&b, "[");
    for (int c = 0; c < sqlite3_column_count(st); c++) {
        if (c) buf_append_str(&b, ",");
        json_append_column(&b, st, c);
    }
    buf_append_str(&b, "]");
    assert_string_equal(b.data, "[1,-9223372036854775808,0.1,3.0,1e+300,2.5e-08,null,\"t\\\"x\",\"<blob 2 bytes>\",null]");
    json_t *j = json_loads(b.data, 0, NULL);
    assert_non_null(j);
    assert_true(json_real_value(json_array_get(j, 2)) == 0.1);
    json_decref(j);
    buf_free(&b);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
