/* CAMEO event codes (Conflict and Mediation Event Observations) as used by GDELT's EventCode,
 * EventBaseCode and EventRootCode columns, with the codebook's descriptions. */
#ifndef WG_CAMEO_H
#define WG_CAMEO_H

#include <stddef.h>

/* Description of a CAMEO event code ("14" -> "PROTEST", "141" -> "Demonstrate or rally"), or
 * NULL when the code is not in the codebook. The _n form takes a length (no NUL needed). */
const char *cameo_event_description(const char *code);
const char *cameo_event_description_n(const char *code, size_t len);
/* Number of codes in the table (root codes included). */
size_t cameo_event_count(void);

#endif
