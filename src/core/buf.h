/* Growable byte buffer, always NUL-terminated so it can be used as a C string. */
#ifndef WG_BUF_H
#define WG_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

int buf_reserve(buf *b, size_t extra);           /* 0 ok, -1 out of memory */
int buf_append(buf *b, const void *data, size_t len);
int buf_append_str(buf *b, const char *s);
int buf_appendf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b);                           /* len = 0, keeps the memory */
void buf_free(buf *b);
char *buf_detach(buf *b);                         /* caller frees; buffer becomes empty */
/* Copies up to max bytes of b from *pos into out and advances *pos: a reader handing out a
 * buffered response piece by piece. Returns how many bytes it copied. */
size_t buf_copy_out(const buf *b, size_t *pos, void *out, size_t max);

/* Line iteration over text[0..len): the line starting at *pos (its length, without the '\n', in
 * *line_len), advancing *pos past its '\n'; NULL once *pos reaches len. A '\r' before the '\n'
 * stays in the line. */
const char *text_next_line(const char *text, size_t len, size_t *pos, size_t *line_len);

#endif
