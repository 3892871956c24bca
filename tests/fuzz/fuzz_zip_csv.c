/* The GDELT download path before bronze: the index lines of lastupdate.txt / masterfilelist.txt
 * (gdelt_parse_index_line) and the in-memory unzip of an export (gdelt_unzip_csv, libzip).
 * Oracles: an accepted index line has a non-negative size, 32 lower-case hex digits and a name
 * that is the URL's last segment; an unzip never returns more than the cap it was given. */
#include "fuzz_util.h"
#include "core/buf.h"
#include "source/gdelt.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* every line as an index line */
    const char *s = (const char *)data;
    for (size_t i = 0; i < size;) {
        size_t j = i;
        while (j < size && s[j] != '\n') j++;
        gdelt_index_entry e;
        char err[256];
        if (gdelt_parse_index_line(s + i, j - i, &e, err, sizeof err) == 0) {
            FUZZ_CHECK(e.size >= 0, "negative size");
            FUZZ_CHECK(strlen(e.md5) == 32, "md5 length");
            for (int k = 0; k < 32; k++) FUZZ_CHECK(isxdigit((unsigned char)e.md5[k]) && !isupper((unsigned char)e.md5[k]), "md5 digit");
            size_t ul = strlen(e.url), nl = strlen(e.name);
            FUZZ_CHECK(nl <= ul && strcmp(e.url + ul - nl, e.name) == 0, "name is not the URL's end");
            (void)gdelt_is_export_name(e.name);
        }
        i = j + 1;
    }
    /* the whole input as a zip */
    const size_t cap = 1 << 20;
    buf out = {0};
    char err[512];
    if (gdelt_unzip_csv(data, size, cap, &out, err, sizeof err) == 0)
        FUZZ_CHECK(out.len <= cap, "unzip returned %zu bytes over the cap", out.len);
    else
        FUZZ_CHECK(err[0] != '\0', "unzip failed without a reason");
    buf_free(&out);
    char md5[33];
    gdelt_md5_hex(data, size, md5);
    return 0;
}
