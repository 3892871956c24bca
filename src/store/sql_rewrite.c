/* The report's Databricks spellings that SQLite cannot parse, rewritten before preparing:
 * CURRENT_DATE() / CURRENT_TIMESTAMP() (with parentheses) outside quotes become SQLite's
 * keywords. Shared by `sql` and every governed query (govern_prepare). */
#include "store/store.h"

#include "core/buf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

char *store_rewrite_sql(const char *sql)
{
    buf out = BUF_INIT;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            buf_append(&out, p, 1);
            if (*p == quote) quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
            buf_append(&out, p, 1);
            continue;
        }
        if (*p == '[') {
            quote = ']';
            buf_append(&out, p, 1);
            continue;
        }
        static const char *const kws[] = {"current_date", "current_timestamp"};
        int matched = 0;
        for (size_t k = 0; k < 2 && !matched; k++) {
            size_t n = strlen(kws[k]);
            if (strncasecmp(p, kws[k], n) == 0 &&
                (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
                !(isalnum((unsigned char)p[n]) || p[n] == '_')) {
                const char *q = p + n;
                while (*q == ' ') q++;
                if (*q == '(') {
                    q++;
                    while (*q == ' ') q++;
                    if (*q == ')') {
                        buf_append(&out, p, n);
                        p = q;
                        matched = 1;
                    }
                }
            }
        }
        if (!matched) buf_append(&out, p, 1);
    }
    return buf_detach(&out);
}
