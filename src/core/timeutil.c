/* Calendar arithmetic without the C library's local-time state: days_from_civil is Howard
 * Hinnant's algorithm, valid for the proleptic Gregorian calendar. */
#include "core/timeutil.h"

#include <ctype.h>
#include <string.h>
#include <sys/time.h>
#include <stdio.h>
#include <time.h>

int64_t time_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t time_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

int time_from_fields(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 ||
        h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return -1;
    *out = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int time_parse_gdelt(const char *s, size_t len, int64_t *epoch)
{
    if (len != 14 && len != 8) return -1;
    int y = digits(s, 4), mo = digits(s + 4, 2), d = digits(s + 6, 2);
    int h = 0, mi = 0, se = 0;
    if (len == 14) {
        h = digits(s + 8, 2);
        mi = digits(s + 10, 2);
        se = digits(s + 12, 2);
    }
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return -1;
    return time_from_fields(y, mo, d, h, mi, se, epoch);
}

int time_parse_iso8601(const char *s, int64_t *epoch)
{
    size_t len = strlen(s);
    if (len < 10 || s[4] != '-' || s[7] != '-') return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = 0, mi = 0, se = 0;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (len < 19 || p[3] != ':' || p[6] != ':') return -1;
        h = digits(p + 1, 2);
        mi = digits(p + 4, 2);
        se = digits(p + 7, 2);
        p += 9;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) return -1;
            while (isdigit((unsigned char)*p)) p++;
        }
    }
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return -1;
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh = digits(p + 1, 2);
        if (oh < 0) return -1;
        const char *q = p + 3;
        if (*q == ':') q++;
        int om = digits(q, 2);
        if (om < 0 || oh > 23 || om > 59) return -1;
        offset = sign * (oh * 3600 + om * 60);
        p = q + 2;
    }
    if (*p != '\0') return -1;
    int64_t t;
    if (time_from_fields(y, mo, d, h, mi, se, &t) != 0) return -1;
    *epoch = t - offset;
    return 0;
}

void time_format(int64_t epoch, char out[TIME_TEXT_LEN])
{
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t secs = epoch - days * 86400;
    /* civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (y < 0 || y > 9999) y = 0;
    /* All fields are in range here; format by hand so the compiler need not prove it. */
    unsigned v[6] = {(unsigned)y, (unsigned)m, (unsigned)d, (unsigned)(secs / 3600),
                     (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
    out[0] = (char)('0' + v[0] / 1000 % 10);
    out[1] = (char)('0' + v[0] / 100 % 10);
    out[2] = (char)('0' + v[0] / 10 % 10);
    out[3] = (char)('0' + v[0] % 10);
    static const int pos[5] = {5, 8, 11, 14, 17};
    static const char sep[5] = {'-', '-', ' ', ':', ':'};
    for (int i = 0; i < 5; i++) {
        out[pos[i] - 1] = sep[i];
        out[pos[i]] = (char)('0' + v[i + 1] / 10 % 10);
        out[pos[i] + 1] = (char)('0' + v[i + 1] % 10);
    }
    out[19] = '\0';
}

int64_t time_bucket_start(int64_t epoch, int64_t seconds)
{
    if (seconds <= 0) return epoch;
    int64_t q = epoch / seconds;
    if (epoch % seconds != 0 && epoch < 0) q--;
    return q * seconds;
}
