/* Localised country page names (country_names.h): CLDR's display names through ICU, one hash
 * (language, title words) -> country_table rows per process, filled one language at a time. */
#include "correlate/country_names.h"

#include "correlate/countries.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* ---- wiki ids ----------------------------------------------------------------------------- */

int wiki_language(const char *wiki, char *lang, size_t cap)
{
    if (!wiki || !lang || cap < 2) return 0;
    size_t n = strlen(wiki);
    /* A Wikipedia is "<language>wiki"; the other projects end otherwise (enwiktionary,
       dewikibooks, frwikisource) or have a prefix that is no language code (commonswiki,
       wikidatawiki, metawiki, specieswiki, mediawikiwiki, testwiki, test2wiki...). */
    if (n < 6 || n > 24 || strcmp(wiki + n - 4, "wiki") != 0) return 0;
    size_t pn = n - 4;
    if (pn == 6 && !memcmp(wiki, "simple", 6)) { /* Simple English */
        if (cap < 3) return 0;
        memcpy(lang, "en", 3);
        return 1;
    }
    /* Language codes: a first part of 2 or 3 letters (ISO 639), then optional '_'-separated
       subtags of letters or digits: zh_min_nan, be_x_old, roa_rup, nds_nl, zh_yue. */
    size_t first = 0;
    while (first < pn && wiki[first] != '_') first++;
    if (first < 2 || first > 3 || pn + 1 > cap) return 0;
    for (size_t i = 0; i < pn; i++) {
        unsigned char c = (unsigned char)wiki[i];
        if (c == '_') {
            if (i == 0 || i + 1 == pn || wiki[i + 1] == '_') return 0;
            lang[i] = '-';
        } else if ((c >= 'a' && c <= 'z') || (i > first && c >= '0' && c <= '9')) {
            lang[i] = (char)c;
        } else {
            return 0;
        }
    }
    lang[pn] = 0;
    return 1;
}

/* ---- words: the reranker's tokens (rerank.c tokenize) joined by one space ------------------- */

static int is_word_byte(unsigned char c)
{
    return (c < 0x80 && isalnum(c)) || c >= 0x80;
}

/* Appends the normalised words of s[0..len) to out (cap bytes); 0 ok, -1 does not fit. */
static int normalise(const char *s, size_t len, char *out, size_t cap, size_t *outlen)
{
    size_t o = *outlen, i = 0;
    int any = 0;
    while (i < len) {
        while (i < len && !is_word_byte((unsigned char)s[i])) i++;
        if (i == len) break;
        if (any) {
            if (o + 1 >= cap) return -1;
            out[o++] = ' ';
        }
        while (i < len && is_word_byte((unsigned char)s[i])) {
            unsigned char c = (unsigned char)s[i++];
            if (o + 1 >= cap) return -1;
            out[o++] = (char)(c < 0x80 ? tolower(c) : c);
        }
        any = 1;
    }
    out[o] = 0;
    *outlen = o;
    return 0;
}

/* The key of (lang, text): "lang\twords". kind 0 for names; 1 marks a language as built. */
enum { KEY_CAP = 512 };
static int make_key(int kind, const char *lang, const char *text, char key[KEY_CAP])
{
    size_t ln = strlen(lang);
    if (ln + 3 >= KEY_CAP) return -1;
    key[0] = kind ? '\x01' : '\x02';
    memcpy(key + 1, lang, ln);
    key[ln + 1] = '\t';
    size_t o = ln + 2;
    key[o] = 0;
    if (text && normalise(text, strlen(text), key, KEY_CAP, &o) != 0) return -1;
    return 0;
}

/* ---- the process-wide lookup ------------------------------------------------------------- */

typedef struct name_entry {
    char *key;
    size_t nrows;
    size_t rows[COUNTRY_MAX_ROWS];
} name_entry;

