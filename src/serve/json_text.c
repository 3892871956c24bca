/* JSON text written straight into a buffer: strings escaped per RFC 8259 (bytes that are not
 * valid UTF-8 become U+FFFD, so the answer always parses), and SQLite values by storage class.
 * The SQL API writes rows this way rather than through a JSON tree: one pass, no allocations
 * per cell. */
#include "serve/serve_internal.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(p + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

void json_append_string(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    buf_reserve(b, n + 2);
    buf_append(b, "\"", 1);
    size_t run = 0; /* bytes copied as they are, flushed in one append */
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            run++;
            i++;
            continue;
        }
        size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (l) {
            run += l;
            i += l;
            continue;
        }
        if (run) buf_append(b, p + i - run, run);
        run = 0;
        char esc[8];
        if (c >= 0x80) {
            buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            buf_append(b, esc, 2);
        } else if (c == '\n') {
            buf_append(b, "\\n", 2);
        } else if (c == '\r') {
            buf_append(b, "\\r", 2);
        } else if (c == '\t') {
            buf_append(b, "\\t", 2);
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            buf_append(b, esc, 6);
        }
        i++;
    }
    if (run) buf_append(b, p + n - run, run);
    buf_append(b, "\"", 1);
}

void json_append_column(buf *b, sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        buf_appendf(b, "%lld", (long long)sqlite3_column_int64(st, col));
        break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, col);
        if (!isfinite(d)) {
            buf_append_str(b, "null");
            break;
        }
        char num[40];
        snprintf(num, sizeof num, "%.17g", d);
        /* The shortest text that reads back as the same double. */
        for (int prec = 15; prec < 17; prec++) {
            char shorter[40];
            snprintf(shorter, sizeof shorter, "%.*g", prec, d);
            if (strtod(shorter, NULL) == d) {
                memcpy(num, shorter, sizeof num);
                break;
            }
        }
        buf_append_str(b, num);
        if (!strpbrk(num, ".eEn")) buf_append_str(b, ".0");
        break;
    }
    case SQLITE_NULL:
        buf_append_str(b, "null");
        break;
    case SQLITE_BLOB:
        buf_appendf(b, "\"<blob %d bytes>\"", sqlite3_column_bytes(st, col));
        break;
    default: {
        const char *s = (const char *)sqlite3_column_text(st, col);
        json_append_string(b, s ? s : "", (size_t)sqlite3_column_bytes(st, col));
    }
    }
}
