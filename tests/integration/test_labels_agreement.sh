# The second, blind reading of the labelled pairs (tests/data/labels_reading2.tsv) covers every
# pair of both label files in their order, and tools/labels/agreement.py computes its figures
# right: checked on a small hand-made case whose confusion, kappa and F1 are worked out below,
# and it refuses a reading that no longer matches its label file. Needs no ../shared.
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
tool="$here/../../tools/labels/agreement.py"

# The committed files: aligned, all 821 pairs, and the consensus files hold the agreed pairs.
python3 "$tool" "$data/labels_eventids.tsv" "$data/labels_test_eventids.tsv" \
    "$data/labels_reading2.tsv" --consensus "$WG_TMP/cons" >"$WG_TMP/out" || fail "agreement.py refused the committed files: $(tail -1 "$WG_TMP/out")"
grep -q "^both: 821 pairs, reading 1 related 148" "$WG_TMP/out" || fail "expected 821 pairs: $(grep '^both' "$WG_TMP/out")"
dev_agreed=$(grep -vc '^#' "$WG_TMP/cons_dev.tsv")
test_agreed=$(grep -vc '^#' "$WG_TMP/cons_test.tsv")
grep -q "wrote $WG_TMP/cons_dev.tsv: $dev_agreed pairs" "$WG_TMP/out" || fail "consensus dev count"
grep -q "wrote $WG_TMP/cons_test.tsv: $test_agreed pairs" "$WG_TMP/out" || fail "consensus test count"
# Every consensus pair is a labelled pair with its reading-1 label.
for s in dev test; do
    src="$data/labels_eventids.tsv"
    if [ $s = test ]; then src="$data/labels_test_eventids.tsv"; fi
    missing=$(grep -v '^#' "$WG_TMP/cons_$s.tsv" | { grep -vxF -f <(grep -v '^#' "$src") || true; } | wc -l)
    assert_eq "$missing" "0" "consensus $s pairs are labelled pairs with their labels"
done

# A worked case. Reading 1: 4 related (a b c d), 6 unrelated (e..j). Reading 2: a b c -> 1,
# d -> ?, e -> 1, f..j -> 0. Decided by both: 9 (a b c e f g h i j), agreeing 8 -> po 8/9.
# pa (reading 1 related among the 9) 3/9, pb (reading 2 related) 4/9,
# pe = 3/9*4/9 + 6/9*5/9 = 42/81, kappa = (8/9 - 42/81) / (1 - 42/81) = 30/39 = 0.769.
# ? dropped: tp 3 fp 1 fn 0 -> P 0.750 R 1.000 F1 0.857; ? as 0: fn 1 -> R 0.750 F1 0.750.
mk() { printf '# EventID\ttitle\trelated\n'; printf '%s\n' "$@"; }
mk "1	a	1" "2	b	1" "3	c	1" "4	d	1" "5	e	0" "6	f	0" "7	g	0" "8	h	0" "9	i	0" "10	j	0" >"$WG_TMP/d.tsv"
mk "11	k	1" >"$WG_TMP/t.tsv"
{
    printf '# set\tEventID\ttitle\tlabel\tnote\n'
    printf 'dev\t%s\n' "1	a	1	x" "2	b	1	x" "3	c	1	x" "4	d	?	x" "5	e	1	x" \
        "6	f	0	" "7	g	0	" "8	h	0	" "9	i	0	" "10	j	0	"
    printf 'test\t11\tk\t1\tx\n'
} >"$WG_TMP/r.tsv"
python3 "$tool" "$WG_TMP/d.tsv" "$WG_TMP/t.tsv" "$WG_TMP/r.tsv" >"$WG_TMP/worked" || fail "worked case refused"
sed -n '1,/^held-out/p' "$WG_TMP/worked" >"$WG_TMP/worked_dev"
grep -q "decided by both: 9; observed agreement 0.889; Cohen's kappa 0.769" "$WG_TMP/worked_dev" || fail "kappa: $(grep kappa "$WG_TMP/worked_dev")"
grep -q "? dropped: precision 0.750, recall 1.000, F1 0.857" "$WG_TMP/worked_dev" || fail "F1 with ? dropped: $(cat "$WG_TMP/worked_dev")"
grep -q "? as 0   : precision 0.750, recall 0.750, F1 0.750" "$WG_TMP/worked_dev" || fail "F1 with ? as 0"

# A reading that no longer matches its label file is refused, naming the pair.
sed 's/^dev\t3\tc/dev\t3\tz/' "$WG_TMP/r.tsv" >"$WG_TMP/r_bad.tsv"
if python3 "$tool" "$WG_TMP/d.tsv" "$WG_TMP/t.tsv" "$WG_TMP/r_bad.tsv" >"$WG_TMP/bad" 2>&1; then fail "a misaligned reading was accepted"; fi
grep -q "'dev' pair 3 is 3/z, the label file's is 3/c" "$WG_TMP/bad" || fail "misalignment error: $(cat "$WG_TMP/bad")"
head -n -1 "$WG_TMP/r.tsv" >"$WG_TMP/r_short.tsv"
if python3 "$tool" "$WG_TMP/d.tsv" "$WG_TMP/t.tsv" "$WG_TMP/r_short.tsv" >"$WG_TMP/bad" 2>&1; then fail "a reading missing a pair was accepted"; fi
grep -q "0 'test' pairs, but the test label file has 1" "$WG_TMP/bad" || fail "count error: $(cat "$WG_TMP/bad")"
sed 's/^dev\t6\tf\t0/dev\t6\tf\tmaybe/' "$WG_TMP/r.tsv" >"$WG_TMP/r_ans.tsv"
if python3 "$tool" "$WG_TMP/d.tsv" "$WG_TMP/t.tsv" "$WG_TMP/r_ans.tsv" >"$WG_TMP/bad" 2>&1; then fail "a bad answer was accepted"; fi
grep -q "label 'maybe' is not 1, 0 or ?" "$WG_TMP/bad" || fail "answer error: $(cat "$WG_TMP/bad")"
echo ok
