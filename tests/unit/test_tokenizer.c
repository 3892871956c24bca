/* Tokenizer: exact ids against the reference (reference_tokens.json from ../shared and cases whose
 * ids came from the reference tokenizer), and WordPiece rules on a vocabulary made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "shared_data.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed/tokenizer.h"

static wp_tokenizer *open_shared_vocab(void)
{
    char path[4096], err[512] = "";
    snprintf(path, sizeof path, "%s", shared_path("models/all-MiniLM-L6-v2/vocab.txt"));
    wp_tokenizer *t = NULL;
    assert_int_equal(tokenizer_open(path, &t, err, sizeof err), 0);
    return t;
}

static void test_reference_tokens_json(void **state)
{
    (void)state;
    wp_tokenizer *t = open_shared_vocab();
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("models/reference_tokens.json"));
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    assert_true(json_array_size(root) >= 5);
    size_t i;
    json_t *item;
    json_array_foreach(root, i, item) {
        const char *text = json_string_value(json_object_get(item, "text"));
        json_t *want = json_object_get(item, "input_ids");
        int32_t ids[512];
        int n = tokenizer_encode(t, text, ids, 256);
        assert_int_equal(n, (int)json_array_size(want));
        for (int k = 0; k < n; k++) assert_int_equal(ids[k], json_integer_value(json_array_get(want, k)));
    }
    json_decref(root);
    tokenizer_close(t);
}

/* ids from the reference tokenizer (sentence-transformers' BertTokenizerFast) for hard cases */
static const struct { const char *text; int n; int32_t ids[20]; } cases[] = {
    {"Café Müller in São Paulo!", 8, {101, 7668, 12304, 1999, 7509, 9094, 999, 102}},
    {"", 2, {101, 102}},
    {"北京大学 Beijing", 7, {101, 1781, 1755, 1810, 1817, 7211, 102}},
    /* zero-width space (Cf) and a control char vanish, the tab splits (the reference's
     * "a\0b\u200bc\td" without the NUL, which a C string cannot hold) */
    {"a\x01" "b\xe2\x80\x8b" "c\td", 4, {101, 5925, 1040, 102}},
    {"don't stop-believing...", 11, {101, 2123, 1005, 1056, 2644, 1011, 8929, 1012, 1012, 1012, 102}},
    {"İstanbul ΣΊΣΥΦΟΣ", 10, {101, 9960, 1173, 18199, 29733, 29735, 29736, 29730, 29733, 102}},
    {"Ñandú 123,456.78 $5 #hashtag @user", 17,
     {101, 16660, 8566, 13138, 1010, 3429, 2575, 1012, 6275, 1002, 1019, 1001, 23325, 15900, 1030, 5310, 102}},
    {"\xf0\x9f\x98\x80 emoji", 6, {101, 100, 7861, 29147, 2072, 102}},
    {"ﬁnancial ﬂow", 7, {101, 1984, 7229, 13247, 1985, 5004, 102}},
    {"日本語のテキスト", 10, {101, 1864, 1876, 1950, 1671, 30239, 30227, 30233, 30240, 102}},
};

static void test_reference_cases(void **state)
{
    (void)state;
    wp_tokenizer *t = open_shared_vocab();
    int32_t ids[300];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        if (!cases[c].n) continue;
        int n = tokenizer_encode(t, cases[c].text, ids, 256);
        if (n != cases[c].n) fail_msg("'%s': %d ids, expected %d", cases[c].text, n, cases[c].n);
        for (int k = 0; k < n; k++)
            if (ids[k] != cases[c].ids[k]) fail_msg("'%s': id %d is %d, expected %d", cases[c].text, k, ids[k], cases[c].ids[k]);
    }
    /* a word over 100 characters is [UNK]; truncation keeps [SEP] last */
    char longword[160];
    memset(longword, 'x', 150);
    longword[150] = 0;
    assert_int_equal(tokenizer_encode(t, longword, ids, 256), 3);
    assert_int_equal(ids[1], 100);
    char many[2000] = "";
    for (int i = 0; i < 300; i++) strcat(many, "word ");
    assert_int_equal(tokenizer_encode(t, many, ids, 256), 256);
    assert_int_equal(ids[0], 101);
    assert_int_equal(ids[254], 2773);
    assert_int_equal(ids[255], 102);
    /* invalid UTF-8 is dropped, never read past */
    assert_true(tokenizer_encode(t, "ab\xff\xfe" "cd\xc3", ids, 256) >= 3);
    tokenizer_close(t);
}

static void test_wordpiece_rules(void **state)
{
    (void)state;
    char path[] = "/tmp/wg-vocab-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\nrun\n##ning\n,\nb\n##c\n";
    assert_int_equal(write(fd, vocab, strlen(vocab)), (ssize_t)strlen(vocab));
    close(fd);
    wp_tokenizer *t = NULL;
    char err[256] = "";
    assert_int_equal(tokenizer_open(path, &t, err, sizeof err), 0);
    int32_t ids[32];
    int n = tokenizer_encode(t, "UnAffable, running zzz bc", ids, 32);
    int32_t want[] = {2, 4, 5, 6, 9, 7, 8, 1, 10, 11, 3};
    assert_int_equal(n, 11);
    for (int i = 0; i < n; i++) assert_int_equal(ids[i], want[i]);
    /* truncation to 4: [CLS] un ##aff [SEP] */
    assert_int_equal(tokenizer_encode(t, "unaffable", ids, 4), 4);
    assert_int_equal(ids[3], 3);
    tokenizer_close(t);
    unlink(path);
    /* a vocabulary without the special tokens is refused with the file named */
    char p2[] = "/tmp/wg-vocab-XXXXXX";
    fd = mkstemp(p2);
    assert_int_equal(write(fd, "a\nb\n", 4), 4);
    close(fd);
    assert_int_equal(tokenizer_open(p2, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, p2));
    unlink(p2);
    assert_int_equal(tokenizer_open("/nonexistent/vocab.txt", &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/vocab.txt"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_tokens_json),
        cmocka_unit_test(test_reference_cases),
        cmocka_unit_test(test_wordpiece_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
