/* The Thrift compact protocol encoder used for Parquet metadata (see thrift_compact.h). */
#include "export/thrift_compact.h"

#include <string.h>

void tc_varint(buf *out, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        unsigned char byte = v & 0x7f;
        v >>= 7;
        if (v) byte |= 0x80;
        tmp[n++] = byte;
    } while (v);
    buf_append(out, tmp, n);
}

static uint64_t zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static void put_byte(tc_writer *w, unsigned char b)
{
    if (buf_append(w->out, &b, 1) != 0) w->failed = 1;
}

void tc_init(tc_writer *w, buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void field_header(tc_writer *w, int16_t id, uint8_t type)
{
    int delta = id - w->last[w->depth];
    if (delta > 0 && delta <= 15) {
        put_byte(w, (unsigned char)((delta << 4) | type));
    } else {
        put_byte(w, type);
        tc_varint(w->out, zigzag64(id));
    }
    w->last[w->depth] = id;
}

void tc_i32(tc_writer *w, int16_t id, int32_t v)
{
    field_header(w, id, TC_I32);
    tc_varint(w->out, zigzag64(v));
}

void tc_i64(tc_writer *w, int16_t id, int64_t v)
{
    field_header(w, id, TC_I64);
    tc_varint(w->out, zigzag64(v));
}

void tc_bool(tc_writer *w, int16_t id, int v) { field_header(w, id, v ? TC_BOOL_TRUE : TC_BOOL_FALSE); }

void tc_binary(tc_writer *w, int16_t id, const void *data, size_t len)
{
    field_header(w, id, TC_BINARY);
    tc_varint(w->out, len);
    if (buf_append(w->out, data, len) != 0) w->failed = 1;
}

void tc_string(tc_writer *w, int16_t id, const char *s) { tc_binary(w, id, s, strlen(s)); }

static void push(tc_writer *w)
{
    if (w->depth + 1 >= TC_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->last[++w->depth] = 0;
}

void tc_struct_begin(tc_writer *w, int16_t id)
{
    field_header(w, id, TC_STRUCT);
    push(w);
}

void tc_struct_end(tc_writer *w)
{
    put_byte(w, 0);
    if (w->depth > 0) w->depth--;
}

void tc_list_begin(tc_writer *w, int16_t id, uint8_t elem_type, size_t n)
{
    field_header(w, id, TC_LIST);
    if (n < 15) {
        put_byte(w, (unsigned char)((n << 4) | elem_type));
    } else {
        put_byte(w, (unsigned char)(0xf0 | elem_type));
        tc_varint(w->out, n);
    }
}

void tc_elem_i32(tc_writer *w, int32_t v) { tc_varint(w->out, zigzag64(v)); }

void tc_elem_string(tc_writer *w, const char *s)
{
    size_t len = strlen(s);
    tc_varint(w->out, len);
    if (buf_append(w->out, s, len) != 0) w->failed = 1;
}

void tc_elem_struct_begin(tc_writer *w) { push(w); }

int tc_finish(tc_writer *w)
{
    put_byte(w, 0);
    return w->failed || w->depth != 0 ? -1 : 0;
}
