/* The slot grammar's dates and times (slots.h): absolute dates in the usual written forms, relative
 * phrases ("last week", "yesterday", "in May"), ranges ("between 1 and 3 July"), each resolved
 * against a reference day into [from, to). */
#include "ask/slots_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------- numbers and dates ---------- */

static const char *const number_words[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                           "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                                           "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};

/* A small non-negative integer written as digits or a word; -1 otherwise. */
long slots_small_number(const char *w)
{
    if (isdigit((unsigned char)w[0])) {
        char *end;
        long v = strtol(w, &end, 10);
        if (*end || v > 100000) return -1;
        return v;
    }
    for (size_t i = 0; i < sizeof number_words / sizeof number_words[0]; i++)
        if (!strcmp(w, number_words[i])) return (long)i;
    if (!strcmp(w, "thirty")) return 30;
    if (!strcmp(w, "fifty")) return 50;
    if (!strcmp(w, "hundred")) return 100;
    if (!strcmp(w, "a") || !strcmp(w, "an")) return 1;
    return -1;
}

static const char *const months[] = {"january", "february", "march", "april", "may", "june", "july",
                                     "august", "september", "october", "november", "december"};
static int month_of(const char *w)
{
    for (int m = 0; m < 12; m++) {
        if (!strcmp(w, months[m])) return m + 1;
        if (strlen(w) == 3 && !strncmp(w, months[m], 3) && strcmp(w, "may") != 0) return m + 1;
        if (!strcmp(w, "sept") && m == 8) return 9;
    }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

static int valid_ymd(int y, int m, int d) { return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m); }

static void ymd(char *out, int y, int m, int d)
{
    y = ((y % 10000) + 10000) % 10000, m = ((m % 100) + 100) % 100, d = ((d % 100) + 100) % 100;
    out[0] = (char)('0' + y / 1000), out[1] = (char)('0' + y / 100 % 10), out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10), out[4] = '-', out[5] = (char)('0' + m / 10), out[6] = (char)('0' + m % 10);
    out[7] = '-', out[8] = (char)('0' + d / 10), out[9] = (char)('0' + d % 10), out[10] = '\0';
}

int ask_date_add(const char *date, int days, char *out)
{
    int y, m, d;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || !valid_ymd(y, m, d)) return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm r;
    gmtime_r(&t, &r);
    ymd(out, r.tm_year + 1900, r.tm_mon + 1, r.tm_mday);
    return 0;
}


static int year_of(const char *w)
{
    if (strlen(w) != 4) return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)w[i])) return 0;
    int y = atoi(w);
    return y >= 1979 && y <= 2200 ? y : 0;
}

static int day_of(const char *w)
{
    char *end;
    long d = strtol(w, &end, 10);
    if (end == w) return 0;
    if (*end && strcmp(end, "st") && strcmp(end, "nd") && strcmp(end, "rd") && strcmp(end, "th")) return 0;
    return d >= 1 && d <= 31 ? (int)d : 0;
}

/* A date phrase at token i: sets [from, to) by its granularity (day, month, year) and returns the
 * tokens read (0: none). Missing year: the reference year, or the year before when that would
 * put the date after the reference day. partial_day: "1" in "between 1 and 3 July". */
typedef struct date_read {
    int y, m, d; /* 0 when unsaid */
} date_read;

