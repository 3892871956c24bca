/* OpenAI-compatible chat completions over libcurl (llm.h). */
#include "ask/llm.h"

#include "core/buf.h"
#include "core/settings.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ask_llm_enabled(const config *cfg)
{
    const char *u = config_get_str(cfg, "ask.llm.url", NULL);
    return u && *u;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    buf *b = ud;
    if (b->len + sz * n > (4u << 20)) return 0; /* 4 MiB is plenty for one answer */
    return buf_append(b, p, sz * n) == 0 ? sz * n : 0;
}

char *ask_llm_extract_sql(const char *reply)
{
    if (!reply) return NULL;
    const char *s = NULL, *e = NULL;
    const char *fence = strstr(reply, "```");
    if (fence) {
        s = fence + 3;
        while (*s && *s != '\n' && !isspace((unsigned char)*s)) s++; /* ```sql */
        e = strstr(s, "```");
        if (!e) e = s + strlen(s);
    } else {
        for (const char *p = reply; *p; p++)
            if ((!strncasecmp(p, "select", 6) || !strncasecmp(p, "with", 4) || !strncasecmp(p, "delete", 6) ||
                 !strncasecmp(p, "update", 6) || !strncasecmp(p, "insert", 6) || !strncasecmp(p, "drop", 4)) &&
                (p == reply || !isalnum((unsigned char)p[-1]))) {
                s = p;
                break;
            }
        if (!s) return NULL;
        e = s + strlen(s);
    }
    while (s < e && isspace((unsigned char)*s)) s++;
    while (e > s && (isspace((unsigned char)e[-1]) || e[-1] == ';')) e--;
    if (e <= s) return NULL;
    char *out = malloc((size_t)(e - s) + 1);
    if (!out) return NULL;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    return out;
}

int ask_llm_sql(const config *cfg, const char *schema, const char *question, char **sql, char *model, size_t modellen,
                char *err, size_t errlen)
{
    *sql = NULL;
    const char *url = config_get_str(cfg, "ask.llm.url", NULL);
    const char *m = setting_str(cfg, "ask.llm.model");
    snprintf(model, modellen, "%s", m);
    if (!url || !*url) {
        snprintf(err, errlen, "no LLM backend (ask.llm.url is not set)");
        return -1;
    }
    char key[512] = "";
    const char *key_file = config_get_str(cfg, "ask.llm.key_file", NULL);
    if (key_file && *key_file) {
        FILE *f = fopen(key_file, "r");
        if (!f) {
            snprintf(err, errlen, "ask.llm.key_file %s cannot be read", key_file);
            return -1;
        }
        if (!fgets(key, sizeof key, f)) key[0] = '\0';
        fclose(f);
        key[strcspn(key, "\r\n")] = '\0';
    }
    json_t *req = json_pack("{s:s, s:f, s:[{s:s, s:s}, {s:s, s:s}]}", "model", m, "temperature", 0.0, "messages",
                            "role", "system", "content", schema, "role", "user", "content", question);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    CURL *c = curl_easy_init();
    buf resp = BUF_INIT;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (key[0]) {
        char auth[600];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)setting_int(cfg, "ask.llm.timeout_ms"));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    int ret = -1;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "LLM backend %s: %s", url, curl_easy_strerror(rc));
    } else if (status != 200) {
        snprintf(err, errlen, "LLM backend %s answered HTTP %ld", url, status);
    } else {
        json_error_t je;
        json_t *o = json_loadb(resp.data ? resp.data : "", resp.len, 0, &je);
        const char *content = NULL;
        json_t *ch = o ? json_object_get(o, "choices") : NULL;
        if (json_is_array(ch) && json_array_size(ch) > 0)
            content = json_string_value(json_object_get(json_object_get(json_array_get(ch, 0), "message"), "content"));
        if (!content) {
            snprintf(err, errlen, "LLM backend %s: no choices[0].message.content in the reply", url);
        } else if (!(*sql = ask_llm_extract_sql(content))) {
            snprintf(err, errlen, "LLM backend %s: the reply holds no SQL", url);
        } else {
            ret = 0;
        }
        json_decref(o);
    }
    buf_free(&resp);
    return ret;
}
