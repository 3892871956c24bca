/* The process's stop flag (core/stop.h). A lock-free atomic: async-signal-safe and visible
 * across threads. */
#include "core/stop.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static atomic_int stop_flag;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free to be set from a signal handler");

int stop_requested(void) { return atomic_load(&stop_flag); }

void stop_request(void) { atomic_store(&stop_flag, 1); }

void stop_reset(void) { atomic_store(&stop_flag, 0); }

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_request();
}

void stop_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
