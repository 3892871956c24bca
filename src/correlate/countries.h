/* Country names and codes for the gold reranker (countries.c says where they come from). */
#ifndef WG_COUNTRIES_H
#define WG_COUNTRIES_H

#include <stddef.h>

typedef struct country_entry {
    const char *cameo;      /* CAMEO country code, as in Actor1CountryCode ("USA", "EUR") */
    const char *fips;       /* FIPS 10-4 code, as in ActionGeo_CountryCode ("US"; "" for regions) */
    const char *names;      /* ';'-separated names, the page title first ("United States;US") */
    const char *adjectives; /* ';'-separated adjectives and demonyms ("American;Americans") */
    const char *seats;      /* ';'-separated seats of its national government ("Ottawa") */
} country_entry;

extern const country_entry country_table[];
extern const size_t country_table_n;

/* The rows one of whose names (names, ';'-separated) has exactly these words: words as the
 * reranker's tokenizer splits a name (runs of ASCII letters and digits or non-ASCII bytes), ASCII
 * in lower case, one space apart ("united states"). Up to cap rows, in any order; how many. */
size_t country_rows_named(const char *words, size_t *rows, size_t cap);

#endif
