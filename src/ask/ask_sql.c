/* The assistant's SQL assembly (ask_int.h): a template's markers expanded with the question's
 * slots as WHERE conditions whose values are bound parameters, never pasted, and the one-line
 * reading of how the question was understood. */
#include "ask/ask_int.h"

#include "correlate/countries.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sqlb {
    buf where;          /* " WHERE a AND b" */
    int nconds;
    ask_plan *plan;
    buf read;           /* reading of the filters */
    buf ignored;
} sqlb;

/* The plan's next parameter slot of the given type, NULL when the plan is full. */
static ask_param *next_param(ask_plan *p, char type)
{
    if (p->nparams >= ASK_MAX_PARAMS) return NULL;
    ask_param *a = &p->params[p->nparams++];
    a->type = type;
    return a;
}
int ask_add_param_t(ask_plan *p, const char *v)
{
    ask_param *a = next_param(p, 't');
    if (!a) return 0;
    snprintf(a->t, sizeof a->t, "%s", v);
    return p->nparams;
}
static int add_param_i(ask_plan *p, int64_t v)
{
    ask_param *a = next_param(p, 'i');
    if (a) a->i = v;
    return a ? p->nparams : 0;
}
static int add_param_d(ask_plan *p, double v)
{
    ask_param *a = next_param(p, 'd');
    if (a) a->d = v;
    return a ? p->nparams : 0;
}

