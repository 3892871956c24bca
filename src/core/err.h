/* The error vocabulary shared by every module.
 *
 * A function that can fail takes `char *err, size_t errlen` and, on failure, writes one line
 * there that says what failed and where (the file, table, statement or byte offset). Callers
 * hold that line in a buffer of WG_ERR_LEN bytes: one size everywhere, so a message passed up
 * through several layers is cut at the same length at every step. */
#ifndef WG_CORE_ERR_H
#define WG_CORE_ERR_H

/* Room for a message naming a path, a SQLite error and the statement or position it came from. */
#define WG_ERR_LEN 1024

#include <stddef.h>

/* Puts "prefix: " in front of the message already in err, cutting its end to fit errlen: how a
 * caller says where a callee's error happened without a second buffer. */
void err_prefix(char *err, size_t errlen, const char *prefix);

#endif
