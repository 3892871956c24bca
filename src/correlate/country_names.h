/* Country pages in every wiki's language. countries.h knows a country page only by its English
 * names; a Syria story must also meet `Syrien` (dewiki), `Siria` (itwiki) or `シリア` (jawiki).
 * The localised names are CLDR's, through ICU (uloc_getDisplayCountry("und_SY", "de") =
 * "Syrien"), for the rows of country_table that have an ISO 3166-1 alpha-2 code; English wikis
 * keep the table's own names (CLDR's English is not Wikipedia's title: "Myanmar (Burma)",
 * "Congo - Kinshasa", "Hong Kong SAR China", and "Georgia" would be the US state's page).
 *
 * The lookup (language, title) -> country rows is one hash per process, built lazily one
 * language at a time, the first time a wiki of that language is asked about; it is safe to call
 * from several threads. Titles are compared as the reranker compares words (rerank.c): runs of
 * ASCII letters/digits or non-ASCII bytes, ASCII lower-cased, so "Syrien", "syrien" and
 * "Syrien_" are one key. */
#ifndef WG_COUNTRY_NAMES_H
#define WG_COUNTRY_NAMES_H

#include <stddef.h>
#include <stdio.h>

/* At most this many country_table rows share a name (the two Palestine rows share theirs). */
#define COUNTRY_MAX_ROWS 4

/* The language of a Wikipedia wiki id, as a BCP 47 tag: "dewiki" -> "de", "zh_min_nanwiki" ->
 * "zh-min-nan", "simplewiki" -> "en". Non-Wikipedia projects ("wikidatawiki", "commonswiki",
 * "metawiki", "enwiktionary", "dewikibooks"...) and anything that does not look like a wiki id
 * have none. Returns 1 and writes lang (NUL-terminated, cap >= 2) when there is one, else 0. */
int wiki_language(const char *wiki, char *lang, size_t cap);

/* The rows of country_table of which title is the page in the language of wiki: for English
 * wikis a name of the row (countries.c), for the others the row's CLDR name in that language.
 * Writes up to COUNTRY_MAX_ROWS row indices; returns how many (0: not a country page there, an
 * unknown language, a NULL argument). */
size_t country_page_rows(const char *wiki, const char *title, size_t rows[COUNTRY_MAX_ROWS]);

/* The rows GDELT's codes name: rows whose CAMEO code is one of the actors' (Actor1CountryCode,
 * Actor2CountryCode) or whose FIPS 10-4 code is ActionGeo_CountryCode (any may be NULL or "").
 * Distinct rows, up to cap; returns how many. */
size_t country_rows_of_codes(const char *actor1, const char *actor2, const char *geo_fips,
                             size_t *rows, size_t cap);

/* ISO 3166-1 alpha-2 code of a row ("" for CAMEO's regions, which have none). */
const char *country_row_iso2(size_t row);

/* Writes the lookup for wiki as "wiki<TAB>language<TAB>row<TAB>name" lines, one per name (the
 * names as ICU or the table give them), or one line with row -1 and no name when the wiki has no
 * language or the language no names. tools/rerank/fit.py reads this (it cannot call ICU).
 * Returns 0, or -1 on a write error. */
int country_names_dump(FILE *f, const char *wiki);

#endif
