/* Loopback simulator server: libmicrohttpd, one thread per connection (SSE responses stay open
 * for minutes), bound to 127.0.0.1 only. Routing is by path prefix to the two halves. */
#include "source/simulator.h"

#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct simulator {
    struct MHD_Daemon *daemon;
    int port;
    double speed;
    int64_t started_ms;
    sim_gdelt *gdelt;
    sim_sse *sse;
};

double simulator_elapsed_sim_seconds(const simulator *sim)
{
    return (double)(time_monotonic_ms() - sim->started_ms) / 1000.0 * sim->speed;
}

int simulator_port(const simulator *sim) { return sim->port; }

int sim_respond(struct MHD_Connection *conn, unsigned status, const char *content_type,
                const void *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", content_type ? content_type : "text/plain");
    int ret = (int)MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    simulator *sim = cls;
    /* First call per request carries only the headers; answer on the second. */
    static int first_marker;
    if (*con_cls == NULL) {
        *con_cls = &first_marker;
        return MHD_YES;
    }
    int ret = -1;
    if (strncmp(url, "/gdeltv2/", 9) == 0 && sim->gdelt)
        ret = sim_gdelt_handle(sim->gdelt, conn, url, method);
    else if (strncmp(url, "/v2/", 4) == 0 && sim->sse)
        ret = sim_sse_handle(sim->sse, conn, url, method);
    if (ret == -1) {
        char msg[512];
        int n = snprintf(msg, sizeof msg, "not found: %.400s\n", url);
        ret = sim_respond(conn, 404, "text/plain", msg, (size_t)n);
    }
    return ret == MHD_YES ? MHD_YES : MHD_NO;
}

int simulator_start(const config *cfg, simulator **out, char *err, size_t errlen)
{
    simulator *sim = calloc(1, sizeof *sim);
    if (!sim) return -1;
    sim->speed = setting_double(cfg, "simulate.speed");
    if (sim->speed <= 0) sim->speed = 1.0;
    sim->started_ms = time_monotonic_ms();
    if (sim_gdelt_create(cfg, sim, &sim->gdelt, err, errlen) != 0 ||
        sim_sse_create(cfg, sim, &sim->sse, err, errlen) != 0) {
        simulator_stop(sim);
        return -1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)setting_int(cfg, "simulate.port"));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sim->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                       MHD_USE_ERROR_LOG,
                                   0, NULL, NULL, handle, sim, MHD_OPTION_SOCK_ADDR, &addr,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!sim->daemon) {
        snprintf(err, errlen, "simulator: cannot listen on 127.0.0.1:%d (port busy?)",
                 (int)ntohs(addr.sin_port));
        simulator_stop(sim);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(sim->daemon, MHD_DAEMON_INFO_BIND_PORT);
    sim->port = info ? info->port : ntohs(addr.sin_port);
    log_info("simulate", "listening on http://127.0.0.1:%d (speed x%g)", sim->port, sim->speed);
    *out = sim;
    return 0;
}

void simulator_stop(simulator *sim)
{
    if (!sim) return;
    if (sim->daemon) MHD_stop_daemon(sim->daemon);
    sim_gdelt_destroy(sim->gdelt);
    sim_sse_destroy(sim->sse);
    free(sim);
}
