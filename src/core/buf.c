/* Growable byte buffer. The buffer owns its memory; buf_detach hands it over. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_reserve(buf *b, size_t extra)
{
    if (extra > ((size_t)-1) / 2 - b->len) return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    p[b->len] = '\0'; /* a buffer's contents are always a string, even a new, empty one */
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(buf *b, const void *data, size_t len)
{
    if (buf_reserve(b, len) != 0) return -1;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int buf_append_str(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_appendf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

size_t buf_copy_out(const buf *b, size_t *pos, void *out, size_t max)
{
    size_t n = *pos < b->len ? b->len - *pos : 0;
    if (n > max) n = max;
    if (n) memcpy(out, b->data + *pos, n);
    *pos += n;
    return n;
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_detach(buf *b)
{
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *text_next_line(const char *text, size_t len, size_t *pos, size_t *line_len)
{
    if (*pos >= len) return NULL;
    const char *line = text + *pos;
    const char *nl = memchr(line, '\n', len - *pos);
    *line_len = nl ? (size_t)(nl - line) : len - *pos;
    *pos += *line_len + (nl ? 1 : 0);
    return line;
}
