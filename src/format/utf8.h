/* UTF-8 checks for text from outside: the sources refuse what is not UTF-8 before it reaches
 * bronze, and the silver flows check again what they read back. */
#ifndef WG_UTF8_H
#define WG_UTF8_H

#include <stddef.h>

#include "core/buf.h"

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or code points over U+10FFFF);
 * otherwise 0 and *bad_at = offset of the first invalid byte. */
int utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Copy of s[0..n) as valid UTF-8 text: invalid bytes become "\xNN" (for quarantine rows). */
void utf8_escape(const char *s, size_t n, buf *out);

#endif
