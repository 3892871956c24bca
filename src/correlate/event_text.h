/* The texts the gold join embeds. A GDELT event carries no prose, so its text is composed from
 * what it has: the CAMEO description of its EventCode, the actor names, the action location and
 * the words of the SOURCEURL path (most news URLs carry the headline as a slug). Which parts are
 * used is the setting correlate.event_text_fields, a comma list of
 *   description, actor1, actor2, geo, url          (default: all five, in that order)
 * A Wikipedia candidate's text is its title with underscores as spaces. */
#ifndef WG_EVENT_TEXT_H
#define WG_EVENT_TEXT_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/buf.h"

#define EVENT_TEXT_DEFAULT_FIELDS "description,actor1,actor2,geo,url"

enum {
    EVENT_TEXT_DESCRIPTION = 1u << 0,
    EVENT_TEXT_ACTOR1 = 1u << 1,
    EVENT_TEXT_ACTOR2 = 1u << 2,
    EVENT_TEXT_GEO = 1u << 3,
    EVENT_TEXT_URL = 1u << 4,
};

/* One event's raw parts; any may be NULL. */
typedef struct event_parts {
    const char *description;   /* gdelt_silver.event_description */
    const char *actor1;        /* Actor1Name */
    const char *actor2;        /* Actor2Name */
    const char *geo;           /* ActionGeo_FullName */
    const char *url;           /* SOURCEURL */
} event_parts;

/* The gdelt_silver columns an event's text is made of, in event_parts order, for a SELECT list:
 * every reader of silver's event text (the gold flow, the reranker, eval) selects these and maps
 * them with event_parts_from_row. */
#define EVENT_TEXT_SILVER_COLUMNS \
    "event_description, Actor1Name, Actor2Name, ActionGeo_FullName, SOURCEURL"
/* The parts of the row st is on, whose columns first .. first + 4 are EVENT_TEXT_SILVER_COLUMNS
 * (valid until st moves). */
event_parts event_parts_from_row(sqlite3_stmt *st, int first);

/* Parses a field list into a mask; 0 ok, -1 with err naming the unknown field. */
int event_text_parse_fields(const char *spec, unsigned *mask, char *err, size_t errlen);
/* Composes the event's text into out (reset first). 0 ok, -1 out of memory. */
int event_text_compose(const event_parts *p, unsigned mask, buf *out);
/* Appends the headline words of a URL's path ("trump shooting rally" from
 * https://x.com/2024/07/14/us/trump-shooting-rally.html), space-separated, lower case. */
int event_text_url_words(const char *url, buf *out);
/* Title text: underscores as spaces. */
int event_text_title(const char *title, buf *out);
/* Whether a field is absent: NULL, empty or white space only (it then adds nothing to a text). */
int event_text_blank(const char *s);

#endif