/* Appends the formatted item to a list: lead before the first, sep before the others. */
static void list_vadd(buf *to, int first, const char *lead, const char *sep, const char *fmt, va_list ap)
{
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    buf_appendf(to, "%s%s", first ? lead : sep, tmp);
}
static void cond(sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cond(sqlb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_vadd(&b->where, b->nconds++ == 0, " WHERE ", " AND ", fmt, ap);
    va_end(ap);
}
static void readf(sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void readf(sqlb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_vadd(&b->read, b->read.len == 0, "", ", ", fmt, ap);
    va_end(ap);
}
static void ignoredf(sqlb *b, const char *what) { buf_appendf(&b->ignored, "%s%s", b->ignored.len ? ", " : "", what); }

static const char *measure_col(int m, char alias)
{
    static char out[64];
    const char *c = m == MEASURE_GOLDSTEIN ? "GoldsteinScale" : m == MEASURE_MENTIONS ? "NumMentions"
                  : m == MEASURE_ARTICLES ? "NumArticles" : m == MEASURE_SOURCES ? "NumSources" : "AvgTone";
    snprintf(out, sizeof out, "%c.%s", alias, c);
    return out;
}
static const char *measure_name(int m)
{
    return m == MEASURE_GOLDSTEIN ? "goldstein" : m == MEASURE_MENTIONS ? "mentions" : m == MEASURE_ARTICLES ? "articles"
         : m == MEASURE_SOURCES ? "sources" : "tone";
}

static const char *quad_names[] = {"verbal cooperation", "material cooperation", "verbal conflict", "material conflict"};

/* The category condition on alias a (gdelt_silver: root/base/code columns). */
static void category_cond(sqlb *b, const ask_slots *s, char *out, size_t cap)
{
    size_t n = strlen(s->cameo);
    int k = ask_add_param_t(b->plan, s->cameo);
    snprintf(out, cap, "g.%s = ?%d", n == 2 ? "EventRootCode" : n == 3 ? "EventBaseCode" : "EventCode", k);
}

static void quad_cond(sqlb *b, const ask_slots *s, char *out, size_t cap)
{
    size_t o = 0;
    o += (size_t)snprintf(out + o, cap - o, "g.QuadClass IN (");
    int first = 1;
    for (int q = 0; q < 4; q++)
        if (s->quad_mask & (1 << q)) {
            int k = add_param_i(b->plan, q + 1);
            o += (size_t)snprintf(out + o, cap - o, "%s?%d", first ? "" : ", ", k);
            first = 0;
        }
    snprintf(out + o, cap - o, ")");
}

static void quad_reading(const ask_slots *s, char *out, size_t cap)
{
    out[0] = '\0';
    size_t o = 0;
    for (int q = 0; q < 4; q++)
        if (s->quad_mask & (1 << q)) o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " or " : "", quad_names[q]);
    snprintf(out + o, cap - o, " (QuadClass)");
}

/* Event filters expressed on gdelt_silver g (the event domain, and the gold domains' subquery). */
static void event_conds(sqlb *b, const ask_slots *s, const tmpl *t, int share)
{
    char c[256];
    if (s->cameo[0] && !(share && !s->quad_mask)) {
        category_cond(b, s, c, sizeof c);
        cond(b, "%s", c);
        readf(b, "CAMEO %s %s", s->cameo, s->cameo_desc);
    }
    if (s->quad_mask && !(t->flags & F_NOQUAD) && !share) {
        quad_cond(b, s, c, sizeof c);
        cond(b, "%s", c);
        char r[128];
        quad_reading(s, r, sizeof r);
        readf(b, "%s", r);
    }
    if (s->country_row >= 0 || s->adm1[0]) {
        if (s->adm1[0]) {
            cond(b, "g.ActionGeo_ADM1Code = ?%d", ask_add_param_t(b->plan, s->adm1));
            readf(b, "where: %s (ActionGeo_ADM1Code %s)", s->country_name, s->adm1);
        } else if (s->country_actor) {
            cond(b, "g.Actor1CountryCode = ?%d", ask_add_param_t(b->plan, s->cameo_cc));
            readf(b, "actor country %s (Actor1CountryCode %s)", s->country_name, s->cameo_cc);
        } else {
            /* a country with two FIPS codes (Palestine: Gaza Strip and West Bank) */
            const char *second = NULL;
            for (size_t r = 0; r < country_table_n; r++)
                if ((int)r != s->country_row && !strcmp(country_table[r].cameo, s->cameo_cc) && country_table[r].fips[0] &&
                    strcmp(country_table[r].fips, s->fips))
                    second = country_table[r].fips;
            if (second && !strcmp(s->cameo_cc, "PSE")) {
                int k1 = ask_add_param_t(b->plan, s->fips), k2 = ask_add_param_t(b->plan, second);
                cond(b, "g.ActionGeo_CountryCode IN (?%d, ?%d)", k1, k2);
                readf(b, "where: %s (ActionGeo_CountryCode %s or %s)", s->country_name, s->fips, second);
            } else {
                cond(b, "g.ActionGeo_CountryCode = ?%d", ask_add_param_t(b->plan, s->fips));
                readf(b, "where: %s (ActionGeo_CountryCode %s)", s->country_name, s->fips);
            }
        }
    }
    if (s->actor_type[0]) {
        int k = ask_add_param_t(b->plan, s->actor_type);
        cond(b, "(g.Actor1Type1Code = ?%d OR g.Actor2Type1Code = ?%d)", k, k);
        readf(b, "actor %s (Actor1/2Type1Code %s)", s->actor_words, s->actor_type);
    } else if (s->actor_name[0]) {
        int k = ask_add_param_t(b->plan, s->actor_name);
        cond(b, "(g.Actor1Name = ?%d OR g.Actor2Name = ?%d)", k, k);
        readf(b, "actor %s (Actor1Name or Actor2Name)", s->actor_name);
    }
    if (s->threshold_set) {
        int k = add_param_d(b->plan, s->threshold);
        cond(b, "%s %s ?%d", measure_col(s->measure, 'g'), s->threshold_op, k);
        readf(b, "%s %s %g", measure_name(s->measure), s->threshold_op, s->threshold);
    }
}

static void time_conds(sqlb *b, const ask_slots *s, const char *col)
{
    if (!s->time.set) return;
    if (s->time.from[0]) cond(b, "%s >= ?%d", col, ask_add_param_t(b->plan, s->time.from));
    if (s->time.to[0]) cond(b, "%s < ?%d", col, ask_add_param_t(b->plan, s->time.to));
    char last[11] = "";
    if (s->time.to[0]) ask_date_add(s->time.to, -1, last);
    if (s->time.from[0] && s->time.to[0] && !strcmp(s->time.from, last))
        readf(b, "on %s", s->time.from);
    else if (s->time.from[0] && s->time.to[0])
        readf(b, "from %s to %s", s->time.from, last);
    else if (s->time.from[0])
        readf(b, "from %s on", s->time.from);
    else
        readf(b, "before %s", s->time.to);
}

int ask_has_event_slots(const ask_slots *s)
{
    return s->cameo[0] || s->quad_mask || s->country_row >= 0 || s->adm1[0] || s->actor_type[0] || s->actor_name[0] ||
           s->threshold_set;
}

static void build_filters(sqlb *b, const tmpl *t, ask_slots *s)
{
    switch (t->dom) {
    case D_GDELT:
        event_conds(b, s, t, (t->flags & F_CATEGORY) != 0);
        time_conds(b, s, "g.event_time");
        if (!strcmp(t->id, "events_by_country") || !strcmp(t->id, "events_measure_by_country"))
            cond(b, "g.ActionGeo_CountryCode <> ''");
        if (!strcmp(t->id, "events_by_actor")) cond(b, "g.Actor1Name <> ''");
        if (!strcmp(t->id, "events_by_actor_country")) cond(b, "g.Actor1CountryCode <> ''");
        if (s->wiki[0] || s->title[0]) ignoredf(b, "the wiki and page (events have none)");
        break;
    case D_GOLD:
    case D_BURST: {
        char a = t->dom == D_GOLD ? 'c' : 'b';
        if (!strcmp(t->id, "gold_match_rate")) {
            if (ask_has_event_slots(s) || s->time.set || s->wiki[0]) ignoredf(b, "the filters (the view counts every event)");
            break;
        }
        if (s->cameo[0]) {
            /* a prefix by substr, not LIKE: a bound LIKE pattern makes SQLite re-plan the statement
               when it is bound, which the governed connection refuses */
            cond(b, "substr(%c.EventCode, 1, %d) = ?%d", a, (int)strlen(s->cameo), ask_add_param_t(b->plan, s->cameo));
            readf(b, "CAMEO %s %s", s->cameo, s->cameo_desc);
        }
        if ((s->country_row >= 0 && !s->country_actor && !s->adm1[0])) {
            cond(b, "%c.ActionGeo_CountryCode = ?%d", a, ask_add_param_t(b->plan, s->fips));
            readf(b, "where: %s (ActionGeo_CountryCode %s)", s->country_name, s->fips);
        }
        /* the rest of the event filters need the silver event: a subquery on gdelt_silver */
        ask_slots rest = *s;
        rest.cameo[0] = '\0';
        if (!rest.country_actor && !rest.adm1[0]) rest.country_row = -1;
        rest.time.set = 0;
        if (a == 'c' && rest.threshold_set && rest.measure == MEASURE_TONE) {
            cond(b, "c.AvgTone %s ?%d", rest.threshold_op, add_param_d(b->plan, rest.threshold));
            readf(b, "tone %s %g", rest.threshold_op, rest.threshold);
            rest.threshold_set = 0;
        }
        if (ask_has_event_slots(&rest)) {
            sqlb sub = {BUF_INIT, 0, b->plan, BUF_INIT, BUF_INIT};
            event_conds(&sub, &rest, t, 0);
            cond(b, "%c.gdelt_silver_id IN (SELECT g.silver_id FROM gdelt_silver g%s)", a, sub.where.data ? sub.where.data : "");
            if (sub.read.data) readf(b, "%s (through gdelt_silver)", sub.read.data);
            buf_free(&sub.where), buf_free(&sub.read), buf_free(&sub.ignored);
        }
        if (s->wiki[0]) {
            cond(b, "%c.wiki = ?%d", a, ask_add_param_t(b->plan, s->wiki));
            readf(b, "wiki %s", s->wiki);
        }
        if (s->title[0]) {
            cond(b, "%c.title = ?%d", a, ask_add_param_t(b->plan, s->title));
            readf(b, "page '%s'", s->title);
        }
        time_conds(b, s, a == 'c' ? "c.event_time" : "b.burst_start");
        break;
    }
    case D_WIKI:
        if (t->flags & F_CONTENT) cond(b, "w.is_content = 1");
        if (s->wiki[0]) {
            cond(b, "w.wiki = ?%d", ask_add_param_t(b->plan, s->wiki));
            readf(b, "wiki %s", s->wiki);
        }
        if (s->bot >= 0 && !(t->flags & F_NOBOT)) {
            cond(b, "w.bot = ?%d", add_param_i(b->plan, s->bot));
            readf(b, "%s only", s->bot ? "bots" : "humans");
        }
        if (s->title[0]) {
            cond(b, "w.title = ?%d", ask_add_param_t(b->plan, s->title));
            readf(b, "page '%s'", s->title);
        }
        time_conds(b, s, "w.event_time");
        if (ask_has_event_slots(s)) ignoredf(b, "the event filters (edits have no CAMEO code, country or actor)");
        break;
    default:
        break;
    }
}

/* Expands the template's markers into plan->sql. */
int ask_expand(const tmpl *t, ask_slots *s, ask_plan *p)
{
    sqlb b = {BUF_INIT, 0, p, BUF_INIT, BUF_INIT};
    buf out = BUF_INIT;
    int measure = s->measure;
    if (!measure) measure = (t->flags & F_MEASURE_MENTIONS) ? MEASURE_MENTIONS : MEASURE_TONE;
    int hourly = s->per_hour || ((t->flags & F_HOURLY) && !strstr(s->delex, "day"));
    char bucket[96];
    char alias = t->dom == D_WIKI ? 'w' : t->dom == D_GOLD ? 'c' : t->dom == D_BURST ? 'b' : 'g';
    const char *tcol = alias == 'b' ? "burst_start" : "event_time";
    if (hourly) snprintf(bucket, sizeof bucket, "substr(%c.%s, 1, 13) || ':00'", alias, tcol);
    else snprintf(bucket, sizeof bucket, "substr(%c.%s, 1, 10)", alias, tcol);
    int dir = s->direction;
    if (!dir) dir = (t->flags & F_ASC) && measure != MEASURE_MENTIONS ? -1 : 1;
    if (!strcmp(t->id, "events_top") && !s->direction && measure == MEASURE_TONE) dir = -1;

    /* parameters of the template itself come first: ?1 for the object / term */
    if (t->flags & F_OBJECT) ask_add_param_t(p, s->object);
    if (t->flags & F_TERM) {
        char like[ASK_TEXT];
        snprintf(like, sizeof like, "%%%s%%", s->term);
        ask_add_param_t(p, like);
    }
    build_filters(&b, t, s);
    char share[256] = "";
    if (t->flags & F_CATEGORY) {
        if (s->quad_mask) quad_cond(&b, s, share, sizeof share);
        else category_cond(&b, s, share, sizeof share);
    }
    for (const char *q = t->sql; *q; q++) {
        if (*q != '{') {
            buf_append(&out, q, 1);
            continue;
        }
        const char *e = strchr(q, '}');
        if (!e) break;
        size_t n = (size_t)(e - q - 1);
        if (n == 1 && q[1] == 'W') buf_append_str(&out, b.where.data ? b.where.data : "");
        else if (n == 1 && q[1] == 'N') {
            int top = s->top_n > 0 ? s->top_n : t->default_n;
            if (top > 1000) top = 1000;
            buf_appendf(&out, "?%d", add_param_i(p, top));
        } else if (n == 1 && q[1] == 'M') buf_append_str(&out, measure_col(measure, alias == 'w' ? 'g' : alias));
        else if (n == 2 && q[1] == 'M' && q[2] == 'N') buf_append_str(&out, measure_name(measure));
        else if (n == 1 && q[1] == 'D') buf_append_str(&out, dir < 0 ? "ASC" : "DESC");
        else if (n == 1 && q[1] == 'B') buf_append_str(&out, bucket);
        else if (n == 1 && q[1] == 'S') buf_append_str(&out, share);
        q = e;
    }
    p->sql = buf_detach(&out);
    /* the reading */
    char what[256];
    size_t w = 0;
    for (const char *q = t->what; *q && w + 64 < sizeof what; q++) {
        if (!strncmp(q, "{MN}", 4)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", measure_name(measure)), q += 3;
        else if (!strncmp(q, "{B}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", hourly ? "hour" : "day"), q += 2;
        else if (!strncmp(q, "{O}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", s->object), q += 2;
        else if (!strncmp(q, "{Q}", 3)) w += (size_t)snprintf(what + w, sizeof what - w, "%s", s->term), q += 2;
        else if (!strncmp(q, "{S}", 3)) {
            char r[192];
            if (s->quad_mask) quad_reading(s, r, sizeof r);
            else snprintf(r, sizeof r, "CAMEO %s %s", s->cameo, s->cameo_desc);
            w += (size_t)snprintf(what + w, sizeof what - w, "%s", r), q += 2;
        } else what[w++] = *q;
    }
    what[w] = '\0';
    int top = s->top_n > 0 ? s->top_n : t->default_n;
    snprintf(p->reading, sizeof p->reading, "%s%s%s%s%s%s%s%s", what, b.read.len ? "; " : "", b.read.data ? b.read.data : "",
             t->default_n ? "; top " : "", "", "", b.ignored.len ? "; ignored: " : "", b.ignored.data ? b.ignored.data : "");
    if (t->default_n) {
        char tail[32];
        snprintf(tail, sizeof tail, "%d", top);
        /* insert N after "top " */
        char tmp[768];
        const char *at = strstr(p->reading, "; top ");
        if (at) {
            size_t pre = (size_t)(at - p->reading) + 6;
            snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)pre, p->reading, tail, p->reading + pre);
            snprintf(p->reading, sizeof p->reading, "%s", tmp);
        }
    }
    if (s->note[0]) {
        size_t l = strlen(p->reading);
        snprintf(p->reading + l, sizeof p->reading - l, " (%s)", s->note);
    }
    buf_free(&b.where), buf_free(&b.read), buf_free(&b.ignored);
    return p->sql ? 0 : -1;
}

/* "where is the sentiment stored": when no column name or description contains the term, the
 * columns whose "name: description" is closest in meaning (the catalog embedded once, lazily).
 * Returns 1 when it wrote the plan, 0 to keep the LIKE template. */