static struct {
    pthread_mutex_t mu;
    name_entry *slots;
    size_t nslots, n;
    int iso_ready;
    char (*iso2)[3]; /* per country_table row */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static uint64_t key_hash(const char *k)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static name_entry *find(const char *key)
{
    if (!g.nslots) return NULL;
    size_t h = (size_t)key_hash(key) & (g.nslots - 1);
    while (g.slots[h].key) {
        if (!strcmp(g.slots[h].key, key)) return &g.slots[h];
        h = (h + 1) & (g.nslots - 1);
    }
    return NULL;
}

static int grow(void)
{
    size_t n = g.nslots ? g.nslots * 2 : 4096;
    name_entry *s = calloc(n, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < g.nslots; i++) {
        if (!g.slots[i].key) continue;
        size_t h = (size_t)key_hash(g.slots[i].key) & (n - 1);
        while (s[h].key) h = (h + 1) & (n - 1);
        s[h] = g.slots[i];
    }
    free(g.slots);
    g.slots = s;
    g.nslots = n;
    return 0;
}

/* Adds row to key's entry (creating it). -1 out of memory. */
static int add(const char *key, size_t row)
{
    name_entry *e = find(key);
    if (!e) {
        if ((g.n + 1) * 2 > g.nslots && grow() != 0) return -1;
        size_t h = (size_t)key_hash(key) & (g.nslots - 1);
        while (g.slots[h].key) h = (h + 1) & (g.nslots - 1);
        e = &g.slots[h];
        e->key = strdup(key);
        if (!e->key) return -1;
        e->nrows = 0;
        g.n++;
    }
    for (size_t i = 0; i < e->nrows; i++)
        if (e->rows[i] == row) return 0;
    if (e->nrows < COUNTRY_MAX_ROWS) e->rows[e->nrows++] = row;
    return 0;
}

/* The rows' ISO 3166-1 alpha-2 codes: ICU's ISO countries whose alpha-3 code is the row's CAMEO
   code (CAMEO uses ISO alpha-3 for countries), and Kosovo, whose CAMEO code XKX is not ICU's
   XKK. CAMEO's regions (AFR, EUR, WST...) have none. */
static int iso_init(void)
{
    if (g.iso_ready) return 0;
    g.iso2 = calloc(country_table_n, sizeof *g.iso2);
    if (!g.iso2) return -1;
    for (const char *const *c = uloc_getISOCountries(); c && *c; c++) {
        char loc[16];
        snprintf(loc, sizeof loc, "und_%s", *c);
        const char *a3 = uloc_getISO3Country(loc);
        for (size_t r = 0; r < country_table_n; r++)
            if (a3 && *a3 && !strcmp(a3, country_table[r].cameo) && strlen(*c) == 2)
                memcpy(g.iso2[r], *c, 3);
    }
    for (size_t r = 0; r < country_table_n; r++)
        if (!strcmp(country_table[r].cameo, "XKX")) memcpy(g.iso2[r], "XK", 3);
    g.iso_ready = 1;
    return 0;
}

typedef int (*name_fn)(void *ctx, size_t row, const char *name);

/* Calls fn for every (row, name) of lang: the table's names for English, else CLDR's display
   name of each row with an ISO code. A language ICU has no data for (it would answer in root's
   English or with the bare code) gives nothing. Returns fn's first non-zero result, else 0. */
static int each_name(const char *lang, name_fn fn, void *ctx)
{
    if (!strcmp(lang, "en")) {
        for (size_t r = 0; r < country_table_n; r++)
            for (const char *p = country_table[r].names; *p;) {
                const char *e = strchr(p, ';');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                char name[256];
                if (n < sizeof name) {
                    memcpy(name, p, n);
                    name[n] = 0;
                    int rc = fn(ctx, r, name);
                    if (rc) return rc;
                }
                p = e ? e + 1 : p + n;
            }
        return 0;
    }
    char loc[ULOC_FULLNAME_CAPACITY];
    int32_t parsed = 0;
    UErrorCode st = U_ZERO_ERROR;
    uloc_forLanguageTag(lang, loc, (int32_t)sizeof loc, &parsed, &st);
    if (U_FAILURE(st) || parsed != (int32_t)strlen(lang) || !loc[0]) return 0;
    if (iso_init() != 0) return -1;
    for (size_t r = 0; r < country_table_n; r++) {
        if (!g.iso2[r][0]) continue;
        char region[16];
        snprintf(region, sizeof region, "und_%s", g.iso2[r]);
        UChar u[256];
        st = U_ZERO_ERROR;
        int32_t ulen = uloc_getDisplayCountry(region, loc, u, 256, &st);
        if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING || ulen <= 0) continue;
        char name[768];
        int32_t blen = 0;
        UErrorCode st8 = U_ZERO_ERROR;
        u_strToUTF8(name, (int32_t)sizeof name, &blen, u, ulen, &st8);
        if (U_FAILURE(st8) || st8 == U_STRING_NOT_TERMINATED_WARNING || blen <= 0) continue;
        if (!strcmp(name, g.iso2[r])) continue; /* no name: ICU echoes the code */
        int rc = fn(ctx, r, name);
        if (rc) return rc;
    }
    return 0;
}

