/* The error vocabulary: see err.h. */
#include "core/err.h"

#include <string.h>

void err_prefix(char *err, size_t errlen, const char *prefix)
{
    if (!err || errlen == 0 || !prefix) return;
    size_t plen = strlen(prefix) + 2; /* "prefix: " */
    if (plen >= errlen) {
        size_t n = strlen(prefix) < errlen - 1 ? strlen(prefix) : errlen - 1;
        memmove(err, prefix, n);
        err[n] = 0;
        return;
    }
    size_t mlen = strnlen(err, errlen - 1);
    if (mlen > errlen - 1 - plen) mlen = errlen - 1 - plen;
    memmove(err + plen, err, mlen);
    err[plen + mlen] = 0;
    memcpy(err, prefix, plen - 2);
    err[plen - 2] = ':';
    err[plen - 1] = ' ';
}
