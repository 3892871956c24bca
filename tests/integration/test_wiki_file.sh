# `ingest wiki --file`: the recordings replay into bronze and silver with the right counts, a
# second replay adds nothing (resume token), and bad input is quarantined with reasons while the
# stream goes on. Usage errors exit 2.
source "$(dirname "$0")/lib.sh"

# Bad input always runs: a hand-written SSE stream with CRLF line ends, a BOM, a heartbeat,
# bad JSON, invalid UTF-8, an oversized event and good events around them.
bad="$WG_TMP/bad.events"
{
    printf '\xef\xbb\xbf:heartbeat\r\n\r\n'
    printf 'event: message\r\nid: [{"offset":1}]\r\ndata: {"meta":{"id":"g1","dt":"2024-07-15T00:00:01Z"},"wiki":"enwiki","server_name":"en.wikipedia.org","type":"edit","namespace":0,"title":"Good one"}\r\n\r\n'
    printf 'data: {"meta": {"id": "broken\r\n\r\n'
    printf 'data: {"title": "\xff\xfe"}\r\n\r\n'
    printf 'data: {"big": "%s"}\r\n\r\n' "$(head -c 3000 /dev/zero | tr '\0' x)"
    printf 'id: [{"offset":2}]\r\ndata: {"meta":{"id":"g2",\r\ndata: "dt":"2024-07-15T00:00:02Z"},"wiki":"enwiki","server_name":"en.wikipedia.org","type":"new","namespace":0,"title":"Good two"}\r\n\r\n'
} > "$bad"
out=$(wg --set wiki.max_event_bytes=2000 ingest wiki --file "$bad" 2>"$WG_TMP/err")
echo "$out" | grep -q "events 2, quarantined 3" || fail "bad-input replay: $out"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_quarantine WHERE stage='ingest' AND reason LIKE 'invalid JSON%'")" 1 "bad JSON quarantined"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_quarantine WHERE reason LIKE 'invalid UTF-8 at byte 11%'")" 1 "invalid UTF-8 quarantined"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_quarantine WHERE reason LIKE '% than 2000 bytes'")" 1 "oversized quarantined"
assert_eq "$(q "SELECT raw = '{\"title\": \"\\xFF\\xFE\"}' FROM wikimedia_quarantine WHERE reason LIKE 'invalid UTF-8%'")" 1 "raw kept with escapes"
wg refine wiki >/dev/null
assert_eq "$(q "SELECT group_concat(event_id||':'||title||':'||is_content, ';') FROM wikimedia_silver")" "g1:Good one:1;g2:Good two:1" "good events reach silver"
assert_eq "$(q "SELECT json_extract(last_sse_id, '\$[0].offset') FROM wikimedia_stream_state")" 2 "last SSE id kept"

# usage errors
set +e
wg ingest wiki --file a --url b 2>/dev/null; rc=$?
[ "$rc" = 2 ] || fail "--file with --url should exit 2, got $rc"
wg ingest wiki --max-events abc 2>/dev/null; rc=$?
[ "$rc" = 2 ] || fail "bad --max-events should exit 2, got $rc"
wg ingest wiki --file "$WG_TMP/missing.ndjson" 2>"$WG_TMP/err"; rc=$?
set -e
[ "$rc" = 1 ] || fail "missing file should exit 1, got $rc"
grep -q "cannot open recording" "$WG_TMP/err" || fail "missing file message: $(cat "$WG_TMP/err")"

need_shared
D="$WG_SHARED/data/wikimedia"
for f in "$D"/*.events "$D"/*.ndjson; do
    wg ingest wiki --file "$f" >/dev/null 2>&1
    wg ingest wiki --file "$f" 2>/dev/null | grep -q "events 0," || fail "second replay of $f should add nothing"
done
wg refine wiki >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver")" 105 "3 + 100 recorded events + 2 good ones"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver WHERE event_time BETWEEN '2023-07-29 07:51:39' AND '2023-07-29 07:53:59'")" 100 "ndjson event times"
assert_eq "$(q "SELECT title FROM wikimedia_silver WHERE event_id='0416300b-980c-45bb-b0a2-c9d7a9e2b7eb'")" "EFL Championship" "a known event"
assert_eq "$(q "SELECT wiki||' '||namespace||' '||bot||' '||length_old||' '||length_new||' '||revision_new FROM wikimedia_silver WHERE event_id='da75cd5f-4dc4-4954-8a88-b5b6d4fec7e4'")" "commonswiki 6 1 344 1345 714098323" "SSE recording fields"
