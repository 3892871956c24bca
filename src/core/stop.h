/* The one stop flag of the process: SIGINT and SIGTERM (or a caller) request a stop, and every
 * long-running loop (sources, sinks, pollers, supervisors) reads it between steps and returns at
 * its next safe point. Safe to read and set from signal handlers and from any thread. */
#ifndef WG_STOP_H
#define WG_STOP_H

/* Nonzero once a stop was requested. */
int stop_requested(void);
/* Requests a stop (async-signal-safe). */
void stop_request(void);
/* Clears the flag (tests that run several loops in one process). */
void stop_reset(void);
/* SIGINT and SIGTERM call stop_request() from now on (system calls restart after them). */
void stop_install_signals(void);

#endif
