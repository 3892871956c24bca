/* A small HTTP GET client on libcurl: the whole body into memory, with connect and total
 * timeouts, a size cap, the status code and a one-line error that says what failed. Used by the
 * GDELT source (lastupdate.txt, masterfilelist.txt, export zips). Thread-safe: each call uses its
 * own easy handle; libcurl's global init runs once. */
#ifndef WG_HTTP_H
#define WG_HTTP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct http_options {
    long connect_timeout_ms; /* 0 = 10 s */
    long timeout_ms;         /* whole transfer; 0 = 120 s */
    size_t max_bytes;        /* body size cap; 0 = 256 MiB */
    long low_speed_bytes;    /* abort if slower than this many bytes/s ... (0 = off) */
    long low_speed_seconds;  /* ... for this many seconds */
} http_options;

typedef enum http_outcome {
    HTTP_OK = 0,        /* 2xx and the whole body received */
    HTTP_ERR_NETWORK,   /* refused, DNS, reset, TLS... */
    HTTP_ERR_TIMEOUT,
    HTTP_ERR_STATUS,    /* non-2xx answer; status holds it */
    HTTP_ERR_TRUNCATED, /* fewer bytes than Content-Length announced */
    HTTP_ERR_TOO_LARGE, /* body over max_bytes */
    HTTP_ERR_INTERNAL   /* out of memory, bad URL */
} http_outcome;

typedef struct http_response {
    long status;          /* HTTP status (0 if no answer) */
    buf body;             /* the body (also filled for non-2xx answers, up to the cap) */
    char error[WG_ERR_LEN];      /* empty on HTTP_OK */
    long retry_after_s;   /* the answer's Retry-After in seconds (a 429 or 503), -1 when none */
} http_response;

/* GETs url into resp (resp->body is reset first; the caller frees it with buf_free). */
http_outcome http_get(const char *url, const http_options *opts, http_response *resp);
void http_response_free(http_response *resp);
const char *http_outcome_name(http_outcome o);

#endif
