/* The slot grammar (slots.h): a tokeniser with byte spans, then one recogniser per slot over the
 * tokens, each consuming the tokens it reads so that slots never overlap. Dates and times are read
 * in slots_time.c, countries in slots_country.c; the tokens they share are in slots_int.h. */
#include "ask/slots_int.h"

#include "refine/cameo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int slots_word_byte(unsigned char c) { return isalnum(c) || c >= 0x80 || c == '_'; }

void slots_tokenize(const char *q, toks *ts)
{
    ts->n = 0;
    size_t i = 0, n = strlen(q);
    while (i < n && ts->n < MAX_TOK) {
        unsigned char c = (unsigned char)q[i];
        int starts_num = (c == '-' || c == '+') && i + 1 < n && isdigit((unsigned char)q[i + 1]) &&
                         (i == 0 || !slots_word_byte((unsigned char)q[i - 1]));
        if (!slots_word_byte(c) && !starts_num) {
            i++;
            continue;
        }
        size_t s = i++;
        /* a word: letters, digits, and - . ' / : between them (2025-07-15, u.s., 15/07/2025) */
        while (i < n) {
            unsigned char d = (unsigned char)q[i];
            if (slots_word_byte(d)) { i++; continue; }
            if ((d == '-' || d == '.' || d == '\'' || d == '/' || d == ':') && i + 1 < n &&
                slots_word_byte((unsigned char)q[i + 1])) { i += 2; continue; }
            break;
        }
        size_t len = i - s;
        /* a trailing "." of an abbreviation (u.s.) */
        if (i < n && q[i] == '.' && len <= 4 && memchr(q + s, '.', len)) { i++; len++; }
        tok *t = &ts->t[ts->n];
        if (len >= sizeof t->w) len = sizeof t->w - 1;
        memcpy(t->orig, q + s, len);
        t->orig[len] = '\0';
        for (size_t k = 0; k <= len; k++) t->w[k] = (char)tolower((unsigned char)t->orig[k]);
        /* possessive 's */
        size_t wl = strlen(t->w);
        if (wl > 2 && !strcmp(t->w + wl - 2, "'s")) t->w[wl - 2] = '\0';
        t->start = s;
        t->end = s + len;
        ts->kind[ts->n] = 0;
        ts->n++;
    }
}

/* ---------- categories ---------- */

static const struct { const char *phrase, *code; } categories[] = {
    {"public statement", "01"}, {"statement", "01"}, {"appeal", "02"}, {"intent to cooperate", "03"},
    {"consult", "04"}, {"consultation", "04"}, {"meeting", "04"}, {"visit", "04"}, {"negotiation", "04"},
    {"diplomatic cooperation", "05"}, {"aid", "07"}, {"assistance", "07"}, {"humanitarian aid", "073"},
    {"military aid", "072"}, {"economic aid", "071"}, {"peacekeeping", "074"}, {"asylum", "075"},
    {"yield", "08"}, {"concession", "08"}, {"ceasefire", "0871"}, {"truce", "0871"}, {"investigate", "09"},
    {"investigation", "09"}, {"demand", "10"}, {"disapprove", "11"}, {"disapproval", "11"}, {"criticism", "11"},
    {"criticize", "11"}, {"accusation", "112"}, {"accuse", "112"}, {"reject", "12"}, {"rejection", "12"},
    {"refusal", "12"}, {"threaten", "13"}, {"threat", "13"}, {"threatening", "13"}, {"protest", "14"},
    {"protesting", "14"}, {"dissent", "14"}, {"demonstration", "141"}, {"rally", "141"}, {"demonstrate", "141"},
    {"hunger strike", "142"}, {"strike", "143"}, {"boycott", "143"}, {"blockade", "144"},
    {"violent protest", "145"}, {"riot", "145"}, {"rioting", "145"}, {"force posture", "15"},
    {"show of force", "15"}, {"military posture", "15"}, {"reduce relation", "16"}, {"break relation", "16"},
    {"sanction", "163"}, {"embargo", "163"}, {"coerce", "17"}, {"coercion", "17"}, {"arrest", "173"},
    {"detention", "173"}, {"assault", "18"}, {"attack", "18"}, {"kidnapping", "181"}, {"abduction", "181"},
    {"hostage", "181"}, {"bombing", "183"}, {"assassination", "186"}, {"fight", "19"}, {"fighting", "19"},
    {"clash", "19"}, {"armed conflict", "19"}, {"military force", "19"}, {"air strike", "195"},
    {"airstrike", "195"}, {"mass violence", "20"}, {"unconventional mass violence", "20"},
};

