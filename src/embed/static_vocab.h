/* Static (context-free) token vectors derived from a BERT sentence encoder, for a cheap first
 * stage in front of the real encoder (the gold join's cascade, src/correlate/prefilter.h).
 *
 * In the manner of Model2Vec: every WordPiece token of the vocabulary is run through the real
 * model once, as a one-token text ([CLS] token [SEP], mean-pooled like any sentence), and its
 * pooled vector is kept. A text's static vector is then the weighted mean of its tokens' vectors,
 * normalised, with a Zipf-like weight log(1 + rank) by the token's position in the vocabulary
 * (BERT vocabularies list word pieces roughly by frequency, so the rank stands in for an IDF:
 * "the" weighs little, "earthquake" much). Building the table costs one short forward pass per
 * token (seconds, once per model); using it costs a tokenisation and a few vector additions.
 * Static vectors live in the model's output space, so they can be compared with the model's own
 * sentence vectors. (The model's input word-embedding table, the cheaper option, does not, and
 * ranked the gold join's pairs worse: docs/gold.md, Performance.) */
#ifndef WG_STATIC_VOCAB_H
#define WG_STATIC_VOCAB_H

#include <stddef.h>
#include <stdint.h>

enum static_vocab_weight { STATIC_WEIGHT_ZIPF = 0, STATIC_WEIGHT_UNIFORM = 1 };

/* Builds the table of model_dir (config.json, model.safetensors, vocab.txt): vocab_size rows of
 * dim floats (dim = the model's hidden size), each unit length (a zero row for a token the
 * model maps to nothing). threads >= 1 run the forward passes in parallel. Returns 0 with
 * *vectors (malloc'd, the caller frees) and the sizes, or -1 with err naming the file. */
int static_vocab_build(const char *model_dir, int threads, float **vectors, int *vocab_size,
                       int *dim, char *err, size_t errlen);

/* The weight of token id in a text's mean. */
float static_vocab_weight(enum static_vocab_weight w, int32_t id);

/* The static vector of a tokenised text (ids as the tokenizer gives them, [CLS] first and
 * [SEP] last, which are left out): the weighted mean of the rows of table (vocab_size x dim),
 * normalised. Ids outside the table are skipped. Returns the number of tokens used; with none
 * the vector is all zero (it then matches nothing). */
int static_vocab_text(const float *table, int vocab_size, int dim, enum static_vocab_weight w,
                      const int32_t *ids, int n, float *out);

/* IEEE half precision, for storing tables compactly (round to nearest even). */
uint16_t static_vocab_to_half(float f);
float static_vocab_from_half(uint16_t h);

#endif
