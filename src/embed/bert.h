/* The BERT encoder of all-MiniLM-L6-v2 (and any BERT of the same layout): token ids in, one
 * mean-pooled, L2-normalised vector per sequence out.
 * Batches are packed: the sequences of a batch are laid end to end with no padding, so every
 * matrix product works on useful tokens only; attention is computed per sequence, which is what
 * an attention mask over a padded batch computes, without the padded rows and columns. */
#ifndef WG_BERT_H
#define WG_BERT_H

#include <stddef.h>
#include <stdint.h>

/* BERT_FP32: OpenBLAS sgemm; BERT_FP32_AVX512: the own fp32 kernel (fused epilogues);
 * BERT_BF16: bf16 weights and activations, fp32 accumulation (AVX512-BF16);
 * BERT_INT8: the layers' linear maps with s8 weights (symmetric, per output column) and u8
 * activations (per token, with a zero point), int32 accumulation (AVX512-VNNI); embeddings,
 * attention scores/softmax, layer norms and pooling stay fp32. */
enum bert_precision { BERT_FP32 = 0, BERT_BF16 = 1, BERT_FP32_AVX512 = 2, BERT_INT8 = 3 };

/* The four linear maps of a layer, as bits (BERT_INT8: which ones to keep in bf16 instead). */
enum { BERT_LIN_QKV = 1, BERT_LIN_ATTN_OUT = 2, BERT_LIN_FFN_IN = 4, BERT_LIN_FFN_OUT = 8 };

typedef struct bert_config {
    int vocab_size, hidden, layers, heads, intermediate, max_positions, type_vocab;
    double layer_norm_eps;
} bert_config;

typedef struct bert_model bert_model;
typedef struct bert_workspace bert_workspace;

/* Loads DIR/config.json and DIR/model.safetensors (every tensor's dtype and shape checked).
 * Errors name the file. */
int bert_load(const char *dir, enum bert_precision precision, bert_model **out, char *err,
              size_t errlen);
/* The same; with BERT_INT8, the BERT_LIN_* bits of int8_bf16 name the products run in bf16. */
int bert_load_int8(const char *dir, enum bert_precision precision, unsigned int8_bf16,
                   bert_model **out, char *err, size_t errlen);
void bert_free(bert_model *m);
const bert_config *bert_get_config(const bert_model *m);
enum bert_precision bert_get_precision(const bert_model *m);
/* 1 when the reduced-precision path runs on AVX512-BF16 instructions (0: portable emulation). */
int bert_bf16_native(void);
/* 1 when the int8 path runs on AVX512-VNNI instructions (0: portable emulation). */
int bert_int8_native(void);

/* A per-thread scratch area for batches of up to max_tokens tokens in all. */
bert_workspace *bert_workspace_new(const bert_model *m, int max_tokens);
void bert_workspace_free(bert_workspace *ws);
int bert_workspace_max_tokens(const bert_workspace *ws);

/* n sequences; lens[i] ids each (1 <= lens[i] <= max_positions), ids concatenated; the sum of
 * lens must not exceed the workspace's max_tokens. Writes n * hidden floats (unit vectors). */
int bert_encode_packed(const bert_model *m, bert_workspace *ws, const int32_t *ids,
                       const int *lens, int n, float *out);

/* Timing counters per stage of the encoder, in CPU seconds summed over all threads, for
 * finding waste without perf: bert_profile(1) zeroes and starts them, bert_profile(0) stops.
 * BERT_PROF_QUANTIZE (int8 activation quantisation) is also inside its product's stage. */
enum { BERT_PROF_EMBED, BERT_PROF_QKV, BERT_PROF_ATTENTION, BERT_PROF_ATTN_OUT,
       BERT_PROF_LAYER_NORM, BERT_PROF_FFN_IN, BERT_PROF_FFN_OUT, BERT_PROF_POOL,
       BERT_PROF_QUANTIZE, BERT_PROF_STAGES };
void bert_profile(int on);
/* The stage's name (NULL past the last), its seconds into *secs. */
const char *bert_profile_get(int stage, double *secs);

#endif
