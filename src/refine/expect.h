/* Expectations: named data-quality rules of a silver flow, each with an action chosen by config
 * (`expect.<flow>.<rule> = warn|drop|quarantine|fail`). The flow evaluates the rules on a row and
 * reports each outcome here; the set keeps per-batch counts and writes them to
 * expectation_counts (and a summary to the event log) inside the flow's transaction. */
#ifndef WG_EXPECT_H
#define WG_EXPECT_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/config.h"

typedef enum expect_action {
    EXPECT_PASS = 0,     /* no rule failed */
    EXPECT_WARN,         /* keep the row, count it */
    EXPECT_DROP,         /* count it, drop it */
    EXPECT_QUARANTINE,   /* move it to the flow's quarantine table with the rule */
    EXPECT_FAIL          /* stop the flow: the batch is rolled back */
} expect_action;

#define EXPECT_MAX_RULES 32

typedef struct expect_rule {
    char name[64];
    expect_action action;
    int64_t checked, failed;
} expect_rule;

typedef struct expect_set {
    char flow[64];
    expect_rule rules[EXPECT_MAX_RULES];
    int count;
    /* Per row: the strongest action among the failed rules, and the first rule that chose it. */
    expect_action row_action;
    int row_rule;
} expect_set;

const char *expect_action_name(expect_action a);
int expect_action_parse(const char *s, expect_action *out); /* 0 ok, -1 unknown word */

void expect_set_init(expect_set *set, const char *flow);
/* Adds a rule; its action is config `expect.<flow>.<name>` or def. Returns the rule index, or -1
 * (with a logged error naming the bad setting) if the list is full or the action is unknown. */
int expect_add_rule(expect_set *set, const char *name, expect_action def, const config *cfg);

void expect_row_begin(expect_set *set);
/* Records one rule outcome for the current row; returns passed. */
int expect_record(expect_set *set, int rule, int passed);
/* Outcome of the row so far; the rule that decided it is set->row_rule (-1 when passed). */
static inline expect_action expect_row_action(const expect_set *set) { return set->row_action; }
static inline const char *expect_row_rule_name(const expect_set *set)
{
    return set->row_rule >= 0 ? set->rules[set->row_rule].name : NULL;
}

/* Writes one expectation_counts row per rule for the batch (only rules that saw rows), adds a
 * summary line to the event log when something failed, and resets the counters. */
int expect_flush(expect_set *set, sqlite3 *db, const char *batch_id);

#endif
