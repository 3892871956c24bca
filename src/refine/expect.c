/* Expectations: counting and action selection for data-quality rules. */
#include "refine/expect.h"

#include "core/buf.h"
#include "core/log.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const char *names[] = {"pass", "warn", "drop", "quarantine", "fail"};

const char *expect_action_name(expect_action a)
{
    return (unsigned)a < 5 ? names[a] : "?";
}

int expect_action_parse(const char *s, expect_action *out)
{
    for (int i = 1; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (expect_action)i;
            return 0;
        }
    return -1;
}

void expect_set_init(expect_set *set, const char *flow)
{
    memset(set, 0, sizeof *set);
    snprintf(set->flow, sizeof set->flow, "%s", flow);
    set->row_rule = -1;
}

int expect_add_rule(expect_set *set, const char *name, expect_action def, const config *cfg)
{
    if (set->count >= EXPECT_MAX_RULES) {
        log_error("expect", "too many rules in flow %s", set->flow);
        return -1;
    }
    char key[160];
    snprintf(key, sizeof key, "expect.%s.%s", set->flow, name);
    expect_action action = def;
    const char *v = config_get_str(cfg, key, NULL);
    if (v && expect_action_parse(v, &action) != 0) {
        log_error("expect", "setting %s = '%s': action must be warn, drop, quarantine or fail",
                  key, v);
        return -1;
    }
    expect_rule *r = &set->rules[set->count];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->action = action;
    r->checked = r->failed = 0;
    return set->count++;
}

void expect_row_begin(expect_set *set)
{
    set->row_action = EXPECT_PASS;
    set->row_rule = -1;
}

int expect_record(expect_set *set, int rule, int passed)
{
    if (rule < 0 || rule >= set->count) return passed;
    expect_rule *r = &set->rules[rule];
    r->checked++;
    if (!passed) {
        r->failed++;
        if (r->action > set->row_action) {
            set->row_action = r->action;
            set->row_rule = rule;
        }
    }
    return passed;
}

int expect_flush(expect_set *set, sqlite3 *db, const char *batch_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO expectation_counts(ts, flow, batch_id, rule, action,"
                           " checked, failed) VALUES (strftime('%Y-%m-%d %H:%M:%f','now'),"
                           " ?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    buf summary = BUF_INIT;
    int64_t failed_total = 0;
    int rc = 0;
    for (int i = 0; i < set->count; i++) {
        expect_rule *r = &set->rules[i];
        if (r->checked == 0) continue;
        sqlite3_bind_text(st, 1, set->flow, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, batch_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, expect_action_name(r->action), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, r->checked);
        sqlite3_bind_int64(st, 6, r->failed);
        if (sqlite3_step(st) != SQLITE_DONE) rc = -1;
        sqlite3_reset(st);
        if (r->failed) {
            buf_appendf(&summary, "%s\"%s\":{\"action\":\"%s\",\"failed\":%lld}",
                        failed_total ? "," : "{", r->name, expect_action_name(r->action),
                        (long long)r->failed);
            failed_total += r->failed;
        }
        r->checked = r->failed = 0;
    }
    sqlite3_finalize(st);
    if (failed_total) {
        buf_append_str(&summary, "}");
        char msg[256];
        snprintf(msg, sizeof msg, "batch %s: %lld rule failures", batch_id,
                 (long long)failed_total);
        if (store_event(db, set->flow, "warn", "expectations", msg, summary.data) != 0) rc = -1;
    }
    buf_free(&summary);
    return rc;
}
