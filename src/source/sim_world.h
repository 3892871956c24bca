/* The simulator's synthetic world, used only when no recorded data is at hand (a clone without
 * ../shared): a fixed list of news topics, each with the GDELT side (actors, CAMEO code, place,
 * coordinates, a headline slug) and the Wikipedia page people would edit about it. The GDELT
 * half builds export rows from it and the SSE half edits its titles, so the offline demo shows
 * real correlations rather than noise. Nothing here is presented as real data. */
#ifndef WG_SIM_WORLD_H
#define WG_SIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct sim_topic {
    const char *title;        /* Wikipedia page */
    const char *actor1_code, *actor1_name;
    const char *actor2_code, *actor2_name;
    const char *event_code;   /* CAMEO */
    const char *place;        /* ActionGeo_FullName */
    const char *fips;         /* ActionGeo_CountryCode (FIPS 10-4) */
    double lat, lon;
    double tone;
    const char *slug;         /* headline slug of the source URL */
} sim_topic;

extern const sim_topic sim_topics[];
extern const size_t sim_topic_count;

/* Appends a GDELT 2.0 export (61 tab-separated columns, no header) with `rows` synthetic events:
 * ids first_id.., DATEADDED = dateadded (YYYYMMDDHHMMSS), topics in turn. */
int sim_world_export_csv(buf *out, int64_t first_id, const char *dateadded, int rows);

#endif
