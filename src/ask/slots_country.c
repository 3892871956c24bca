/* The slot grammar's countries (slots.h): names, adjectives and common other forms from the
 * country table, and the CLDR names in the languages an analyst most often writes them in, built
 * once; names that stand for two countries are asked back. */
#include "ask/slots_int.h"

#include "core/grow.h"
#include "correlate/countries.h"
#include "correlate/country_names.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* ---------- countries ---------- */

typedef struct cname {
    char *name;     /* lower case */
    int row;
    int adjective;
    int ambiguous;
} cname;

static cname *cnames;
static size_t ncnames;
static pthread_once_t cnames_once = PTHREAD_ONCE_INIT;

static cname *cname_find(const char *low)
{
    for (size_t i = 0; i < ncnames; i++)
        if (!strcmp(cnames[i].name, low)) return &cnames[i];
    return NULL;
}

/* name in lower case into low[128], cut at 127 bytes. */
static void lower_name(const char *name, char low[128])
{
    size_t n = 0;
    for (; name[n] && n + 1 < 128; n++) low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
}

static void add_cname(size_t *cap, const char *name, int row, int adjective)
{
    if (!name || !*name) return;
    char low[128];
    lower_name(name, low);
    cname *seen = cname_find(low);
    if (seen) {
        /* two countries, one name: the first keeps it unless both share the CAMEO code */
        if (strcmp(country_table[seen->row].cameo, country_table[row].cameo) != 0) seen->ambiguous = 1;
        return;
    }
    if (grow_array(&cnames, cap, ncnames, sizeof *cnames, 1024)) return;
    cnames[ncnames].name = strdup(low);
    cnames[ncnames].row = row;
    cnames[ncnames].adjective = adjective;
    cnames[ncnames].ambiguous = 0;
    if (cnames[ncnames].name) ncnames++;
}

static void add_list(size_t *cap, const char *list, int row, int adjective)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", list);
    char *save = NULL;
    for (char *p = strtok_r(tmp, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
        char name[128];
        snprintf(name, sizeof name, "%s", p);
        /* "Georgia (country)" -> "georgia" (ambiguous, below) */
        char *paren = strstr(name, " (");
        if (paren) *paren = '\0';
        add_cname(cap, name, row, adjective);
    }
}

static int find_row(const char *cameo, const char *fips)
{
    for (size_t r = 0; r < country_table_n; r++)
        if (!strcmp(country_table[r].cameo, cameo) && (!fips || !strcmp(country_table[r].fips, fips))) return (int)r;
    return -1;
}

static void build_cnames(void)
{
    size_t cap = 0;
    for (size_t r = 0; r < country_table_n; r++) add_list(&cap, country_table[r].names, (int)r, 0);
    /* common other forms */
    static const struct { const char *name, *cameo; } extra[] = {
        {"u.s.", "USA"}, {"u.s.a.", "USA"}, {"united states", "USA"}, {"the us", "USA"}, {"the states", "USA"},
        {"england", "GBR"}, {"u.k.", "GBR"}, {"holland", "NLD"}, {"the netherlands", "NLD"}, {"burma", "MMR"},
        {"drc", "COD"}, {"dr congo", "COD"}, {"persia", "IRN"}, {"czechia", "CZE"}, {"turkiye", "TUR"},
        {"türkiye", "TUR"}, {"viet nam", "VNM"}, {"south korea", "KOR"}, {"north korea", "PRK"},
        {"uae", "ARE"}, {"emirates", "ARE"}, {"the philippines", "PHL"}, {"ivory coast", "CIV"},
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        int r = find_row(extra[i].cameo, NULL);
        if (r >= 0) add_cname(&cap, extra[i].name, r, 0);
    }
    for (size_t r = 0; r < country_table_n; r++) add_list(&cap, country_table[r].adjectives, (int)r, 1);
    /* CLDR names in the languages an analyst most often writes a country in */
    static const char *const langs[] = {"en", "de", "fr", "es", "it", "pt", "nl"};
    for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++)
        for (size_t r = 0; r < country_table_n; r++) {
            const char *iso2 = country_row_iso2(r);
            if (!iso2 || !*iso2) continue;
            char region[16];
            snprintf(region, sizeof region, "und_%s", iso2);
            UChar u[128];
            UErrorCode st = U_ZERO_ERROR;
            int32_t ulen = uloc_getDisplayCountry(region, langs[l], u, 128, &st);
            if (U_FAILURE(st) || ulen <= 0) continue;
            UChar lu[128];
            UErrorCode st2 = U_ZERO_ERROR;
            int32_t llen = u_strToLower(lu, 128, u, ulen, langs[l], &st2);
            if (U_FAILURE(st2)) continue;
            char name[256];
            int32_t blen = 0;
            UErrorCode st8 = U_ZERO_ERROR;
            u_strToUTF8(name, (int32_t)sizeof name, &blen, lu, llen, &st8);
            if (U_FAILURE(st8) || blen <= 0 || blen >= (int32_t)sizeof name) continue;
            name[blen] = '\0';
            if (strchr(name, '(') || strstr(name, " - ") || strstr(name, "sar")) continue;
            add_cname(&cap, name, (int)r, 0);
        }
    /* names that also name something else: stated (georgia) or asked back (korea, congo) */
    for (size_t i = 0; i < ncnames; i++)
        if (!strcmp(cnames[i].name, "georgia")) cnames[i].ambiguous = 1;
}

