/* The HTTP API's request handling (src/serve: libmicrohttpd's parser, routing, the JSON body of
 * /api/sql, the authorizer, error answers, static files) on raw request bytes. One server runs
 * for the whole fuzzing session on 127.0.0.1 against a small lakehouse, with a principal in
 * business_users; "@TOKEN@" in an input becomes its bearer token, so the fuzzer reaches the
 * authenticated paths. Each input is sent on a fresh connection and the answer read.
 * Oracles: every answer that comes back is an HTTP/1.x status line; after every input the
 * server still answers GET /healthz with 200; no write reaches the lakehouse (its data version
 * is unchanged). */
#include "fuzz_util.h"
#include "core/config.h"
#include "core/log.h"
#include "govern/govern.h"
#include "serve/serve.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

static serve_server *server;
static int port;
static char token[256];
static char home[128], dbpath[160];
static sqlite3 *watch;

static int64_t data_version(void)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(watch, "SELECT COUNT(*) FROM gdelt_ledger", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Sends req on a new connection and reads the answer (up to cap bytes, 2 s). Returns bytes. */
static size_t exchange(const char *req, size_t len, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) abort();
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return 0; }
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    /* the server may keep the connection open (keep-alive): once an answer has started, a short
     * silence (10 ms) ends it; a server that says nothing at all gets 500 ms */
    while (got < cap && poll(&p, 1, got ? 10 : 500) > 0) {
        ssize_t r = recv(fd, out + got, cap - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    return got;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    char err[1024];
    log_set_level(LOG_ERROR);
    snprintf(home, sizeof home, "/dev/shm/wg-fuzz-serve-%d", (int)getpid());
    mkdir(home, 0700);
    snprintf(dbpath, sizeof dbpath, "%s/wikigdelt.db", home);
    config *cfg = config_new();
    config_set(cfg, "serve.auth_fail_limit", "1000000000");   /* the fuzzer sends bad tokens */
    config_set(cfg, "serve.query_timeout_ms", "200");
    config_set(cfg, "serve.threads", "2");
    sqlite3 *db;
    if (store_open(dbpath, cfg, 0, &db, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
    if (govern_principal_add(db, "fuzz", token, sizeof token, err, sizeof err) != 0 ||
        govern_group_add_member(db, "business_users", "fuzz", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    store_close(db);
    server = serve_start(cfg, home, dbpath, 0, err, sizeof err);
    if (!server) { fprintf(stderr, "serve_start: %s\n", err); abort(); }
    port = serve_port(server);
    if (store_open(dbpath, cfg, STORE_READONLY, &watch, err, sizeof err) != 0) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* "@TOKEN@" -> the principal's token */
    size_t tl = strlen(token), cap = size * (tl + 1) + 1, n = 0;
    char *req = malloc(cap);
    if (!req) abort();
    for (size_t i = 0; i < size;) {
        if (size - i >= 7 && memcmp(data + i, "@TOKEN@", 7) == 0) {
            memcpy(req + n, token, tl);
            n += tl;
            i += 7;
        } else {
            req[n++] = (char)data[i++];
        }
    }
    int64_t before = data_version();
    static char answer[1 << 16];
    size_t got = exchange(req, n, answer, sizeof answer);
    if (got >= 5) FUZZ_CHECK(memcmp(answer, "HTTP/", 5) == 0, "answer is not HTTP: %.40s", answer);
    static const char health[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    got = exchange(health, sizeof health - 1, answer, sizeof answer);
    FUZZ_CHECK(got >= 12 && memcmp(answer + 9, "200", 3) == 0, "server no longer healthy: %.60s",
               got ? answer : "(no answer)");
    FUZZ_CHECK(data_version() == before, "a request changed the lakehouse");
    free(req);
    return 0;
}