/* Singular of an English plural, the simple rules: strikes -> strike, clashes -> clash. */
static void singular(const char *w, char *out, size_t cap)
{
    size_t n = strlen(w);
    snprintf(out, cap, "%s", w);
    if (n > 4 && !strcmp(w + n - 3, "hes")) out[n - 2] = '\0';
    else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's') out[n - 1] = '\0';
}

const char *ask_category_lookup(const char *phrase)
{
    char s[128];
    /* the last word may be a plural */
    snprintf(s, sizeof s, "%s", phrase);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
            if (!strcmp(s, categories[i].phrase) && cameo_event_description(categories[i].code)) return categories[i].code;
        char *last = strrchr(s, ' ');
        last = last ? last + 1 : s;
        char sing[64];
        singular(last, sing, sizeof sing);
        if (!strcmp(sing, last)) break;
        snprintf(last, sizeof s - (size_t)(last - s), "%s", sing);
    }
    return NULL;
}

static void parse_category(toks *ts, ask_slots *o)
{
    char buf[256];
    for (int i = 0; i < ts->n; i++) {
        /* numeric: cameo 14, (event) code 141, eventcode 0231 */
        if ((tw(ts, i, "cameo") || tw(ts, i, "code") || tw(ts, i, "eventcode") || tw(ts, i, "eventrootcode")) && i + 1 < ts->n &&
            tfree(ts, i, 2)) {
            int j = i + 1;
            if (tw(ts, j, "code") && j + 1 < ts->n) j++;
            const char *c = ts->t[j].w;
            size_t n = strlen(c);
            int digits = n >= 2 && n <= 4;
            for (size_t x = 0; x < n && digits; x++) digits = isdigit((unsigned char)c[x]) != 0;
            if (digits && cameo_event_description(c)) {
                snprintf(o->cameo, sizeof o->cameo, "%s", c);
                consume(ts, i, j - i + 1, 'C');
                if (i > 0 && tw(ts, i - 1, "event") && !ts->kind[i - 1]) consume(ts, i - 1, 1, 'C');
                return;
            }
        }
    }
    for (int k = 3; k >= 1; k--)
        for (int i = 0; i + k <= ts->n; i++) {
            if (!tfree(ts, i, k)) continue;
            join(ts, i, k, buf, sizeof buf);
            const char *code = ask_category_lookup(buf);
            if (code) {
                snprintf(o->cameo, sizeof o->cameo, "%s", code);
                consume(ts, i, k, 'C');
                return;
            }
        }
}

