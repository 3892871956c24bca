/* The WordPiece tokenizer (embed/tokenizer.c) on any bytes, with the real vocabulary
 * (WG_FUZZ_VOCAB, else ../shared/models/all-MiniLM-L6-v2/vocab.txt) or, without it, a small
 * built-in one. Oracles: [CLS] first, [SEP] last, every id inside the vocabulary, never more than
 * max_len ids, and a text's encoding is the same every time. */
#include "fuzz_util.h"
#include "embed/tokenizer.h"

static wp_tokenizer *tok;
static int32_t cls_id, sep_id;

static const char small_vocab[] =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n.\n,\n!\nthe\nof\nflood\n##ing\n##s\nbangladesh\n"
    "a\n##b\n##c\nb\nc\n\xe4\xb8\xad\n\xc3\xa9\n2024\n##4\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    char err[512];
    const char *v = getenv("WG_FUZZ_VOCAB");
    const char *def = "../shared/models/all-MiniLM-L6-v2/vocab.txt";
    if (!v && access(def, R_OK) == 0) v = def;
    if (v) {
        if (tokenizer_open(v, &tok, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
    } else {
        char path[64];
        int fd = fuzz_memfile((const uint8_t *)small_vocab, sizeof small_vocab - 1, path, sizeof path);
        if (fd < 0 || tokenizer_open(path, &tok, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
        close(fd);
    }
    for (size_t i = 0; i < tokenizer_vocab_size(tok); i++) {
        if (!strcmp(tokenizer_token(tok, (int32_t)i), "[CLS]")) cls_id = (int32_t)i;
        if (!strcmp(tokenizer_token(tok, (int32_t)i), "[SEP]")) sep_id = (int32_t)i;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int max_len = 2 + data[0] % 254;
    char *text = fuzz_strdup(data + 1, size - 1);
    int32_t ids[256], again[256];
    int n = tokenizer_encode(tok, text, ids, max_len);
    FUZZ_CHECK(n >= 2 && n <= max_len, "%d ids for max_len %d", n, max_len);
    FUZZ_CHECK(ids[0] == cls_id && ids[n - 1] == sep_id, "not [CLS] ... [SEP]");
    for (int i = 0; i < n; i++)
        FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < tokenizer_vocab_size(tok), "id %d out of range", ids[i]);
    int m = tokenizer_encode(tok, text, again, max_len);
    FUZZ_CHECK(m == n && memcmp(ids, again, (size_t)n * sizeof ids[0]) == 0, "encoding not stable");
    free(text);
    return 0;
}