static int read_date(const toks *ts, int i, date_read *dr)
{
    memset(dr, 0, sizeof *dr);
    if (i >= ts->n) return 0;
    const char *w = ts->t[i].w;
    int y, m, d;
    char tail;
    /* ISO 2025-07-15, 2025/07/15, 2025-07 */
    if (sscanf(w, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 || sscanf(w, "%4d/%2d/%2d%c", &y, &m, &d, &tail) == 3) {
        if (!valid_ymd(y, m, d)) return 0;
        dr->y = y, dr->m = m, dr->d = d;
        return 1;
    }
    if (sscanf(w, "%4d-%2d%c", &y, &m, &tail) == 2 && y >= 1979 && m >= 1 && m <= 12 && strlen(w) == 7) {
        dr->y = y, dr->m = m;
        return 1;
    }
    /* 15/07/2025 (day first, as outside the US), 20250715 */
    if (sscanf(w, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3 && valid_ymd(y, m, d)) {
        dr->y = y, dr->m = m, dr->d = d;
        return 1;
    }
    if (strlen(w) == 8 && sscanf(w, "%4d%2d%2d%c", &y, &m, &d, &tail) == 3 && valid_ymd(y, m, d)) {
        dr->y = y, dr->m = m, dr->d = d;
        return 1;
    }
    int k = i;
    if (tw(ts, k, "the") && (day_of(ts->t[k + 1 < ts->n ? k + 1 : k].w) || month_of(ts->t[k + 1 < ts->n ? k + 1 : k].w))) k++;
    /* 15 July [2025] / 15th of July */
    if ((d = day_of(ts->t[k].w)) && !year_of(ts->t[k].w)) {
        int j = k + 1;
        if (tw(ts, j, "of")) j++;
        if (j < ts->n && (m = month_of(ts->t[j].w))) {
            dr->d = d, dr->m = m;
            j++;
            if (j < ts->n && (y = year_of(ts->t[j].w))) dr->y = y, j++;
            return j - i;
        }
        return 0;
    }
    /* July [15[,]] [2025] */
    if ((m = month_of(ts->t[k].w))) {
        /* "may" is a month only next to a day or a year */
        int j = k + 1;
        dr->m = m;
        if (j < ts->n && (d = day_of(ts->t[j].w)) && !year_of(ts->t[j].w)) dr->d = d, j++;
        if (j < ts->n && (y = year_of(ts->t[j].w))) dr->y = y, j++;
        if (!strcmp(ts->t[k].w, "may") && !dr->d && !dr->y) return 0;
        if (strlen(ts->t[k].w) == 3 && !dr->d && !dr->y && strcmp(ts->t[k].w, "jun") && strcmp(ts->t[k].w, "jul")) {
            /* "mar", "jan": a bare abbreviation counts too; but "dec" etc. alone are rare words */
        }
        return j - i;
    }
    if ((y = year_of(ts->t[k].w))) {
        dr->y = y;
        return k - i + 1;
    }
    return 0;
}

/* Resolves a read date to [from, to) against the reference day. */
static int resolve(date_read dr, const char *ref, char *from, char *to)
{
    int ry = 0, rm = 0, rd = 0;
    sscanf(ref, "%4d-%2d-%2d", &ry, &rm, &rd);
    if (!dr.y) {
        if (!dr.m) return -1;
        dr.y = ry;
        /* "since June" in January means last June */
        if (dr.m > rm || (dr.m == rm && dr.d > rd)) dr.y = ry - 1;
    }
    if (dr.d) {
        if (!valid_ymd(dr.y, dr.m, dr.d)) return -1;
        ymd(from, dr.y, dr.m, dr.d);
        ask_date_add(from, 1, to);
    } else if (dr.m) {
        ymd(from, dr.y, dr.m, 1);
        if (dr.m == 12) ymd(to, dr.y + 1, 1, 1);
        else ymd(to, dr.y, dr.m + 1, 1);
    } else {
        ymd(from, dr.y, 1, 1);
        ymd(to, dr.y + 1, 1, 1);
    }
    return 0;
}

static void set_phrase(const toks *ts, const char *q, int i, int k, ask_time *t)
{
    size_t s = ts->t[i].start, e = ts->t[i + k - 1].end;
    size_t len = e - s;
    if (len >= sizeof t->text) len = sizeof t->text - 1;
    memcpy(t->text, q + s, len);
    t->text[len] = '\0';
}

/* Finds a time phrase in ts; consumes it. */
int slots_parse_time(toks *ts, const char *q, const char *ref, ask_time *t, int *ti, int *tk)
{
    memset(t, 0, sizeof *t);
    char D[11];
    snprintf(D, sizeof D, "%s", ref);
    for (int i = 0; i < ts->n; i++) {
        if (!tfree(ts, i, 1)) continue;
        const char *w = ts->t[i].w;
        int k = 0;
        char from[11] = "", to[11] = "";
        int relative = 0;
        date_read a, b;
        int na, nb;
        if (!strcmp(w, "today")) {
            snprintf(from, 11, "%s", D), ask_date_add(D, 1, to), k = 1, relative = 1;
        } else if (!strcmp(w, "yesterday")) {
            ask_date_add(D, -1, from), snprintf(to, 11, "%s", D), k = 1, relative = 1;
        } else if ((!strcmp(w, "last") || !strcmp(w, "past") || !strcmp(w, "this") || !strcmp(w, "previous")) && i + 1 < ts->n) {
            int j = i + 1;
            if (tw(ts, j, "the") || tw(ts, j, "a")) j++;
            long nn = j < ts->n ? slots_small_number(ts->t[j].w) : -1;
            if (nn > 0 && j + 1 < ts->n && strcmp(ts->t[j].w, "a") && strcmp(ts->t[j].w, "an")) j++;
            else nn = 1;
            const char *unit = j < ts->n ? ts->t[j].w : "";
            int days = 0;
            if (!strcmp(unit, "day") || !strcmp(unit, "days")) days = (int)nn;
            else if (!strcmp(unit, "week") || !strcmp(unit, "weeks")) days = 7 * (int)nn;
            else if (!strcmp(unit, "month") || !strcmp(unit, "months")) days = 30 * (int)nn;
            else if (!strcmp(unit, "hours") || !strcmp(unit, "hour") || !strcmp(unit, "24h")) days = 1;
            else if (!strcmp(unit, "year") || !strcmp(unit, "years")) days = 365 * (int)nn;
            if (days && days <= 3700) {
                if (!strcmp(w, "this") && (!strcmp(unit, "year"))) {
                    int ry = atoi(D);
                    ymd(from, ry, 1, 1), ask_date_add(D, 1, to);
                } else {
                    ask_date_add(D, -days, from), ask_date_add(D, 1, to);
                }
                k = j - i + 1, relative = 1;
            }
        } else if (!strcmp(w, "since") || !strcmp(w, "after") || !strcmp(w, "from")) {
            if ((na = read_date(ts, i + 1, &a)) && tfree(ts, i + 1, na)) {
                char f[11], e[11];
                /* from A to|until B */
                int j = i + 1 + na;
                if (!strcmp(w, "from") && (tw(ts, j, "to") || tw(ts, j, "until") || tw(ts, j, "till")) &&
                    (nb = read_date(ts, j + 1, &b))) {
                    if (!a.y && !a.m) a.m = b.m, a.y = b.y;
                    if (!a.y) a.y = b.y;
                    if (resolve(a, D, f, e) == 0) snprintf(from, 11, "%s", f);
                    if (resolve(b, D, f, e) == 0) snprintf(to, 11, "%s", e);
                    k = j + 1 + nb - i;
                } else if (resolve(a, D, f, e) == 0) {
                    if (!strcmp(w, "after")) snprintf(from, 11, "%s", e);
                    else snprintf(from, 11, "%s", f);
                    k = 1 + na;
                    relative = !a.y;
                }
            }
        } else if (!strcmp(w, "before") || !strcmp(w, "until") || !strcmp(w, "till")) {
            if ((na = read_date(ts, i + 1, &a))) {
                char f[11], e[11];
                if (resolve(a, D, f, e) == 0) {
                    snprintf(to, 11, "%s", !strcmp(w, "before") ? f : e);
                    k = 1 + na;
                    relative = !a.y;
                }
            }
        } else if (!strcmp(w, "between")) {
            na = read_date(ts, i + 1, &a);
            if (!na && i + 1 < ts->n && day_of(ts->t[i + 1].w)) { /* "between 1 and 3 July" */
                memset(&a, 0, sizeof a);
                a.d = day_of(ts->t[i + 1].w);
                na = 1;
            }
            if (na && tw(ts, i + 1 + na, "and") && (nb = read_date(ts, i + 2 + na, &b))) {
                char f[11], e[11];
                if (!a.m) a.m = b.m;
                if (!a.y) a.y = b.y;
                if (resolve(a, D, f, e) == 0) snprintf(from, 11, "%s", f);
                if (resolve(b, D, f, e) == 0) snprintf(to, 11, "%s", e);
                if (from[0] && to[0]) k = 2 + na + nb;
            }
        } else if (!strcmp(w, "in") || !strcmp(w, "on") || !strcmp(w, "during") || !strcmp(w, "for") || !strcmp(w, "of")) {
            int j = i + 1;
            if (tw(ts, j, "the")) j++;
            na = read_date(ts, j, &a);
            if (!na && tw(ts, j, "may") && strcmp(w, "of") && strcmp(w, "for")) { /* "in May": the month */
                memset(&a, 0, sizeof a);
                a.m = 5, na = 1;
            }
            if (na) {
                char f[11], e[11];
                /* "in the 2024 data" / "in the 2024 export" */
                int extra = 0;
                if (j + na < ts->n && (tw(ts, j + na, "data") || tw(ts, j + na, "export") || tw(ts, j + na, "exports") ||
                                       tw(ts, j + na, "file") || tw(ts, j + na, "dataset")))
                    extra = 1;
                if (resolve(a, D, f, e) == 0) {
                    snprintf(from, 11, "%s", f), snprintf(to, 11, "%s", e);
                    k = j - i + na + extra;
                    relative = !a.y;
                } else {
                    i = j + na - 1; /* no such day: its words are no date either */
                    continue;
                }
            }
        } else if ((na = read_date(ts, i, &a)) && (a.d || (a.m && a.y))) {
            /* a bare full date: "15 July 2025", "2025-07-15", "July 2025" */
            char f[11], e[11];
            if (resolve(a, D, f, e) == 0) {
                snprintf(from, 11, "%s", f), snprintf(to, 11, "%s", e);
                k = na;
                relative = !a.y;
            } else {
                i += na - 1;
                continue;
            }
        }
        if (k > 0 && tfree(ts, i, k)) {
            t->set = 1;
            snprintf(t->from, sizeof t->from, "%s", from);
            snprintf(t->to, sizeof t->to, "%s", to);
            t->relative = relative;
            set_phrase(ts, q, i, k, t);
            consume(ts, i, k, 'T');
            *ti = i, *tk = k;
            return 1;
        }
    }
    return 0;
}

int ask_time_parse(const char *text, const char *ref, ask_time *t, size_t *span_start, size_t *span_end)
{
    toks *ts = calloc(1, sizeof *ts);
    if (!ts) return 0;
    slots_tokenize(text, ts);
    int i = 0, k = 0;
    int found = slots_parse_time(ts, text, ref, t, &i, &k);
    if (found) {
        if (span_start) *span_start = ts->t[i].start;
        if (span_end) *span_end = ts->t[i + k - 1].end;
    }
    free(ts);
    return found;
}