static void parse_quadclass(toks *ts, ask_slots *o)
{
    for (int i = 0; i < ts->n; i++) {
        if (!tfree(ts, i, 1)) continue;
        if ((tw(ts, i, "quadclass") || (tw(ts, i, "quad") && tw(ts, i + 1, "class"))) ) {
            int j = tw(ts, i, "quad") ? i + 2 : i + 1;
            long q = j < ts->n ? slots_small_number(ts->t[j].w) : -1;
            if (q >= 1 && q <= 4) {
                o->quad_mask = 1 << (q - 1);
                consume(ts, i, j - i + 1, 'Q');
                return;
            }
            continue;
        }
        int verbal = tw(ts, i, "verbal"), material = tw(ts, i, "material");
        if ((verbal || material) && tfree(ts, i + 1, 1)) {
            char s[64];
            singular(ts->t[i + 1].w, s, sizeof s);
            if (!strcmp(s, "cooperation") || !strcmp(s, "conflict")) {
                int coop = !strcmp(s, "cooperation");
                o->quad_mask = 1 << ((coop ? 0 : 2) + (material ? 1 : 0));
                consume(ts, i, 2, 'Q');
                return;
            }
        }
    }
    /* cooperation versus conflict: the split itself, not a filter */
    int coop = -1, confl = -1;
    for (int i = 0; i < ts->n; i++) {
        if (!tfree(ts, i, 1)) continue;
        if (tw(ts, i, "cooperation") || tw(ts, i, "cooperative")) coop = i;
        if (tw(ts, i, "conflict") || tw(ts, i, "conflicts")) confl = i;
    }
    if (coop >= 0 && confl >= 0) {
        o->quad_split = 1;
        consume(ts, coop, 1, 'Q');
        consume(ts, confl, 1, 'Q');
        return;
    }
    for (int i = 0; i < ts->n; i++) {
        if (!tfree(ts, i, 1)) continue;
        const char *w = ts->t[i].w;
        if (!strcmp(w, "cooperation") || !strcmp(w, "cooperative") || !strcmp(w, "cooperate")) {
            o->quad_mask = 3;
            consume(ts, i, 1, 'Q');
            return;
        }
        if (!strcmp(w, "conflict") || !strcmp(w, "conflicts") || !strcmp(w, "conflictual")) {
            o->quad_mask = 12;
            consume(ts, i, 1, 'Q');
            return;
        }
    }
}

/* ---------- actors ---------- */

