/* The assistant's optional LLM backend: an OpenAI-compatible chat-completions endpoint (a local
 * llama.cpp server, for example), asked only for questions the parser cannot map.
 *   ask.llm.url        http://127.0.0.1:8080/v1/chat/completions (unset: no backend)
 *   ask.llm.model      the model name sent in the request (default "local")
 *   ask.llm.key_file   a file whose first line is the bearer key (optional)
 *   ask.llm.timeout_ms default 30000
 * The reply's SQL is extracted (a ```sql block, or the text from its first SELECT/WITH); the
 * caller shows it and checks it through govern_prepare before anything runs. */
#ifndef WG_ASK_LLM_H
#define WG_ASK_LLM_H

#include <stddef.h>

#include "core/config.h"

/* 1 when ask.llm.url is set. */
int ask_llm_enabled(const config *cfg);
/* Sends schema (text) and question; on success *sql is malloc'd (the extracted statement). */
int ask_llm_sql(const config *cfg, const char *schema, const char *question, char **sql, char *model, size_t modellen,
                char *err, size_t errlen);
/* The SQL inside a model's reply (exposed for the unit tests); malloc'd, or NULL. */
char *ask_llm_extract_sql(const char *reply);

#endif
