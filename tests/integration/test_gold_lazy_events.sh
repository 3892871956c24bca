#!/usr/bin/env bash
# Lazy events (correlate.prefilter = lazy, docs/gold.md "Which titles are embedded"): a GDELT
# event is embedded only once its window, or a partner window with neighbour buckets, has a
# title. Checked with the hash fallback on a synthetic sample (no ../shared, no model), against
# a home running prefilter = off, pair for pair:
#   - events first, no titles: none embedded (the printed count is 0, and every event is kept in
#     gold_open_events with an empty vector);
#   - titles in a later process: the waiting events come back from the store, are embedded
#     (printed count) and matched: the same pairs, ranks, scores and best matches as off;
#   - more events into that window afterwards are embedded on arrival, same pairs as off;
#   - a window with events only, closed by --drain, embeds nothing and its events get
#     no_partner_window, as with off.
# Run without and with correlate.neighbour_buckets (there the titles sit in the next window).
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "needs the sqlite3 shell to write the stand-in silver rows"

schema="CREATE TABLE IF NOT EXISTS gdelt_silver (silver_id INTEGER PRIMARY KEY AUTOINCREMENT,
 bronze_id INTEGER, GLOBALEVENTID INTEGER NOT NULL UNIQUE, EventCode TEXT, Actor1Name TEXT,
 Actor2Name TEXT, AvgTone REAL, GoldsteinScale REAL, ActionGeo_FullName TEXT,
 ActionGeo_CountryCode TEXT, ActionGeo_Lat REAL, ActionGeo_Long REAL, SOURCEURL TEXT,
 EventID INTEGER GENERATED ALWAYS AS (GLOBALEVENTID) VIRTUAL, event_time TEXT, time_bucket TEXT,
 event_description TEXT);
CREATE TABLE IF NOT EXISTS wikimedia_silver (silver_id INTEGER PRIMARY KEY AUTOINCREMENT,
 bronze_id INTEGER, event_id TEXT NOT NULL UNIQUE, event_time TEXT, time_bucket TEXT, wiki TEXT,
 namespace INTEGER, title TEXT, user TEXT, is_content INTEGER NOT NULL);"
places=(Paris Berlin Madrid Tokyo Nairobi Lima Oslo Cairo Dhaka Quito Hanoi Accra)
things=(protest election flood earthquake summit strike wildfire treaty)
events() { # events DB FIRST_ID COUNT BUCKET_TEXT MINUTE_PREFIX
    local db=$1 id=$2 n=$3 b=$4 t=$5 i sql=""
    for ((i = 0; i < n; i++)); do
        local p=${places[$(((id + i) % 12))]} w=${things[$(((id + i) % 8))]}
        sql+="INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, Actor1Name, ActionGeo_FullName,
 AvgTone, ActionGeo_CountryCode, ActionGeo_Lat, ActionGeo_Long, SOURCEURL, event_time,
 time_bucket, event_description) VALUES ($((id + i)), '014', '$p', '$p', -1.5, 'XX', 1.0, 2.0,
 'https://news.example/2024/$w-in-$p-$((id + i))', '$t:$(printf %02d $((i % 60))):00', '$b',
 'Protest');"
    done
    sqlite3 "$db" "$schema $sql"
}
titles() { # titles DB BUCKET_TEXT MINUTE_PREFIX
    local db=$1 b=$2 t=$3 i=0 p w sql=""
    for p in "${places[@]}"; do
        for w in "${things[@]:0:3}"; do
            sql+="INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, namespace,
 title, user, is_content) VALUES ('$b-$i', '$t:$(printf %02d $((i % 60))):00', '$b', 'enwiki', 0,
 '${w^}_in_$p', 'u$((i % 5))', 1);"
            i=$((i + 1))
        done
    done
    sqlite3 "$db" "$schema $sql"
}

pairs="SELECT group_concat(x, '|') FROM (SELECT EventID || ',' || wiki || ',' || title || ',' || cosine_sim || ',' || rank || ',' || match_score || ',' || edit_count AS x FROM correlated_gold_events ORDER BY 1)"
best="SELECT group_concat(x, '|') FROM (SELECT EventID || ',' || coalesce(best_title, '-') || ',' || match_count || ',' || status AS x FROM gold_events ORDER BY 1)"

