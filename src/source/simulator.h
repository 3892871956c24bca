/* The loopback simulator: one HTTP server on 127.0.0.1 that plays GDELT's file server
 * (/gdeltv2/lastupdate.txt, /gdeltv2/masterfilelist.txt, /gdeltv2/<name>.export.CSV.zip) and
 * Wikimedia EventStreams (/v2/stream/recentchange over SSE). Each half is a separate module with
 * its own state (source/sim_gdelt.c, source/sim_sse.c) and reads its own `simulate.*` settings;
 * this file owns the server and routes requests to them. */
#ifndef WG_SIMULATOR_H
#define WG_SIMULATOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

struct MHD_Connection;
typedef struct simulator simulator;

/* Settings read here: simulate.port (0 = any free port), simulate.speed (simulated seconds per
 * real second, default 1; the GDELT half advances one file per 900 simulated seconds). */
int simulator_start(const config *cfg, simulator **out, char *err, size_t errlen);
int simulator_port(const simulator *sim);
void simulator_stop(simulator *sim);

/* Simulated clock: seconds since the simulator started, multiplied by simulate.speed. */
double simulator_elapsed_sim_seconds(const simulator *sim);

/* --- the halves (each returns MHD_YES/MHD_NO as an int; -1 means "not my URL") --- */
typedef struct sim_gdelt sim_gdelt;
int sim_gdelt_create(const config *cfg, const simulator *sim, sim_gdelt **out, char *err,
                     size_t errlen);
int sim_gdelt_handle(sim_gdelt *g, struct MHD_Connection *conn, const char *url,
                     const char *method);
void sim_gdelt_destroy(sim_gdelt *g);

typedef struct sim_sse sim_sse;
int sim_sse_create(const config *cfg, const simulator *sim, sim_sse **out, char *err,
                   size_t errlen);
int sim_sse_handle(sim_sse *s, struct MHD_Connection *conn, const char *url, const char *method);
void sim_sse_destroy(sim_sse *s);

/* Shared helper: a small text/plain or given-type response with a status code. */
int sim_respond(struct MHD_Connection *conn, unsigned status, const char *content_type,
                const void *body, size_t len);

#endif
