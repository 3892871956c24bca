/* A small SQL tokenizer for governed sessions (session_int.h): enough to find the names a
 * statement's CTEs and WINDOWs give and where one statement ends. */
#include "govern/session_int.h"

#include "core/grow.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- a small SQL tokenizer: enough to find CTE names and where one statement ends ---- */

typedef struct tok {
    const char *p;
    size_t n;
    char kind; /* 'i' bare word, 'q' quoted identifier, 's' string, 'p' punctuation, 0 end */
} tok;

static const char *skip_space(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

static const char *next_tok(const char *p, tok *t)
{
    p = skip_space(p);
    t->p = p;
    t->n = 0;
    t->kind = 0;
    if (!*p) return p;
    unsigned char c = (unsigned char)*p;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : (char)c;
        const char *q = p + 1;
        for (;;) {
            if (!*q) break;
            if (*q == close) {
                if (close != ']' && q[1] == close) {
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            q++;
        }
        t->n = (size_t)(q - p);
        t->kind = c == '\'' ? 's' : 'q';
        return q;
    }
    if (isalnum(c) || c == '_' || c == '$' || c >= 0x80) {
        const char *q = p;
        while (*q && (isalnum((unsigned char)*q) || *q == '_' || *q == '$' || (unsigned char)*q >= 0x80)) q++;
        t->n = (size_t)(q - p);
        t->kind = 'i';
        return q;
    }
    t->n = 1;
    t->kind = 'p';
    return p + 1;
}

static int tok_is(const tok *t, const char *word)
{
    return t->kind == 'i' && strlen(word) == t->n && !strncasecmp(t->p, word, t->n);
}

/* The identifier's name without its quotes (doubled quotes undone). */
static void tok_name(const tok *t, char *out, size_t outlen)
{
    size_t o = 0;
    if (t->kind == 'q') {
        char close = t->p[0] == '[' ? ']' : t->p[0];
        for (size_t i = 1; i + 1 < t->n && o + 1 < outlen; i++) {
            out[o++] = t->p[i];
            if (t->p[i] == close && close != ']' && i + 2 < t->n && t->p[i + 1] == close) i++;
        }
    } else {
        for (size_t i = 0; i < t->n && o + 1 < outlen; i++) out[o++] = t->p[i];
    }
    out[o] = '\0';
}

/* Finds names defined as `NAME [(cols)] AS [NOT] [MATERIALIZED] (` (CTEs and WINDOW
 * definitions) that equal a view's name; writes the first into hit. */
int govern_shadows_view(const govern_session *s, const char *sql, char *hit, size_t hitlen)
{
    size_t n = 0, cap = 0;
    tok *toks = NULL;
    const char *p = sql;
    for (;;) {
        if (grow_array(&toks, &cap, n, sizeof *toks, 64)) {
            free(toks);
            snprintf(hit, hitlen, "(out of memory)");
            return 1;
        }
        p = next_tok(p, &toks[n]);
        if (!toks[n].kind) break;
        n++;
    }
    int found = 0;
    for (size_t i = 0; i + 2 < n && !found; i++) {
        if (toks[i].kind != 'i' && toks[i].kind != 'q') continue;
        size_t j = i + 1;
        if (toks[j].kind == 'p' && toks[j].p[0] == '(') {
            int depth = 0;
            for (; j < n; j++) {
                if (toks[j].kind == 'p' && toks[j].p[0] == '(') depth++;
                if (toks[j].kind == 'p' && toks[j].p[0] == ')' && --depth == 0) break;
            }
            j++;
        }
        if (j >= n || !tok_is(&toks[j], "as")) continue;
        j++;
        if (j < n && tok_is(&toks[j], "not")) j++;
        if (j < n && tok_is(&toks[j], "materialized")) j++;
        if (j >= n || toks[j].kind != 'p' || toks[j].p[0] != '(') continue;
        char name[256];
        tok_name(&toks[i], name, sizeof name);
        if (govern_names_has(&s->views, name)) {
            snprintf(hit, hitlen, "%s", name);
            found = 1;
        }
    }
    free(toks);
    return found;
}


const char *govern_skip_tail(const char *p)
{
    for (;;) {
        p = skip_space(p);
        if (*p == ';') {
            p++;
            continue;
        }
        return p;
    }
}