int ask_country_lookup(const char *name, int *ambiguous)
{
    pthread_once(&cnames_once, build_cnames);
    char low[128];
    lower_name(name, low);
    const cname *c = cname_find(low);
    if (ambiguous) *ambiguous = c ? c->ambiguous : 0;
    return c ? c->row : -1;
}

void slots_parse_country(toks *ts, ask_slots *o)
{
    pthread_once(&cnames_once, build_cnames);
    char buf[256];
    /* "Georgia" first: the words around it ("US state") decide, not the other names */
    int georgia = -1;
    for (int i = 0; i < ts->n; i++)
        if (tw(ts, i, "georgia") && !ts->kind[i]) georgia = i;
    for (int k = 4; k >= 1; k--)
        for (int i = georgia >= 0 ? georgia : 0; i + k <= ts->n; i++) {
            if (georgia >= 0 && (i != georgia || k != 1)) continue;
            if (!tfree(ts, i, k)) continue;
            join(ts, i, k, buf, sizeof buf);
            /* "korea" and "congo" alone name two countries: ask back */
            if (k == 1 && (!strcmp(buf, "korea") || !strcmp(buf, "congo") || !strcmp(buf, "korean") ||
                           !strcmp(buf, "congolese"))) {
                int korea = buf[0] == 'k';
                snprintf(o->ask_back, sizeof o->ask_back,
                         "'%s' names two countries: %s? Ask again with one of them.", ts->t[i].orig,
                         korea ? "South Korea (FIPS KS, CAMEO KOR) or North Korea (KN, PRK)"
                               : "the Democratic Republic of the Congo (FIPS CG, CAMEO COD) or the Republic of the Congo (CF, COG)");
                consume(ts, i, k, 'K');
                return;
            }
            /* "us" only as written in capitals; "in" and the like are never countries */
            if (k == 1 && (!strcmp(buf, "us") || !strcmp(buf, "uk") || !strcmp(buf, "usa")) &&
                strcmp(ts->t[i].orig, "US") && strcmp(ts->t[i].orig, "UK") && strcmp(ts->t[i].orig, "USA") &&
                strcmp(buf, "uk"))
                continue;
            const cname *c = cname_find(buf);
            if (!c) continue;
            const country_entry *e = &country_table[c->row];
            o->country_row = c->row;
            snprintf(o->fips, sizeof o->fips, "%s", e->fips);
            snprintf(o->cameo_cc, sizeof o->cameo_cc, "%s", e->cameo);
            char nm[64];
            snprintf(nm, sizeof nm, "%s", e->names);
            char *semi = strchr(nm, ';');
            if (semi) *semi = '\0';
            char *paren = strstr(nm, " (");
            if (paren) *paren = '\0';
            snprintf(o->country_name, sizeof o->country_name, "%s", nm);
            int before = i > 0 ? i - 1 : -1;
            o->country_actor = c->adjective || tw(ts, before, "by") || tw(ts, before, "involving") ||
                               (i + k < ts->n && (tw(ts, i + k, "actors") || tw(ts, i + k, "actor")));
            consume(ts, i, k, 'N');
            if (i + k < ts->n && (tw(ts, i + k, "actors") || tw(ts, i + k, "actor"))) consume(ts, i + k, 1, 'N');
            if (!strcmp(buf, "georgia")) {
                /* the US state when the question says so */
                int state = 0;
                for (int j = 0; j < ts->n; j++)
                    if (tw(ts, j, "state") || (j > i && (tw(ts, j, "usa") || tw(ts, j, "us") || tw(ts, j, "u.s.")))) state = 1;
                if (state) {
                    snprintf(o->adm1, sizeof o->adm1, "USGA");
                    snprintf(o->fips, sizeof o->fips, "US");
                    snprintf(o->cameo_cc, sizeof o->cameo_cc, "USA");
                    snprintf(o->country_name, sizeof o->country_name, "Georgia (US state)");
                    o->country_actor = 0;
                    snprintf(o->note, sizeof o->note, "Georgia read as the US state (ActionGeo_ADM1Code USGA).");
                    for (int j = 0; j < ts->n; j++)
                        if (!ts->kind[j] && (tw(ts, j, "state") || tw(ts, j, "usa") || tw(ts, j, "us") || tw(ts, j, "u.s.")))
                            consume(ts, j, 1, 'N');
                } else {
                    snprintf(o->note, sizeof o->note,
                             "Georgia read as the country (FIPS GG, CAMEO GEO); for the US state say \"the US state of Georgia\".");
                }
            } else if (c->ambiguous) {
                snprintf(o->note, sizeof o->note, "'%s' read as %s; the name also names another country.", ts->t[i].orig,
                         o->country_name);
            }
            return;
        }
}
