/* GDELT index lines (lastupdate.txt, masterfilelist.txt) and export file names (gdelt.h). */
#include "source/gdelt.h"

#include "core/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int gdelt_is_export_name(const char *name)
{
    static const char suffix[] = ".export.csv.zip";
    size_t n = strlen(name), s = sizeof suffix - 1;
    return n > s && strcasecmp(name + n - s, suffix) == 0;
}

/* Epoch seconds of the leading YYYYMMDDHHMMSS of a GDELT file name, or -1. */
int64_t gdelt_slot_time_of_name(const char *name)
{
    size_t digits = 0;
    while (digits < 14 && isdigit((unsigned char)name[digits])) digits++;
    int64_t t;
    if (digits != 14 || time_parse_gdelt(name, 14, &t) != 0) return -1;
    return t;
}

int gdelt_parse_index_line(const char *line, size_t len, gdelt_index_entry *out, char *err,
                           size_t errlen)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    size_t i = 0;
    /* size */
    int64_t size = 0;
    size_t start = i;
    while (i < len && isdigit((unsigned char)line[i])) {
        if (size > (INT64_MAX - 9) / 10) {
            snprintf(err, errlen, "size field too large");
            return -1;
        }
        size = size * 10 + (line[i] - '0');
        i++;
    }
    if (i == start || i >= len || line[i] != ' ') {
        snprintf(err, errlen, "expected '<size> <md5> <url>': bad size field");
        return -1;
    }
    while (i < len && line[i] == ' ') i++;
    /* md5 */
    start = i;
    while (i < len && isxdigit((unsigned char)line[i])) i++;
    if (i - start != 32 || i >= len || line[i] != ' ') {
        snprintf(err, errlen, "expected a 32-digit hex MD5 after the size");
        return -1;
    }
    for (size_t k = 0; k < 32; k++) out->md5[k] = (char)tolower((unsigned char)line[start + k]);
    out->md5[32] = '\0';
    while (i < len && line[i] == ' ') i++;
    /* url */
    size_t ulen = len - i;
    if (ulen == 0 || ulen >= sizeof out->url) {
        snprintf(err, errlen, ulen ? "URL too long" : "missing URL");
        return -1;
    }
    for (size_t k = i; k < len; k++)
        if ((unsigned char)line[k] <= ' ' || line[k] == 0x7f) {
            snprintf(err, errlen, "URL contains a space or control character");
            return -1;
        }
    /* the line is not NUL-terminated: compare only within it */
    if (!(ulen >= 7 && strncasecmp(line + i, "http://", 7) == 0) &&
        !(ulen >= 8 && strncasecmp(line + i, "https://", 8) == 0)) {
        snprintf(err, errlen, "URL is not http(s)");
        return -1;
    }
    memcpy(out->url, line + i, ulen);
    out->url[ulen] = '\0';
    const char *slash = strrchr(out->url, '/');
    const char *name = slash ? slash + 1 : out->url;
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen >= sizeof out->name) {
        snprintf(err, errlen, nlen ? "file name in the URL is too long" : "URL has no file name");
        return -1;
    }
    memcpy(out->name, name, nlen + 1);
    out->size = size;
    out->slot_time = gdelt_slot_time_of_name(out->name);
    return 0;
}
