/* ../shared for unit tests (after cmocka.h). WG_SHARED names it. When it is absent (unset or
 * empty) a test that needs it is skipped: scripts/check.sh counts and names the skip, and CI
 * (CI=true) fails on it. When it is present, every file a test asks for must be readable: a
 * missing or unreadable file fails the test with its path, never turns into a skip. */
#ifndef WG_TEST_SHARED_DATA_H
#define WG_TEST_SHARED_DATA_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The ../shared directory, or skips the calling test. */
static inline const char *shared_dir(void)
{
    const char *s = getenv("WG_SHARED");
    if (!s || !*s) {
        print_message("skipped: needs ../shared (WG_SHARED) which is absent\n");
        skip();
    }
    return s;
}

/* ../shared/REL, which must be readable (else the test fails naming it). Returns a static
 * buffer: copy it before the next call. */
static inline const char *shared_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", shared_dir(), rel);
    if (access(path, R_OK) != 0) fail_msg("cannot read %s: %s", path, strerror(errno));
    return path;
}

#endif