static const struct { const char *word, *type, *label; } actor_roles[] = {
    {"police", "COP", "police"}, {"policemen", "COP", "police"}, {"military", "MIL", "military"},
    {"army", "MIL", "military"}, {"soldier", "MIL", "military"}, {"troops", "MIL", "military"},
    {"government", "GOV", "government"}, {"governments", "GOV", "government"}, {"rebel", "REB", "rebels"},
    {"insurgent", "INS", "insurgents"}, {"opposition", "OPP", "opposition"}, {"student", "EDU", "students"},
    {"media", "MED", "media"}, {"journalist", "MED", "media"}, {"civilian", "CVL", "civilians"},
    {"court", "JUD", "judiciary"}, {"judge", "JUD", "judiciary"}, {"judiciary", "JUD", "judiciary"},
    {"parliament", "LEG", "legislature"}, {"lawmaker", "LEG", "legislature"}, {"legislature", "LEG", "legislature"},
    {"refugee", "REF", "refugees"}, {"business", "BUS", "business"}, {"companies", "BUS", "business"},
    {"criminal", "CRM", "criminals"}, {"union", "LAB", "labour"}, {"worker", "LAB", "labour"},
    {"doctor", "HLH", "health"}, {"hospital", "HLH", "health"}, {"activist", "ACT", "activists"},
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void parse_actor(toks *ts, const ask_lexicon *lex, ask_slots *o)
{
    for (int i = 0; i < ts->n; i++) {
        if (!tfree(ts, i, 1)) continue;
        char s[64];
        singular(ts->t[i].w, s, sizeof s);
        for (size_t r = 0; r < sizeof actor_roles / sizeof actor_roles[0]; r++)
            if (!strcmp(ts->t[i].w, actor_roles[r].word) || !strcmp(s, actor_roles[r].word)) {
                snprintf(o->actor_type, sizeof o->actor_type, "%s", actor_roles[r].type);
                snprintf(o->actor_words, sizeof o->actor_words, "%s", actor_roles[r].label);
                consume(ts, i, 1, 'A');
                return;
            }
    }
    if (!lex || !lex->nactors) return;
    char buf[256], up[256];
    for (int k = 4; k >= 1; k--)
        for (int i = 0; i + k <= ts->n; i++) {
            if (!tfree(ts, i, k)) continue;
            /* a named actor: capitalised as written, or introduced by by / involving / actor */
            int cue = i > 0 && (tw(ts, i - 1, "by") || tw(ts, i - 1, "involving") || tw(ts, i - 1, "actor") ||
                                tw(ts, i - 1, "with") || tw(ts, i - 1, "against"));
            int caps = isupper((unsigned char)ts->t[i].orig[0]) && i > 0;
            if (!cue && !caps) continue;
            join(ts, i, k, buf, sizeof buf);
            for (int pass = 0; pass < 2; pass++) {
                size_t n = 0;
                for (; buf[n] && n + 1 < sizeof up; n++) up[n] = (char)toupper((unsigned char)buf[n]);
                up[n] = '\0';
                if (pass == 1) {
                    if (n > 4 && up[n - 1] == 'S') up[n - 1] = '\0';
                    else break;
                }
                if (strlen(up) < 4) continue;
                const char *key = up;
                if (bsearch(&key, lex->actors, lex->nactors, sizeof *lex->actors, cmp_str)) {
                    snprintf(o->actor_name, sizeof o->actor_name, "%.63s", up);
                    snprintf(o->actor_words, sizeof o->actor_words, "%.63s", buf);
                    consume(ts, i, k, 'A');
                    return;
                }
            }
        }
}

/* ---------- measure, direction, thresholds, top-N ---------- */

static int measure_word(const char *w)
{
    if (!strcmp(w, "tone") || !strcmp(w, "sentiment") || !strcmp(w, "avgtone") || !strcmp(w, "tones")) return MEASURE_TONE;
    if (!strcmp(w, "goldstein") || !strcmp(w, "goldsteinscale") || !strcmp(w, "impact") || !strcmp(w, "stability")) return MEASURE_GOLDSTEIN;
    if (!strcmp(w, "mentions") || !strcmp(w, "nummentions") || !strcmp(w, "mentioned") ||
        !strcmp(w, "reported") || !strcmp(w, "covered"))
        return MEASURE_MENTIONS;
    if (!strcmp(w, "articles") || !strcmp(w, "numarticles")) return MEASURE_ARTICLES;
    if (!strcmp(w, "sources") || !strcmp(w, "numsources")) return MEASURE_SOURCES;
    return MEASURE_NONE;
}

static double parse_num(const char *w, int *ok)
{
    char *end;
    double v = strtod(w, &end);
    *ok = end != w && *end == '\0';
    return v;
}

static void parse_measure(toks *ts, ask_slots *o)
{
    /* "positive or negative": the question asks for the measure, not a side of it */
    int pos = 0, neg = 0;
    for (int i = 0; i < ts->n; i++) pos |= tw(ts, i, "positive"), neg |= tw(ts, i, "negative");
    for (int i = 0; i < ts->n; i++) {
        int m = measure_word(ts->t[i].w);
        if (m && !o->measure) o->measure = m;
    }
    for (int i = 0; i < ts->n; i++) {
        if (ts->kind[i]) continue;
        const char *w = ts->t[i].w;
        int more = i > 0 && (tw(ts, i - 1, "most") || tw(ts, i - 1, "more") || tw(ts, i - 1, "least"));
        if ((!strcmp(w, "negative") || !strcmp(w, "positive")) && pos && neg) {
            if (!o->measure) o->measure = MEASURE_TONE;
        } else if (!strcmp(w, "negative") || !strcmp(w, "positive")) {
            int neg = !strcmp(w, "negative");
            if (tw(ts, i - 1, "least")) neg = !neg;
            if (more) {
                o->direction = neg ? -1 : 1; /* the words stay in the delexicalised question */
            } else if (!o->threshold_set) {
                o->threshold_set = 1;
                snprintf(o->threshold_op, sizeof o->threshold_op, "%s", neg ? "<" : ">");
                o->threshold = 0;
                consume(ts, i, 1, 'D');
            }
            if (!o->measure) o->measure = MEASURE_TONE;
        } else if (!strcmp(w, "lowest") || !strcmp(w, "worst") || !strcmp(w, "darkest") || !strcmp(w, "hostile") ||
                   !strcmp(w, "saddest") || !strcmp(w, "smallest")) {
            o->direction = -1;
        } else if (!strcmp(w, "highest") || !strcmp(w, "best") || !strcmp(w, "happiest") || !strcmp(w, "friendliest")) {
            o->direction = 1;
        }
        /* measure below|under|less than|above|over|greater than X */
        if (measure_word(w) && i + 1 < ts->n) {
            int j = i + 1;
            if (tw(ts, j, "is") || tw(ts, j, "was") || tw(ts, j, "of")) j++;
            const char *op = NULL;
            if (tw(ts, j, "below") || tw(ts, j, "under")) op = "<", j++;
            else if (tw(ts, j, "above") || tw(ts, j, "over")) op = ">", j++;
            else if ((tw(ts, j, "less") || tw(ts, j, "lower")) && tw(ts, j + 1, "than")) op = "<", j += 2;
            else if ((tw(ts, j, "more") || tw(ts, j, "greater") || tw(ts, j, "higher")) && tw(ts, j + 1, "than")) op = ">", j += 2;
            int ok = 0;
            double v = j < ts->n && op ? parse_num(ts->t[j].w, &ok) : 0;
            if (op && ok) {
                o->threshold_set = 1;
                o->measure = measure_word(w);
                snprintf(o->threshold_op, sizeof o->threshold_op, "%s", op);
                o->threshold = v;
                consume(ts, i + 1, j - i, 'D');
            }
        }
    }
}

static void parse_top(toks *ts, ask_slots *o)
{
    for (int i = 0; i < ts->n; i++) {
        if (ts->kind[i]) continue;
        const char *w = ts->t[i].w;
        long n = -1;
        if ((!strcmp(w, "top") || !strcmp(w, "first")) && i + 1 < ts->n && !ts->kind[i + 1] &&
            (n = slots_small_number(ts->t[i + 1].w)) > 0 && strcmp(ts->t[i + 1].w, "a") && strcmp(ts->t[i + 1].w, "an")) {
            o->top_n = (int)n;
            consume(ts, i + 1, 1, 'Z');
            return;
        }
        if (strcmp(w, "a") && strcmp(w, "an") && strcmp(w, "one") && (n = slots_small_number(w)) > 0 && i + 1 < ts->n &&
            (tw(ts, i + 1, "most") || tw(ts, i + 1, "largest") || tw(ts, i + 1, "biggest") || tw(ts, i + 1, "highest") ||
             tw(ts, i + 1, "lowest") || tw(ts, i + 1, "strongest") || tw(ts, i + 1, "busiest") || tw(ts, i + 1, "leading") ||
             tw(ts, i + 1, "countries") || tw(ts, i + 1, "pages") || tw(ts, i + 1, "actors") || tw(ts, i + 1, "events") ||
             tw(ts, i + 1, "wikis") || tw(ts, i + 1, "pairs") || tw(ts, i + 1, "users") || tw(ts, i + 1, "editors") ||
             tw(ts, i + 1, "articles") || tw(ts, i + 1, "categories") || tw(ts, i + 1, "types"))) {
            o->top_n = (int)n;
            consume(ts, i, 1, 'Z');
            return;
        }
    }
}

/* ---------- wikipedia ---------- */

static const struct { const char *lang, *wiki; } wiki_langs[] = {
    {"english", "enwiki"}, {"german", "dewiki"}, {"french", "frwiki"}, {"spanish", "eswiki"}, {"italian", "itwiki"},
    {"russian", "ruwiki"}, {"vietnamese", "viwiki"}, {"japanese", "jawiki"}, {"chinese", "zhwiki"},
    {"portuguese", "ptwiki"}, {"polish", "plwiki"}, {"dutch", "nlwiki"}, {"arabic", "arwiki"}, {"persian", "fawiki"},
    {"ukrainian", "ukwiki"}, {"swedish", "svwiki"}, {"korean", "kowiki"}, {"hebrew", "hewiki"},
    {"turkish", "trwiki"}, {"indonesian", "idwiki"}, {"czech", "cswiki"}, {"hungarian", "huwiki"},
    {"finnish", "fiwiki"}, {"catalan", "cawiki"}, {"simple", "simplewiki"},
};

static void parse_wiki(toks *ts, ask_slots *o)
{
    for (int i = 0; i < ts->n; i++) {
        if (ts->kind[i]) continue;
        const char *w = ts->t[i].w;
        size_t n = strlen(w);
        if (n > 4 && n < 40 && !strcmp(w + n - 4, "wiki")) {
            int ok = 1;
            for (size_t k = 0; k < n; k++) ok &= islower((unsigned char)w[k]) || w[k] == '_';
            if (ok) {
                snprintf(o->wiki, sizeof o->wiki, "%s", w);
                consume(ts, i, 1, 'W');
                return;
            }
        }
        if (!strcmp(w, "wikidata")) {
            snprintf(o->wiki, sizeof o->wiki, "wikidatawiki");
            consume(ts, i, 1, 'W');
            return;
        }
        if ((!strcmp(w, "wikipedia") || !strcmp(w, "wiki")) && i > 0 && !ts->kind[i - 1])
            for (size_t l = 0; l < sizeof wiki_langs / sizeof wiki_langs[0]; l++)
                if (tw(ts, i - 1, wiki_langs[l].lang)) {
                    snprintf(o->wiki, sizeof o->wiki, "%s", wiki_langs[l].wiki);
                    consume(ts, i - 1, 2, 'W');
                    return;
                }
    }
}

static void parse_bot(toks *ts, ask_slots *o)
{
    int bots = 0, humans = 0;
    for (int i = 0; i < ts->n; i++) {
        if (ts->kind[i]) continue;
        const char *w = ts->t[i].w;
        if (!strcmp(w, "bot") || !strcmp(w, "bots") || !strcmp(w, "automated") || !strcmp(w, "robots")) bots = 1;
        if (!strcmp(w, "human") || !strcmp(w, "humans") || !strcmp(w, "non-bot") ||
            !strcmp(w, "manual"))
            humans = 1;
    }
    o->bots_and_humans = bots && humans;
    o->bot = o->bots_and_humans ? -1 : bots ? 1 : humans ? 0 : -1;
}

static int stop_title_word(const char *w)
{
    static const char *const stops[] = {"over", "per", "by", "in", "on", "since", "last", "during", "between", "from",
                                        "each", "across", "through", "and", "with", "correlate", "correlated", "hourly",
                                        "daily", "edited", "get", "got", "receive", "received", "has", "had", "have",
                                        "is", "was", "were", "been", "for", "to", "at", "yesterday", "today", "this",
                                        "past", "before", "after", "until"};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        if (!strcmp(w, stops[i])) return 1;
    return 0;
}

static void parse_title(const char *q, toks *ts, ask_slots *o)
{
    /* "quoted" or 'quoted' or “curly” */
    const char *open[] = {"\"", "\xe2\x80\x9c", "'", "\xe2\x80\x98"};
    const char *close[] = {"\"", "\xe2\x80\x9d", "'", "\xe2\x80\x99"};
    for (int k = 0; k < 4; k++) {
        const char *a = strstr(q, open[k]);
        while (a && k >= 2 && a > q && slots_word_byte((unsigned char)a[-1])) a = strstr(a + 1, open[k]); /* it's */
        if (!a) continue;
        const char *s = a + strlen(open[k]);
        const char *e = strstr(s, close[k]);
        if (!e || e == s || (size_t)(e - s) >= sizeof o->title) continue;
        memcpy(o->title, s, (size_t)(e - s));
        o->title[e - s] = '\0';
        for (int i = 0; i < ts->n; i++)
            if (ts->t[i].start >= (size_t)(s - q) && ts->t[i].end <= (size_t)(e - q)) ts->kind[i] = 'P';
        return;
    }
    /* page X / article X / edits of X (X capitalised) */
    for (int i = 0; i + 1 < ts->n; i++) {
        int cue = tw(ts, i, "page") || tw(ts, i, "article") || tw(ts, i, "titled");
        int of = (tw(ts, i, "of") || tw(ts, i, "to") || tw(ts, i, "on")) && i > 0 &&
                 (tw(ts, i - 1, "edits") || tw(ts, i - 1, "edit") || tw(ts, i - 1, "changes")) &&
                 isupper((unsigned char)ts->t[i + 1].orig[0]);
        if (!cue && !of) continue;
        int j = i + 1;
        if (tw(ts, j, "the") && j + 1 < ts->n && isupper((unsigned char)ts->t[j + 1].orig[0])) j++;
        if (tw(ts, j, "about") || tw(ts, j, "called") || tw(ts, j, "named")) j++;
        int s = j;
        while (j < ts->n && !ts->kind[j] && !stop_title_word(ts->t[j].w) &&
               (j == s || isupper((unsigned char)ts->t[j].orig[0]) || isdigit((unsigned char)ts->t[j].orig[0]) ||
                !strcmp(ts->t[j].w, "of") || !strcmp(ts->t[j].w, "the")))
            j++;
        while (j > s && (tw(ts, j - 1, "of") || tw(ts, j - 1, "the"))) j--;
        if (j == s || !isupper((unsigned char)ts->t[s].orig[0])) continue;
        size_t a = ts->t[s].start, e = ts->t[j - 1].end;
        if (e - a >= sizeof o->title) continue;
        memcpy(o->title, q + a, e - a);
        o->title[e - a] = '\0';
        consume(ts, s, j - s, 'P');
        return;
    }
}

/* ---------- schema objects and terms ---------- */

static void parse_object(toks *ts, const ask_lexicon *lex, ask_slots *o)
{
    if (!lex) return;
    char buf[256];
    /* several words name a table ("correlated gold events") only in a question about the schema */
    int schema_cue = 0;
    for (int i = 0; i < ts->n; i++)
        if (tw(ts, i, "describe") || tw(ts, i, "schema") || tw(ts, i, "columns") || tw(ts, i, "column") ||
            tw(ts, i, "table") || tw(ts, i, "fields") || tw(ts, i, "view"))
            schema_cue = 1;
    for (int k = schema_cue ? 5 : 1; k >= 1; k--)
        for (int i = 0; i + k <= ts->n; i++) {
            if (!tfree(ts, i, k)) continue;
            join(ts, i, k, buf, sizeof buf);
            for (char *p = buf; *p; p++)
                if (*p == ' ') *p = '_';
            for (size_t x = 0; x < lex->nobjects; x++)
                if (!strcasecmp(buf, lex->objects[x])) {
                    snprintf(o->object, sizeof o->object, "%s", lex->objects[x]);
                    consume(ts, i, k, 'O');
                    return;
                }
        }
}

static void parse_term(toks *ts, ask_slots *o)
{
    for (int i = 0; i < ts->n; i++) {
        int j = -1, end_stop = 0;
        if ((tw(ts, i, "where") && (tw(ts, i + 1, "is") || tw(ts, i + 1, "are") || tw(ts, i + 1, "do"))) ||
            (tw(ts, i, "where") && tw(ts, i + 1, "can"))) {
            j = i + 2;
            if (tw(ts, i + 1, "can")) { j = i + 2; while (j < ts->n && (tw(ts, j, "i") || tw(ts, j, "we") || tw(ts, j, "find") || tw(ts, j, "get"))) j++; }
            if (tw(ts, i + 1, "do")) { while (j < ts->n && (tw(ts, j, "i") || tw(ts, j, "you") || tw(ts, j, "we") || tw(ts, j, "find") || tw(ts, j, "keep") || tw(ts, j, "store"))) j++; }
            end_stop = 1;
        } else if ((tw(ts, i, "which") || tw(ts, i, "what")) && (tw(ts, i + 1, "column") || tw(ts, i + 1, "columns") || tw(ts, i + 1, "table") || tw(ts, i + 1, "field")) &&
                   (tw(ts, i + 2, "holds") || tw(ts, i + 2, "has") || tw(ts, i + 2, "stores") || tw(ts, i + 2, "contains") ||
                    tw(ts, i + 2, "keeps") || tw(ts, i + 2, "hold") || tw(ts, i + 2, "store") || tw(ts, i + 2, "gives") ||
                    tw(ts, i + 2, "records") || tw(ts, i + 2, "is") || tw(ts, i + 2, "for"))) {
            j = i + 2;
            while (j < ts->n && (tw(ts, j, "holds") || tw(ts, j, "has") || tw(ts, j, "stores") || tw(ts, j, "contains") ||
                                 tw(ts, j, "keeps") || tw(ts, j, "hold") || tw(ts, j, "have") || tw(ts, j, "store") ||
                                 tw(ts, j, "is") || tw(ts, j, "are") || tw(ts, j, "gives") || tw(ts, j, "records") || tw(ts, j, "for")))
                j++;
        }
        if (j < 0 || j >= ts->n) continue;
        while (j < ts->n && (tw(ts, j, "the") || tw(ts, j, "a") || tw(ts, j, "an") || tw(ts, j, "event") || tw(ts, j, "events'"))) j++;
        int s = j;
        while (j < ts->n && j - s < 3 && !tw(ts, j, "stored") && !tw(ts, j, "kept") && !tw(ts, j, "found") &&
               !tw(ts, j, "held") && !tw(ts, j, "recorded") && !tw(ts, j, "in") && !tw(ts, j, "located") && !tw(ts, j, "saved"))
            j++;
        (void)end_stop;
        if (j == s) continue;
        /* "the Goldstein scale" -> goldstein: a generic last word narrows nothing */
        while (j - s > 1 && (tw(ts, j - 1, "scale") || tw(ts, j - 1, "score") || tw(ts, j - 1, "value") || tw(ts, j - 1, "values") ||
                             tw(ts, j - 1, "column") || tw(ts, j - 1, "field") || tw(ts, j - 1, "data") || tw(ts, j - 1, "code")))
            j--;
        char buf[128];
        /* the term is what the words say, whatever slot they also fill (tone, country) */
        join(ts, s, j - s, buf, sizeof buf);
        snprintf(o->term, sizeof o->term, "%.63s", buf);
        for (int x = s; x < j; x++) ts->kind[x] = 'X';
        return;
    }
}

/* ---------- the whole question ---------- */

static const char *kind_word(char k)
{
    switch (k) {
    case 'C': case 'Q': return "category";
    case 'N': case 'K': return "country";
    case 'A': return "actor";
    case 'Z': return "N";
    case 'W': return "wiki";
    case 'P': return "page";
    case 'O': return "table";
    case 'X': return "column";
    case 'D': return "below";
    default: return NULL; /* T (time) is dropped */
    }
}

int ask_slots_parse(const char *question, const char *ref, const ask_lexicon *lex, ask_slots *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->country_row = -1;
    o->bot = -1;
    if (!question || strlen(question) > 2000) {
        snprintf(err, errlen, "the question is empty or longer than 2000 bytes");
        return -1;
    }
    toks *ts = calloc(1, sizeof *ts);
    if (!ts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    slots_tokenize(question, ts);
    parse_title(question, ts, o);
    parse_term(ts, o);
    int ti, tk;
    slots_parse_time(ts, question, ref, &o->time, &ti, &tk);
    parse_object(ts, lex, o);
    parse_wiki(ts, o);
    parse_category(ts, o);
    parse_quadclass(ts, o);
    slots_parse_country(ts, o);
    parse_actor(ts, lex, o);
    parse_measure(ts, o);
    parse_top(ts, o);
    parse_bot(ts, o);
    for (int i = 0; i < ts->n; i++)
        if ((tw(ts, i, "per") || tw(ts, i, "by") || tw(ts, i, "each")) && tw(ts, i + 1, "hour")) o->per_hour = 1;
        else if (tw(ts, i, "hourly") || tw(ts, i, "hours")) o->per_hour = 1;
    if (o->cameo[0]) {
        const char *d = cameo_event_description(o->cameo);
        snprintf(o->cameo_desc, sizeof o->cameo_desc, "%s", d ? d : "");
    }
    /* delexicalise */
    size_t w = 0;
    char last = 0;
    for (int i = 0; i < ts->n; i++) {
        char k = ts->kind[i];
        const char *word = k ? kind_word(k) : ts->t[i].w;
        if (k && k == last) continue; /* one type word per span */
        last = k;
        if (!word) continue;
        int n = snprintf(o->delex + w, sizeof o->delex - w, "%s%s", w ? " " : "", word);
        if (n < 0 || (size_t)n >= sizeof o->delex - w) break;
        w += (size_t)n;
    }
    free(ts);
    return 0;
}
