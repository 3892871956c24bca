/* The Thrift compact protocol, write side only: enough to encode Parquet's footer and page
 * headers (structs, i32/i64 with zigzag varints, binaries, bools, lists). Field ids are written as
 * deltas from the previous field of the same struct, so a nesting stack keeps the last id. */
#ifndef WG_THRIFT_COMPACT_H
#define WG_THRIFT_COMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum {
    TC_BOOL_TRUE = 1, TC_BOOL_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6,
    TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 16

typedef struct tc_writer {
    buf *out;
    int depth;
    int16_t last[TC_MAX_DEPTH];
    int failed;              /* out of memory or nesting too deep; checked once at the end */
} tc_writer;

void tc_init(tc_writer *w, buf *out);
void tc_i32(tc_writer *w, int16_t id, int32_t v);
void tc_i64(tc_writer *w, int16_t id, int64_t v);
void tc_bool(tc_writer *w, int16_t id, int v);
void tc_binary(tc_writer *w, int16_t id, const void *data, size_t len);
void tc_string(tc_writer *w, int16_t id, const char *s);
/* A struct-valued field: begin pushes a new field-id scope, end writes the stop byte. */
void tc_struct_begin(tc_writer *w, int16_t id);
void tc_struct_end(tc_writer *w);
/* A list-valued field of n elements of elem_type; then the elements follow with the tc_elem_*
 * calls (struct elements with tc_elem_struct_begin / tc_struct_end). */
void tc_list_begin(tc_writer *w, int16_t id, uint8_t elem_type, size_t n);
void tc_elem_i32(tc_writer *w, int32_t v);
void tc_elem_string(tc_writer *w, const char *s);
void tc_elem_struct_begin(tc_writer *w);
/* Ends the top-level struct (writes its stop byte); returns 0, or -1 if anything failed. */
int tc_finish(tc_writer *w);

/* Unsigned LEB128 varint (also used by Parquet's RLE headers). */
void tc_varint(buf *out, uint64_t v);

#endif
