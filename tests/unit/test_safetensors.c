/* safetensors reader: a valid file reads back; every kind of malformed file is a clear error that
 * names the file (and the tensor), never a crash or an out-of-bounds read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed/safetensors.h"

static char path[64];

/* Writes u64 header length (claimed; 0 = the real one), header, then data_len bytes. */
static void write_file(const char *header, uint64_t claimed, size_t data_len)
{
    strcpy(path, "/tmp/wg-st-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint64_t hl = claimed ? claimed : strlen(header);
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(hl >> (8 * i));
    assert_int_equal(write(fd, le, 8), 8);
    assert_int_equal(write(fd, header, strlen(header)), (ssize_t)strlen(header));
    for (size_t i = 0; i < data_len; i++) {
        float f = (float)i;
        unsigned char b = (unsigned char)i;
        (void)f;
        assert_int_equal(write(fd, &b, 1), 1);
    }
    close(fd);
}

static const char *good =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
    "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}}";

static void expect_open_error(const char *header, uint64_t claimed, size_t data_len, const char *needle)
{
    write_file(header, claimed, data_len);
    st_file *f = NULL;
    char err[512] = "";
    assert_int_equal(st_open(path, &f, err, sizeof err), -1);
    assert_null(f);
    if (!strstr(err, path) || !strstr(err, needle))
        fail_msg("error '%s' should name %s and say '%s'", err, path, needle);
    unlink(path);
}

static void test_valid_file(void **state)
{
    (void)state;
    write_file(good, 0, 40);
    st_file *f = NULL;
    char err[512] = "";
    assert_int_equal(st_open(path, &f, err, sizeof err), 0);
    assert_int_equal(st_count(f), 2);
    int64_t shape[2] = {2, 3};
    const st_tensor *t = st_expect(f, "a.weight", ST_F32, 2, shape, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(t->nbytes, 24);
    assert_int_equal(((const unsigned char *)t->data)[1], 1);
    /* wrong dtype, wrong shape, missing tensor: errors name file and tensor */
    assert_null(st_expect(f, "a.weight", ST_BF16, 2, shape, err, sizeof err));
    assert_non_null(strstr(err, "a.weight"));
    assert_non_null(strstr(err, "dtype F32, expected BF16"));
    int64_t wrong[2] = {3, 2};
    assert_null(st_expect(f, "a.weight", ST_F32, 2, wrong, err, sizeof err));
    assert_non_null(strstr(err, "shape [2,3], expected [3,2]"));
    assert_null(st_expect(f, "a.weight", ST_F32, 1, wrong, err, sizeof err));
    assert_null(st_expect(f, "nope", ST_F32, 1, wrong, err, sizeof err));
    assert_non_null(strstr(err, "'nope' is missing"));
    assert_non_null(strstr(err, path));
    st_close(f);
    unlink(path);
}

static void test_malformed_files(void **state)
{
    (void)state;
    /* header length beyond the file */
    expect_open_error(good, 1u << 20, 40, "header length");
    /* absurd header length (e.g. random bytes) */
    expect_open_error(good, 0xffffffffffffull, 40, "header length");
    /* truncated data section */
    expect_open_error(good, 0, 30, "truncated");
    /* byte range that does not match dtype x shape */
    expect_open_error("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", 0, 12,
                      "needs 16");
    /* unknown dtype */
    expect_open_error("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 0, 4,
                      "unsupported dtype");
    /* negative / inverted offsets */
    expect_open_error("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[8,4]}}", 0, 8,
                      "bad data_offsets");
    /* bad shape entry */
    expect_open_error("{\"w\":{\"dtype\":\"U8\",\"shape\":[-4],\"data_offsets\":[0,4]}}", 0, 8,
                      "bad shape");
    /* header that is not JSON */
    expect_open_error("{not json", 0, 8, "not a JSON object");
    /* entry without its fields */
    expect_open_error("{\"w\":{\"dtype\":\"U8\"}}", 0, 8, "lacks dtype, shape or data_offsets");
}

static void test_missing_and_short(void **state)
{
    (void)state;
    st_file *f = NULL;
    char err[512] = "";
    assert_int_equal(st_open("/nonexistent/model.safetensors", &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/model.safetensors: cannot open"));
    strcpy(path, "/tmp/wg-st-XXXXXX");
    int fd = mkstemp(path);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    assert_int_equal(st_open(path, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "too short"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_missing_and_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
