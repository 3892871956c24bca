/* HTTP GET to memory with libcurl (see http.h). */
#include "source/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_OK;
static void curl_init_once(void) { curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct sink {
    buf *body;
    size_t max_bytes;
    int too_large;
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    if (s->body->len + n > s->max_bytes) {
        s->too_large = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (buf_append(s->body, data, n) != 0) return 0;
    return n;
}

const char *http_outcome_name(http_outcome o)
{
    static const char *names[] = {"ok", "network error", "timeout", "HTTP error status",
                                  "truncated body", "body too large", "internal error"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

void http_response_free(http_response *resp) { buf_free(&resp->body); }

http_outcome http_get(const char *url, const http_options *opts, http_response *resp)
{
    resp->status = 0;
    resp->error[0] = '\0';
    resp->retry_after_s = -1;
    buf_reset(&resp->body);
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        snprintf(resp->error, sizeof resp->error, "libcurl init failed: %s",
                 curl_easy_strerror(curl_init_result));
        return HTTP_ERR_INTERNAL;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(resp->error, sizeof resp->error, "GET %s: cannot create a curl handle", url);
        return HTTP_ERR_INTERNAL;
    }
    http_options def = {0};
    if (!opts) opts = &def;
    sink s = {&resp->body, opts->max_bytes ? opts->max_bytes : (size_t)256 << 20, 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: safe in threads */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wikigdelt/1.0");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opts->timeout_ms > 0 ? opts->timeout_ms : 120000L);
    if (opts->low_speed_bytes > 0 && opts->low_speed_seconds > 0) {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, opts->low_speed_bytes);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opts->low_speed_seconds);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        resp->retry_after_s = retry_after < 86400 ? (long)retry_after : 86400;
    curl_easy_cleanup(c);

    http_outcome out = HTTP_OK;
    const char *why = curl_err[0] ? curl_err : curl_easy_strerror(rc);
    if (rc == CURLE_OK) {
        if (resp->status < 200 || resp->status > 299) {
            out = HTTP_ERR_STATUS;
            if (resp->retry_after_s >= 0)
                snprintf(resp->error, sizeof resp->error, "GET %s: HTTP status %ld (Retry-After %ld s)",
                         url, resp->status, resp->retry_after_s);
            else
                snprintf(resp->error, sizeof resp->error, "GET %s: HTTP status %ld", url,
                         resp->status);
        }
    } else if (s.too_large) {
        out = HTTP_ERR_TOO_LARGE;
        snprintf(resp->error, sizeof resp->error, "GET %s: body larger than the %zu-byte cap",
                 url, s.max_bytes);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        out = HTTP_ERR_TIMEOUT;
        snprintf(resp->error, sizeof resp->error, "GET %s: timed out (%s)", url, why);
    } else if (rc == CURLE_PARTIAL_FILE) {
        out = HTTP_ERR_TRUNCATED;
        snprintf(resp->error, sizeof resp->error,
                 "GET %s: truncated body (%zu bytes received; %s)", url, resp->body.len, why);
    } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
               rc == CURLE_OUT_OF_MEMORY) {
        out = HTTP_ERR_INTERNAL;
        snprintf(resp->error, sizeof resp->error, "GET %s: %s", url, why);
    } else {
        out = HTTP_ERR_NETWORK;
        snprintf(resp->error, sizeof resp->error, "GET %s: %s", url, why);
    }
    return out;
}
