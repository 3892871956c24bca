#!/usr/bin/env bash
# Pair recall of a cascade run against an exact-join run of the same input (figures only):
#   bench/gold_cascade_compare.sh CASCADE_HOME EXACT_HOME
# e.g. after `GOLD_E2E_KEEP=ON_DIR bench/gold_e2e.sh ...` and
#      `GOLD_E2E_KEEP=OFF_DIR bench/gold_e2e.sh ... --set correlate.prefilter=off`.
# Prints the exact join's pairs (>= correlate.threshold, top-k per event), how many of them the
# cascade emitted too (pair recall), the pairs only the cascade emitted (a lower-ranked title that
# took the place of one the first stage missed), and the events whose best match agrees.
set -euo pipefail
on=$1/wikigdelt.db off=$2/wikigdelt.db
sqlite3 "$on" <<SQL
ATTACH '$off' AS x;
SELECT 'exact pairs ' || (SELECT COUNT(*) FROM x.correlated_gold_events)
    || ', cascade pairs ' || (SELECT COUNT(*) FROM main.correlated_gold_events);
SELECT 'pair recall ' || printf('%.4f', 1.0 * COUNT(*) / (SELECT COUNT(*) FROM x.correlated_gold_events))
       || ' (' || COUNT(*) || ' exact pairs also emitted by the cascade)'
  FROM x.correlated_gold_events o
 WHERE EXISTS (SELECT 1 FROM main.correlated_gold_events c WHERE c.gdelt_silver_id = o.gdelt_silver_id
               AND c.wiki = o.wiki AND c.title = o.title AND c.title_time_bucket = o.title_time_bucket);
SELECT 'pairs only in the cascade ' || COUNT(*)
  FROM main.correlated_gold_events c
 WHERE NOT EXISTS (SELECT 1 FROM x.correlated_gold_events o WHERE c.gdelt_silver_id = o.gdelt_silver_id
               AND c.wiki = o.wiki AND c.title = o.title AND c.title_time_bucket = o.title_time_bucket);
SELECT 'events with the same best match ' || SUM(coalesce(e.best_title, '') = coalesce(o.best_title, ''))
       || ' of ' || COUNT(*)
  FROM main.gold_events e JOIN x.gold_events o USING (gdelt_silver_id);
SQL
