/* CSV output of the commands that print query results (sql, ask): RFC 4180 quoting. */
#ifndef WG_CLI_CSV_H
#define WG_CLI_CSV_H

#include <stdio.h>

/* Writes s as one field: as it is, or in double quotes (quotes doubled) when it holds a comma,
 * a quote or a line break. NULL writes nothing (an empty field). */
void csv_field(FILE *out, const char *s);

#endif
