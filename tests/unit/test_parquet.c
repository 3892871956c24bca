/* Unit tests for the Parquet writer's encodings: the Thrift compact protocol, the RLE/bit-packed
 * hybrid (the format specification's own example), timestamps, level checks and the file frame.
 * Reading the files back with real engines is tests/integration/test_export_delta.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "export/parquet.h"
#include "export/thrift_compact.h"

static void assert_bytes(const buf *b, const unsigned char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void test_thrift_compact(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    tc_writer t;
    tc_init(&t, &b);
    tc_i32(&t, 1, 5);          /* delta 1, type i32; zigzag(5) = 10 */
    tc_string(&t, 4, "ab");    /* delta 3, binary */
    tc_struct_begin(&t, 10);   /* delta 6, struct */
    tc_bool(&t, 1, 1);         /* delta 1, true */
    tc_struct_end(&t);
    tc_i64(&t, 30, -1);        /* delta 20 > 15: long form, type then zigzag(30) = 60; zigzag(-1) = 1 */
    tc_list_begin(&t, 31, TC_I32, 2);
    tc_elem_i32(&t, 3);
    tc_elem_i32(&t, -2);
    assert_int_equal(tc_finish(&t), 0);
    static const unsigned char want[] = {0x15, 0x0a, 0x38, 0x02, 'a', 'b', 0x6c, 0x11, 0x00,
                                         0x06, 0x3c, 0x01, 0x19, 0x25, 0x06, 0x03, 0x00};
    assert_bytes(&b, want, sizeof want);
    buf_free(&b);
}

static void test_rle_hybrid(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    /* The specification's example: 0..7 at bit width 3 is one bit-packed group 88 C6 FA. */
    uint32_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    assert_int_equal(pq_rle_hybrid(&b, seq, 8, 3), 0);
    static const unsigned char want1[] = {0x03, 0x88, 0xc6, 0xfa};
    assert_bytes(&b, want1, sizeof want1);
    /* Ten equal values: one RLE run (header 10 << 1, then the value in one byte). */
    buf_reset(&b);
    uint32_t ones[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(pq_rle_hybrid(&b, ones, 10, 1), 0);
    static const unsigned char want2[] = {0x14, 0x01};
    assert_bytes(&b, want2, sizeof want2);
    /* Three values, then a run: a padded bit-packed group, then... the run follows it. */
    buf_reset(&b);
    uint32_t mix[19] = {1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(pq_rle_hybrid(&b, mix, 19, 1), 0);
    static const unsigned char want3[] = {0x03, 0x05, 0x16, 0x00};  /* group of 8, run of 11 zeros */
    assert_bytes(&b, want3, sizeof want3);
    /* A width of 9 bits takes 2 bytes per RLE value. */
    buf_reset(&b);
    uint32_t wide[8] = {300, 300, 300, 300, 300, 300, 300, 300};
    assert_int_equal(pq_rle_hybrid(&b, wide, 8, 9), 0);
    static const unsigned char want4[] = {0x10, 0x2c, 0x01};
    assert_bytes(&b, want4, sizeof want4);
    buf_free(&b);
}

static void test_timestamps(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(pq_parse_timestamp("2024-07-15 00:00:00", 19, &us), 0);
    assert_true(us == 1721001600000000LL);
    assert_int_equal(pq_parse_timestamp("2024-07-15T00:00:00.5Z", 22, &us), 0);
    assert_true(us == 1721001600500000LL);
    assert_int_equal(pq_parse_timestamp("1969-12-31 23:59:59", 19, &us), 0);
    assert_true(us == -1000000LL);
    assert_int_equal(pq_parse_timestamp("2024-02-29", 10, &us), 0);
    assert_true(us == 1709164800000000LL);
    assert_int_equal(pq_parse_timestamp("2024-07-15 25:00:00", 19, &us), -1);
    assert_int_equal(pq_parse_timestamp("2024-07-15 00:00", 16, &us), -1);
    assert_int_equal(pq_parse_timestamp("yesterday!", 10, &us), -1);
    assert_int_equal(pq_parse_timestamp("2024-07-15 00:00:00x", 20, &us), -1);
}

static void test_file_frame_and_levels(void **state)
{
    (void)state;
    char path[] = "/tmp/wg-parquet-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static const pq_node schema[] = {
        {"id", 0, PQ_INT64, PQ_OPTIONAL, 0},
        {"name", 0, PQ_STRING, PQ_OPTIONAL, 0},
        {"tags", 1, 0, PQ_OPTIONAL, PQ_GROUP_LIST},
        {"list", 1, 0, PQ_REPEATED, 0},
        {"element", 0, PQ_STRING, PQ_OPTIONAL, 0},
    };
    pq_options opt;
    pq_options_default(&opt);
    opt.row_group_rows = 2;   /* several row groups */
    char err[256];
    pq_writer *w = pq_open(path, schema, 5, &opt, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pq_num_columns(w), 3);
    assert_int_equal(pq_max_def(w, 2), 3);
    for (int r = 0; r < 5; r++) {
        pq_value id = {.i = r};
        pq_value name = {.s = "x", .len = 1};
        assert_int_equal(pq_put_flat(w, 0, &id), 0);
        assert_int_equal(pq_put_flat(w, 1, r % 2 ? &name : NULL), 0);
        assert_int_equal(pq_put(w, 2, 0, 3, &name), 0);
        assert_int_equal(pq_put(w, 2, 1, 2, NULL), 0);   /* a NULL element */
        assert_int_equal(pq_end_row(w), 0);
    }
    /* Levels out of range are refused, and a value is required at the top level. */
    assert_int_equal(pq_put(w, 2, 2, 3, &(pq_value){0}), -1);
    assert_int_equal(pq_put(w, 0, 0, 1, NULL), -1);
    assert_int_equal(pq_put(w, 7, 0, 0, NULL), -1);
    int64_t size = 0;
    assert_int_equal(pq_close(w, &size, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char head[4], tail[8];
    assert_int_equal(fread(head, 1, 4, f), 4);
    assert_int_equal(fseek(f, -8, SEEK_END), 0);
    assert_int_equal(fread(tail, 1, 8, f), 8);
    long end = ftell(f);
    fclose(f);
    unlink(path);
    assert_memory_equal(head, "PAR1", 4);
    assert_memory_equal(tail + 4, "PAR1", 4);
    uint32_t footer;
    memcpy(&footer, tail, 4);
    assert_true(footer > 0 && footer < (uint32_t)end);
    assert_int_equal(end, size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thrift_compact),
        cmocka_unit_test(test_rle_hybrid),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_file_frame_and_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
