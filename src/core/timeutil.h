/* Time in the pipeline: epoch seconds (int64, UTC) inside, 'YYYY-MM-DD HH:MM:SS' text in tables
 * (sorts and compares correctly as text, and SQLite's date functions read it). */
#ifndef WG_TIMEUTIL_H
#define WG_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_TEXT_LEN 20 /* "YYYY-MM-DD HH:MM:SS" + NUL */

int64_t time_now_ms(void);           /* wall clock, ms since epoch */
int64_t time_monotonic_ms(void);     /* for timeouts and rates */
int64_t time_days_from_civil(int y, int m, int d);
/* Builds epoch seconds from fields; returns -1 (and leaves *out) if any field is out of range. */
int time_from_fields(int y, int mo, int d, int h, int mi, int s, int64_t *out);
/* GDELT's YYYYMMDDHHMMSS (exactly 14 digits) or YYYYMMDD (8 digits). 0 ok, -1 malformed. */
int time_parse_gdelt(const char *s, size_t len, int64_t *epoch);
/* ISO 8601 'YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]' or with a space; also 'YYYY-MM-DD'. */
int time_parse_iso8601(const char *s, int64_t *epoch);
void time_format(int64_t epoch, char out[TIME_TEXT_LEN]);
/* Start of the bucket of width `seconds` that holds epoch (floor, works before 1970 too). */
int64_t time_bucket_start(int64_t epoch, int64_t seconds);

#endif
