/* Private to the slot grammar (slots*.c): the tokens each recogniser reads and consumes, and the
 * recognisers that live in their own files (dates in slots_time.c, countries in slots_country.c). */
#ifndef WG_ASK_SLOTS_INT_H
#define WG_ASK_SLOTS_INT_H

#include "ask/slots.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOK 96

typedef struct tok {
    char w[64];         /* lower case */
    char orig[64];      /* as written */
    size_t start, end;  /* byte span in the question */
} tok;

typedef struct toks {
    tok t[MAX_TOK];
    int n;
    char kind[MAX_TOK]; /* 0 free, else the slot letter that consumed it */
} toks;

int slots_word_byte(unsigned char c);
/* Splits q into words with their byte spans (slots.c). */
void slots_tokenize(const char *q, toks *ts);
/* A small non-negative integer written as digits or a word; -1 otherwise (slots_time.c). */
long slots_small_number(const char *w);
/* Finds a time phrase in ts and consumes it; *ti, *tk: its first token and count (slots_time.c). */
int slots_parse_time(toks *ts, const char *q, const char *ref, ask_time *t, int *ti, int *tk);
/* Finds a country name or adjective in ts and consumes it (slots_country.c). */
void slots_parse_country(toks *ts, ask_slots *o);

static inline int tw(const toks *ts, int i, const char *w) { return i >= 0 && i < ts->n && !strcmp(ts->t[i].w, w); }
static inline int tfree(const toks *ts, int i, int k)
{
    if (i < 0 || i + k > ts->n) return 0;
    for (int j = i; j < i + k; j++)
        if (ts->kind[j]) return 0;
    return 1;
}
static inline void consume(toks *ts, int i, int k, char kind)
{
    for (int j = i; j < i + k && j < ts->n; j++) ts->kind[j] = kind;
}
/* The k tokens from i joined by single spaces. */
static inline void join(const toks *ts, int i, int k, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (int j = i; j < i + k && j < ts->n; j++) {
        int w = snprintf(out + o, cap - o, "%s%s", j > i ? " " : "", ts->t[j].w);
        if (w < 0 || (size_t)w >= cap - o) break;
        o += (size_t)w;
    }
}

#endif