for nb in 0 1; do
    L=$WG_TMP/lazy$nb O=$WG_TMP/off$nb
    wl() { "$WG_BIN" --home "$L" --set embed.backend=hash --set correlate.neighbour_buckets=$nb "$@"; }
    wo() { "$WG_BIN" --home "$O" --set embed.backend=hash --set correlate.neighbour_buckets=$nb --set correlate.prefilter=off "$@"; }
    ql() { qh "$L" "$1"; }
    qo() { qh "$O" "$1"; }
    wl sql "SELECT 1" >/dev/null
    wo sql "SELECT 1" >/dev/null
    # Titles go to the events' window, or with neighbour buckets to the next one.
    if [ "$nb" = 1 ]; then tb="2024-07-15 04:00:00" tt="2024-07-15 05"; else tb="2024-07-15 00:00:00" tt="2024-07-15 01"; fi

    # 1. Events only: window A (00:00) and window C (12:00, never gets a title).
    for h in "$L" "$O"; do
        events "$h/wikigdelt.db" 1000 30 "2024-07-15 00:00:00" "2024-07-15 00"
        events "$h/wikigdelt.db" 5000 10 "2024-07-15 12:00:00" "2024-07-15 12"
    done
    wl correlate >"$WG_TMP/l1.$nb"
    wo correlate >"$WG_TMP/o1.$nb"
    grep -q "prefilter (lazy): 0 titles embedded (new titles 0), first stage [0-9.]* s, 0 events embedded (events read 40)" "$WG_TMP/l1.$nb" \
        || fail "nb=$nb: no event embedded before any title: $(cat "$WG_TMP/l1.$nb")"
    assert_eq "$(ql "SELECT COUNT(*) FROM gold_open_events WHERE length(vector) = 0")" "40" "nb=$nb: waiting events kept with an empty vector"
    assert_eq "$(qo "SELECT COUNT(*) FROM gold_open_events WHERE length(vector) = 1536")" "40" "nb=$nb: off embeds every event on arrival"

    # 2. Titles arrive, in a new process: window A's events are embedded and matched, C's wait.
    for h in "$L" "$O"; do titles "$h/wikigdelt.db" "$tb" "$tt"; done
    wl correlate >"$WG_TMP/l2.$nb"
    wo correlate >"$WG_TMP/o2.$nb"
    grep -q "36 titles embedded (new titles 36), first stage [0-9.]* s, 30 events embedded (events read 0)" "$WG_TMP/l2.$nb" \
        || fail "nb=$nb: the waiting events of the titles' partner window are embedded: $(cat "$WG_TMP/l2.$nb")"
    assert_eq "$(ql "SELECT COUNT(*) FROM gold_open_events WHERE length(vector) = 1536 AND time_bucket = '2024-07-15 00:00:00'")" "30" "nb=$nb: window A's vectors stored"
    assert_eq "$(ql "SELECT COUNT(*) FROM gold_open_events WHERE length(vector) = 0 AND time_bucket = '2024-07-15 12:00:00'")" "10" "nb=$nb: window C still waits"
    npairs=$(qo "SELECT COUNT(*) FROM correlated_gold_events")
    [ "$npairs" -gt 10 ] || fail "nb=$nb: the sample should give pairs: $npairs"
    assert_eq "$(ql "$pairs")" "$(qo "$pairs")" "nb=$nb: lazy pairs = off pairs after the titles"

    # 3. More events into window A: embedded on arrival (the window is live).
    for h in "$L" "$O"; do events "$h/wikigdelt.db" 2000 12 "2024-07-15 00:00:00" "2024-07-15 02"; done
    wl correlate >"$WG_TMP/l3.$nb"
    wo correlate >"$WG_TMP/o3.$nb"
    grep -q "0 titles embedded (new titles 0), first stage [0-9.]* s, 12 events embedded (events read 12)" "$WG_TMP/l3.$nb" \
        || fail "nb=$nb: new events of a live window are embedded on arrival: $(cat "$WG_TMP/l3.$nb")"
    assert_eq "$(ql "$pairs")" "$(qo "$pairs")" "nb=$nb: lazy pairs = off pairs after more events"

    # 4. --drain closes everything: window C never had a title, so nothing of it is embedded.
    wl correlate --drain >"$WG_TMP/l4.$nb"
    wo correlate --drain >"$WG_TMP/o4.$nb"
    grep -q ", 0 events embedded (events read 0)" "$WG_TMP/l4.$nb" || fail "nb=$nb: draining embeds nothing: $(cat "$WG_TMP/l4.$nb")"
    assert_eq "$(ql "SELECT group_concat(DISTINCT status) FROM gold_events WHERE time_bucket = '2024-07-15 12:00:00'")" "no_partner_window" "nb=$nb: window C's events"
    assert_eq "$(ql "SELECT COUNT(*) FROM gold_open_events")" "0" "nb=$nb: state dropped at close"
    assert_eq "$(ql "$pairs")" "$(qo "$pairs")" "nb=$nb: final pairs"
    assert_eq "$(ql "$best")" "$(qo "$best")" "nb=$nb: best matches and statuses"
    echo "nb=$nb: $npairs pairs after the titles, lazy = off"
done
echo ok
