/* BERT basic tokenization + WordPiece. Unicode properties come from utf8proc. */
#include "embed/tokenizer.h"
#include "core/grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define WORD_MAX_CHARS 100 /* the reference's max_input_chars_per_word */

struct wp_tokenizer {
    char **tokens;      /* id -> text */
    size_t count;
    uint32_t *slots;    /* open addressing: id + 1, 0 = empty */
    size_t mask;
    int32_t unk, cls, sep;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int32_t vocab_lookup(const wp_tokenizer *t, const char *s, size_t n)
{
    for (size_t i = hash_bytes(s, n) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t v = t->slots[i];
        if (!v) return -1;
        const char *tok = t->tokens[v - 1];
        if (strlen(tok) == n && !memcmp(tok, s, n)) return (int32_t)(v - 1);
    }
}

void tokenizer_close(wp_tokenizer *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->count; i++) free(t->tokens[i]);
    free(t->tokens);
    free(t->slots);
    free(t);
}

int tokenizer_open(const char *vocab_path, wp_tokenizer **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *fp = fopen(vocab_path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", vocab_path, strerror(errno));
        return -1;
    }
    wp_tokenizer *t = calloc(1, sizeof *t);
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int rc = -1;
    if (!t) goto done;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (t->count == cap) {
            cap = cap ? cap * 2 : 32768;
            char **nt = realloc(t->tokens, cap * sizeof *nt);
            if (!nt) goto done;
            t->tokens = nt;
        }
        if (t->count >= 0x7fffffff) goto done;
        if (!(t->tokens[t->count] = strdup(line))) goto done;
        t->count++;
    }
    if (t->count == 0) {
        snprintf(err, errlen, "%s: empty vocabulary", vocab_path);
        goto done;
    }
    size_t slots = 1;
    while (slots < t->count * 2) slots <<= 1;
    t->slots = calloc(slots, sizeof *t->slots);
    if (!t->slots) goto done;
    t->mask = slots - 1;
    for (size_t id = 0; id < t->count; id++) {
        const char *s = t->tokens[id];
        size_t n = strlen(s);
        size_t i = hash_bytes(s, n) & t->mask;
        while (t->slots[i]) {
            /* The first occurrence of a duplicated token wins, as in the reference. */
            if (!strcmp(t->tokens[t->slots[i] - 1], s)) break;
            i = (i + 1) & t->mask;
        }
        if (!t->slots[i]) t->slots[i] = (uint32_t)id + 1;
    }
    t->unk = vocab_lookup(t, "[UNK]", 5);
    t->cls = vocab_lookup(t, "[CLS]", 5);
    t->sep = vocab_lookup(t, "[SEP]", 5);
    if (t->unk < 0 || t->cls < 0 || t->sep < 0) {
        snprintf(err, errlen, "%s: vocabulary lacks [UNK], [CLS] or [SEP]", vocab_path);
        goto done;
    }
    rc = 0;
done:
    if (rc && !err[0]) snprintf(err, errlen, "%s: out of memory reading the vocabulary", vocab_path);
    free(line);
    fclose(fp);
    if (rc) tokenizer_close(t);
    else *out = t;
    return rc;
}

size_t tokenizer_vocab_size(const wp_tokenizer *t) { return t->count; }

const char *tokenizer_token(const wp_tokenizer *t, int32_t id)
{
    return id >= 0 && (size_t)id < t->count ? t->tokens[id] : NULL;
}

/* ---- character classes, as the reference defines them ---- */

static int is_control(utf8proc_int32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r') return 0;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CS:
        return 1;
    default:
        return 0;
    }
}

/* Unicode White_Space (what Rust's char::is_whitespace tests). */
static int is_whitespace(utf8proc_int32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static int is_punctuation(utf8proc_int32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return 1;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return 1;
    default:
        return 0;
    }
}

