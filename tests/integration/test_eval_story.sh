#!/usr/bin/env bash
# `eval` on the story form of the label sets (story, EventID, title, label, kind, note): the split
# by story (--part dev|heldout, tests/data/README.md "Story sets"), the skipped "?" labels, the
# resampling by story, the first line that gives the deployed decision, and bad input.
source "$(dirname "$0")/lib.sh"
need_shared
wg ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null
wg refine >/dev/null
# Story ids whose FNV-1a hash is 0 mod 3 are held out: s1, s2 and s4 here; s3, s5 and s6 dev.
t=$'\t'
{
    echo "# story${t}EventID${t}title${t}label${t}kind${t}note"
    echo "s1${t}1252027997${t}Amit Shah${t}1${t}person${t}"
    echo "s1${t}1252027997${t}Pizza${t}0${t}unrelated${t}"
    echo "s2${t}1187174399${t}Buckingham Palace${t}1${t}place${t}"
    echo "s3${t}1252027656${t}Elon Musk${t}1${t}person${t}"
    echo "s3${t}1252027656${t}Tesla Model S${t}?${t}near_miss${t}either way"
    echo "s4${t}1187173830${t}Justin Trudeau${t}1${t}person${t}"
    echo "s5${t}1187173878${t}Justin Trudeau${t}0${t}near_miss${t}"
    echo "s6${t}1187173878${t}Wine${t}0${t}unrelated${t}"
} >"$WG_TMP/story.tsv"
wg eval "$WG_TMP/story.tsv" >"$WG_TMP/all"
wg eval --part dev "$WG_TMP/story.tsv" >"$WG_TMP/dev"
wg eval --part=heldout "$WG_TMP/story.tsv" >"$WG_TMP/held"
cat "$WG_TMP/all" "$WG_TMP/dev" "$WG_TMP/held"
grep -q "^pairs: 7 (related 4, unrelated 3)" "$WG_TMP/all" || fail "all: the ? pair is not skipped"
grep -q "^pairs: 3 (related 1, unrelated 2)" "$WG_TMP/dev" || fail "dev part: stories s3, s5, s6"
grep -q "^pairs: 4 (related 3, unrelated 1)" "$WG_TMP/held" || fail "held-out part: stories s1, s2, s4"
# The first line is the decision the gold flow applies (the fallback embedder: reranker off,
# cosine at correlate.threshold), with its interval resampled by story.
head -1 "$WG_TMP/all" | grep -q "^deployed (cosine >= correlate.threshold, reranker off) 0.15: precision" \
    || fail "first line is not the deployed decision: $(head -1 "$WG_TMP/all")"
sed -n 2p "$WG_TMP/all" | grep -q "resamples of the 6 stories" || fail "interval not by story: $(sed -n 2p "$WG_TMP/all")"
# The deployed line is the configured-threshold figure of the cosine section.
dep=$(head -1 "$WG_TMP/all" | sed 's/^deployed ([^)]*) //')
grep -q "^  configured threshold $dep\$" "$WG_TMP/all" || fail "deployed differs from cosine at correlate.threshold"
# The reranker forced on: the first line is its decision at correlate.rerank.threshold.
wg --set correlate.rerank=true --set correlate.rerank.threshold=0.5 eval "$WG_TMP/story.tsv" >"$WG_TMP/on"
head -1 "$WG_TMP/on" | grep -q "^deployed (reranker: match score >= correlate.rerank.threshold) 0.50: precision" \
    || fail "reranker on: first line $(head -1 "$WG_TMP/on")"
dep=$(head -1 "$WG_TMP/on" | sed 's/^deployed ([^)]*) //')
grep -q "^  configured threshold $dep\$" "$WG_TMP/on" || fail "deployed differs from the reranked section"

# Bad input: a named line and exit 1; bad usage exit 2.
printf 'x\t1252027997\tAmit Shah\tmaybe\tperson\t\n' >"$WG_TMP/bad.tsv"
if wg eval "$WG_TMP/bad.tsv" 2>"$WG_TMP/err"; then fail "label 'maybe' accepted"; fi
grep -q "bad.tsv:1: related must be 0 or 1 (or ?)" "$WG_TMP/err" || fail "error: $(cat "$WG_TMP/err")"
printf 'x\tnot-an-id\tAmit Shah\t1\tperson\t\n' >"$WG_TMP/bad2.tsv"
if wg eval "$WG_TMP/bad2.tsv" 2>"$WG_TMP/err"; then fail "story line without an EventID accepted"; fi
grep -q "bad2.tsv:1: the story form needs a story id and an EventID" "$WG_TMP/err" || fail "error: $(cat "$WG_TMP/err")"
printf '1252027997\tAmit Shah\t1\n' >"$WG_TMP/plain.tsv"
if wg eval --part dev "$WG_TMP/plain.tsv" 2>"$WG_TMP/err"; then fail "--part on the 3-column form accepted"; fi
grep -q "plain.tsv:1: --part needs the story form" "$WG_TMP/err" || fail "error: $(cat "$WG_TMP/err")"
rc=0; wg eval --part middle "$WG_TMP/story.tsv" 2>"$WG_TMP/err" || rc=$?
assert_eq "$rc" "2" "--part middle is bad usage"
rc=0; wg eval --help >"$WG_TMP/help" || rc=$?
assert_eq "$rc" "0" "--help exits 0"
grep -q "^usage: wikigdelt eval" "$WG_TMP/help" || fail "--help prints the usage"
rc=0; wg eval --scores 2>"$WG_TMP/err" || rc=$?
assert_eq "$rc" "2" "--scores without a value"
echo ok
