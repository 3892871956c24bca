/* The BERT uncased tokenizer of all-MiniLM-L6-v2, exactly as the reference (Hugging Face
 * tokenizers' BertNormalizer + BertPreTokenizer + WordPiece) does it:
 *   clean text (drop NUL, U+FFFD and control characters; whitespace becomes ' '),
 *   put spaces around CJK ideographs, NFD and drop non-spacing marks (accents), lower-case,
 *   split on whitespace and around every punctuation character,
 *   WordPiece (greedy longest match, "##" continuations; a word that cannot be covered, or is
 *   longer than 100 characters, becomes [UNK]),
 *   [CLS] ... [SEP], truncated to max_len ids in all. */
#ifndef WG_TOKENIZER_H
#define WG_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef struct wp_tokenizer wp_tokenizer;

/* Reads vocab.txt (one token per line, id = line number). Errors name the file and line. */
int tokenizer_open(const char *vocab_path, wp_tokenizer **out, char *err, size_t errlen);
void tokenizer_close(wp_tokenizer *t);
/* Writes at most max_len ids (>= 2) into ids and returns how many. text may be NULL (= ""). */
int tokenizer_encode(const wp_tokenizer *t, const char *text, int32_t *ids, int max_len);
size_t tokenizer_vocab_size(const wp_tokenizer *t);
/* The token text of an id (NULL when out of range). */
const char *tokenizer_token(const wp_tokenizer *t, int32_t id);

#endif