static int add_name(void *ctx, size_t row, const char *name)
{
    char key[KEY_CAP];
    if (make_key(0, (const char *)ctx, name, key) != 0) return 0; /* absurdly long: skip */
    if (key[strlen((const char *)ctx) + 2] == 0) return 0;       /* no words */
    return add(key, row);
}

/* Builds lang's names once (caller holds the lock). */
static int ensure_language(const char *lang)
{
    char mark[KEY_CAP];
    if (make_key(1, lang, NULL, mark) != 0) return -1;
    if (find(mark)) return 0;
    if (each_name(lang, add_name, (void *)lang) != 0) return -1;
    return add(mark, 0);
}

size_t country_page_rows(const char *wiki, const char *title, size_t rows[COUNTRY_MAX_ROWS])
{
    char lang[32], key[KEY_CAP];
    if (!title || !wiki_language(wiki, lang, sizeof lang)) return 0;
    if (make_key(0, lang, title, key) != 0) return 0;
    size_t n = 0;
    pthread_mutex_lock(&g.mu);
    if (ensure_language(lang) == 0) {
        const name_entry *e = find(key);
        if (e) {
            n = e->nrows;
            memcpy(rows, e->rows, n * sizeof *rows);
        }
    }
    pthread_mutex_unlock(&g.mu);
    return n;
}

size_t country_rows_of_codes(const char *actor1, const char *actor2, const char *geo_fips,
                             size_t *rows, size_t cap)
{
    size_t n = 0;
    for (size_t r = 0; r < country_table_n && n < cap; r++) {
        const country_entry *e = &country_table[r];
        int hit = (actor1 && *actor1 && !strcmp(actor1, e->cameo)) ||
                  (actor2 && *actor2 && !strcmp(actor2, e->cameo)) ||
                  (geo_fips && *geo_fips && *e->fips && !strcmp(geo_fips, e->fips));
        if (hit) rows[n++] = r;
    }
    return n;
}

const char *country_row_iso2(size_t row)
{
    if (row >= country_table_n) return "";
    pthread_mutex_lock(&g.mu);
    int ok = iso_init() == 0;
    pthread_mutex_unlock(&g.mu);
    return ok ? g.iso2[row] : "";
}

typedef struct dump_ctx {
    FILE *f;
    const char *wiki, *lang;
    size_t lines;
} dump_ctx;

static int dump_name(void *ctx, size_t row, const char *name)
{
    dump_ctx *d = ctx;
    d->lines++;
    return fprintf(d->f, "%s\t%s\t%zu\t%s\n", d->wiki, d->lang, row, name) < 0 ? -1 : 0;
}

int country_names_dump(FILE *f, const char *wiki)
{
    char lang[32];
    dump_ctx d = {f, wiki ? wiki : "", "", 0};
    if (wiki_language(wiki, lang, sizeof lang)) {
        d.lang = lang;
        pthread_mutex_lock(&g.mu);
        int rc = each_name(lang, dump_name, &d);
        pthread_mutex_unlock(&g.mu);
        if (rc) return -1;
    }
    if (!d.lines && fprintf(f, "%s\t%s\t-1\t\n", d.wiki, d.lang) < 0) return -1;
    return 0;
}
