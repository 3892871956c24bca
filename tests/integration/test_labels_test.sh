# The held-out test set (tests/data/labels_test*.tsv) loads with the right counts, the by-text
# file holds exactly the texts the gold composition gives for the by-id file's events (same
# pairs, same order), and its articles are disjoint from the development set's. Uses the hash
# fallback embedder on purpose (no real-model dependency; the figures it prints mean nothing).
source "$(dirname "$0")/lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
labels="$here/../data"
nomodel="embed.model_dir=$WG_TMP/no-model"

for f in "$WG_SHARED"/data/gdelt/20240715000000.export.CSV.zip "$WG_SHARED"/data/gdelt/20250715000000.export.CSV.zip; do
    wg ingest gdelt --file "$f" >/dev/null
done
wg refine >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "5305" "both real exports in silver"

# By id (texts composed from gdelt_silver) and by text (no data needed: a fresh home).
wg --set "$nomodel" eval --scores "$WG_TMP/s_ids" "$labels/labels_test_eventids.tsv" >"$WG_TMP/e_ids"
"$WG_BIN" --home "$WG_TMP/empty" --set "$nomodel" eval --scores "$WG_TMP/s_text" "$labels/labels_test.tsv" >"$WG_TMP/e_text"
grep -q "embedder: hash-ngram fallback" "$WG_TMP/e_ids" || fail "expected the fallback embedder"
grep -q "pairs: 257 (related 52, unrelated 205)" "$WG_TMP/e_ids" || fail "test set counts by id: $(grep pairs "$WG_TMP/e_ids")"
grep -q "pairs: 257 (related 52, unrelated 205)" "$WG_TMP/e_text" || fail "test set counts by text: $(grep pairs "$WG_TMP/e_text")"
# The scores files list every pair's event text, title and label: identical means the by-text
# file is the by-id file under the current composition.
diff "$WG_TMP/s_ids" "$WG_TMP/s_text" >/dev/null || fail "labels_test.tsv is not labels_test_eventids.tsv composed (rebuild with tools/labels/compose.py)"

# Disjoint from the development set, by event and by article.
ids() { grep -v '^#' "$1" | cut -f1 | sort -u | paste -sd, -; }
dev=$(ids "$labels/labels_eventids.tsv")
tst=$(ids "$labels/labels_test_eventids.tsv")
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver WHERE GLOBALEVENTID IN ($tst) AND GLOBALEVENTID IN ($dev)")" "0" "no dev event in the test set"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver WHERE GLOBALEVENTID IN ($tst) AND SOURCEURL IN (SELECT SOURCEURL FROM gdelt_silver WHERE GLOBALEVENTID IN ($dev))")" "0" "no dev article in the test set"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver WHERE GLOBALEVENTID IN ($tst)")" "222" "every test event is in the exports"
echo ok