static int is_cjk(utf8proc_int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* ---- normalisation into a code point array ---- */

typedef struct cpbuf {
    utf8proc_int32_t *v;
    size_t n, cap;
} cpbuf;

static int cp_push(cpbuf *b, utf8proc_int32_t c)
{
    if (grow_array(&b->v, &b->cap, b->n, sizeof *b->v, 64)) return -1;
    b->v[b->n++] = c;
    return 0;
}

/* Input decoded and normalised on demand, a chunk at a time, so that a huge text costs only what
 * the first max_len tokens need, in bounded memory. */
typedef struct normalizer {
    const utf8proc_uint8_t *p;
    utf8proc_ssize_t left;
    cpbuf out;
} normalizer;

#define NORMALIZE_CHUNK 4096 /* input bytes per refill */

/* Decodes the next chunk (invalid bytes become U+FFFD, which cleaning then drops, as a lossy
 * decode would), cleans, spaces CJK, NFD-decomposes without marks, lower-cases; appends to out.
 * Returns 1 when input was consumed, 0 at the end of input, -1 out of memory. */
static int normalize_more(normalizer *nz)
{
    if (nz->left <= 0) return 0;
    cpbuf *out = &nz->out;
    utf8proc_ssize_t budget = NORMALIZE_CHUNK;
    while (nz->left > 0 && budget > 0) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(nz->p, nz->left, &c);
        if (k <= 0) {
            c = 0xFFFD;
            k = 1;
        }
        nz->p += k;
        nz->left -= k;
        budget -= k;
        if (c == 0 || c == 0xFFFD || is_control(c)) continue;
        if (is_whitespace(c)) c = ' ';
        if (is_cjk(c)) {
            if (cp_push(out, ' ') || cp_push(out, c) || cp_push(out, ' ')) return -1;
            continue;
        }
        utf8proc_int32_t dec[32];
        utf8proc_ssize_t nd = utf8proc_decompose_char(c, dec, 32, UTF8PROC_DECOMPOSE, NULL);
        if (nd < 0 || nd > 32) {
            dec[0] = c;
            nd = 1;
        }
        for (utf8proc_ssize_t i = 0; i < nd; i++) {
            utf8proc_int32_t d = dec[i];
            if (utf8proc_category(d) == UTF8PROC_CATEGORY_MN) continue;
            if (d == 0x130) { /* full lower-case mapping: i + combining dot above */
                if (cp_push(out, 'i') || cp_push(out, 0x307)) return -1;
                continue;
            }
            if (cp_push(out, utf8proc_tolower(d))) return -1;
        }
    }
    return 1;
}

static int is_separator(utf8proc_int32_t c)
{
    return c == ' ' || is_whitespace(c) || is_punctuation(c);
}

/* ---- WordPiece ---- */

typedef struct idsink {
    int32_t *ids;
    int n, max; /* max excludes the final [SEP] */
} idsink;

static void emit(idsink *s, int32_t id)
{
    if (s->n < s->max) s->ids[s->n++] = id;
}

static void wordpiece(const wp_tokenizer *t, const utf8proc_int32_t *w, size_t nchars,
                      idsink *s, char *scratch)
{
    if (nchars > WORD_MAX_CHARS) {
        emit(s, t->unk);
        return;
    }
    /* UTF-8 of the word; off maps char index -> byte offset. */
    size_t off[WORD_MAX_CHARS + 1];
    size_t len = 0;
    for (size_t i = 0; i < nchars; i++) {
        off[i] = len;
        len += (size_t)utf8proc_encode_char(w[i], (utf8proc_uint8_t *)scratch + len);
    }
    off[nchars] = len;
    int32_t pieces[WORD_MAX_CHARS];
    int np = 0;
    size_t start = 0;
    while (start < nchars) {
        size_t end = nchars;
        int32_t found = -1;
        /* continuation pieces are looked up as "##" + piece */
        char piece[2 + WORD_MAX_CHARS * 4 + 4];
        piece[0] = piece[1] = '#';
        while (end > start) {
            const char *sub = scratch + off[start];
            size_t sublen = off[end] - off[start];
            if (start) {
                memcpy(piece + 2, sub, sublen);
                sub = piece;
                sublen += 2;
            }
            found = vocab_lookup(t, sub, sublen);
            if (found >= 0) break;
            end--;
        }
        if (found < 0) {
            emit(s, t->unk);
            return;
        }
        pieces[np++] = found;
        start = end;
    }
    for (int i = 0; i < np; i++) emit(s, pieces[i]);
}

int tokenizer_encode(const wp_tokenizer *t, const char *text, int32_t *ids, int max_len)
{
    if (max_len < 2) return 0;
    idsink s = {ids, 0, max_len - 1};
    emit(&s, t->cls);
    if (!text) text = "";
    normalizer nz = {(const utf8proc_uint8_t *)text, (utf8proc_ssize_t)strlen(text), {0}};
    cpbuf *cps = &nz.out;
    char scratch[2 + WORD_MAX_CHARS * 4 + 4];
    size_t i = 0;
    while (s.n < s.max) {
        if (i >= cps->n) {
            cps->n = i = 0; /* everything consumed: reuse the buffer */
            if (normalize_more(&nz) <= 0) break;
            continue;
        }
        utf8proc_int32_t c = cps->v[i];
        if (c == ' ' || is_whitespace(c)) {
            i++;
            continue;
        }
        if (is_punctuation(c)) {
            wordpiece(t, cps->v + i, 1, &s, scratch);
            i++;
            continue;
        }
        /* a word: find its end, pulling more input while it runs to the buffer's end */
        size_t j = i + 1;
        int more = 1;
        for (;;) {
            while (j < cps->n && !is_separator(cps->v[j])) j++;
            if (j < cps->n || !more) break;
            /* keep only the word (and of an over-long word, only enough to know it is too long) */
            memmove(cps->v, cps->v + i, (cps->n - i) * sizeof *cps->v);
            cps->n -= i;
            j -= i;
            i = 0;
            if (j > WORD_MAX_CHARS + 1) cps->n = j = WORD_MAX_CHARS + 1;
            int r = normalize_more(&nz);
            if (r < 0) goto done;
            more = r > 0;
        }
        wordpiece(t, cps->v + i, j - i, &s, scratch);
        i = j;
    }
done:
    free(cps->v);
    ids[s.n++] = t->sep;
    return s.n;
}
