# The command line: every command and sub-command (read from the --help listings, which come
# from the command tables, so a new command without --help fails here) answers --help and -h on
# stdout with exit 0 and a usage line naming it, without touching the store; an unknown option
# is a usage error (exit 2) naming the option; abbreviations and missing values are usage
# errors; and `--opt=value` gives the same result as `--opt value` across commands.
source "$(dirname "$0")/lib.sh"

# --- 1. --help and -h everywhere
commands_of() {   # the names under "commands:" in a help text on stdin
    sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'
}
top=$(wg --help | commands_of)
[ "$(printf '%s\n' "$top" | wc -l)" -ge 20 ] || fail "wikigdelt --help lists too few commands: $top"
printf '%s\n' "$top" | grep -qx sql || fail "wikigdelt --help does not list sql"
paths=()
for c in $top; do
    paths+=("$c")
    expect_exit 0 wg "$c" --help
    for s in $(commands_of < "$WG_TMP/out"); do paths+=("$c $s"); done
done
[ "${#paths[@]}" -ge 35 ] || fail "only ${#paths[@]} commands and sub-commands found: ${paths[*]}"
for path in "${paths[@]}"; do
    read -r -a words <<< "$path"
    for flag in --help -h; do
        expect_exit 0 wg "${words[@]}" "$flag"
        head -n 1 "$WG_TMP/out" | grep -q "^usage: wikigdelt $path\b" ||
            fail "'$path $flag' does not start with 'usage: wikigdelt $path': $(head -n 1 "$WG_TMP/out")"
        [ ! -s "$WG_TMP/err" ] || fail "'$path $flag' wrote to stderr: $(head -n 3 "$WG_TMP/err")"
    done
    grep -q -- "--help" "$WG_TMP/out" || fail "'$path --help' does not list its options"
    # an unknown option is a usage error that names it
    expect_exit 2 wg "${words[@]}" --no-such-option
    grep -q -- "--no-such-option" "$WG_TMP/err" || fail "'$path --no-such-option': the error does not name it: $(cat "$WG_TMP/err")"
done
echo "help: ${#paths[@]} commands and sub-commands"
[ ! -e "$WG_TMP/home/wikigdelt.db" ] || fail "--help or a usage error created the store"
wg --help | grep -q -- "--set KEY=VALUE" || fail "the global help lists no --set"
expect_exit 0 wg sql --help
grep -q -- "--format table|csv|json" "$WG_TMP/out" || fail "sql --help lists no --format: $(cat "$WG_TMP/out")"

# --- 2. usage errors: unknown, abbreviated, missing value, value on a flag, stray argument
expect_exit 2 wg --bogus status;           grep -q "unknown option --bogus" "$WG_TMP/err" || fail "global unknown option: $(cat "$WG_TMP/err")"
expect_exit 2 wg sql --form csv "SELECT 1"; grep -q "unknown option --form" "$WG_TMP/err" || fail "abbreviation accepted: $(cat "$WG_TMP/err")"
expect_exit 2 wg --hom "$WG_TMP/x" status; grep -q "unknown option --hom" "$WG_TMP/err" || fail "global abbreviation accepted: $(cat "$WG_TMP/err")"
expect_exit 2 wg sql "SELECT 1" --format;  grep -q -- "--format needs a value" "$WG_TMP/err" || fail "missing value: $(cat "$WG_TMP/err")"
expect_exit 2 wg --home;                   grep -q -- "--home needs a value" "$WG_TMP/err" || fail "global missing value: $(cat "$WG_TMP/err")"
expect_exit 2 wg correlate --drain=yes;    grep -q -- "--drain takes no value" "$WG_TMP/err" || fail "value on a flag: $(cat "$WG_TMP/err")"
expect_exit 2 wg ask -x "question";        grep -q "unknown option -x" "$WG_TMP/err" || fail "unknown short option: $(cat "$WG_TMP/err")"
expect_exit 2 wg check extra;              grep -q "unexpected argument 'extra'" "$WG_TMP/err" || fail "stray argument: $(cat "$WG_TMP/err")"
expect_exit 2 wg ingest nosuch;            grep -q "unknown command 'nosuch'" "$WG_TMP/err" || fail "unknown sub-command: $(cat "$WG_TMP/err")"
expect_exit 2 wg status --watch=0.01;      grep -q -- "--watch takes seconds" "$WG_TMP/err" || fail "--watch=S is checked: $(cat "$WG_TMP/err")"
expect_exit 2 wg ingest gdelt --backfill 20240715; grep -q -- "--backfill needs FROM and TO" "$WG_TMP/err" || fail "--backfill FROM alone: $(cat "$WG_TMP/err")"
[ ! -e "$WG_TMP/home/wikigdelt.db" ] || fail "a usage error created the store"

# --- 3. --opt=value and --opt value give the same result
sql='SELECT 1 AS a, '"'"'x,y'"'"' AS b'
csv1=$(wg sql --format=csv "$sql"); csv2=$(wg sql --format csv "$sql"); csv3=$(wg sql "$sql" --format=csv)
assert_eq "$csv1" "$csv2" "sql --format=csv vs --format csv"
assert_eq "$csv3" "$csv2" "options after the query"
assert_eq "$csv1" "$(printf 'a,b\n1,"x,y"')" "sql --format=csv output"
[ "$(wg sql --format=table "$sql")" != "$csv1" ] || fail "--format=table printed CSV: the value was ignored"
assert_eq "$(wg sql --format=json "SELECT 2 AS n")" "$(wg sql --format json "SELECT 2 AS n")" "sql --format=json"
# a query that starts with a dash is an argument, not an option
assert_eq "$(wg sql --format csv -- "-- a comment
SELECT 3 AS n" | sed -n 2p)" "3" "sql -- QUERY"
assert_eq "$("$WG_BIN" --home="$WG_TMP/h2" sql --format=csv "SELECT 4 AS n" | sed -n 2p)" "4" "--home=DIR"
[ -e "$WG_TMP/h2/wikigdelt.db" ] || fail "--home=DIR did not use DIR"
row() { grep -E "^$1 " | tr -s ' ' | cut -d' ' -f1-3; }
assert_eq "$(wg --set=correlate.top_k=7 config list | row correlate.top_k)" "correlate.top_k 7 --set" "--set=KEY=VALUE"
assert_eq "$(wg --set correlate.top_k=7 config list | row correlate.top_k)" "correlate.top_k 7 --set" "--set KEY=VALUE"
printf 'correlate.top_k = 9\n' > "$WG_TMP/c.conf"
assert_eq "$(wg --config="$WG_TMP/c.conf" config list | row correlate.top_k)" "correlate.top_k 9 file" "--config=FILE"
assert_eq "$(wg --config="$WG_TMP/c.conf" --set=correlate.top_k=8 config list | row correlate.top_k)" "correlate.top_k 8 --set" "--set over --config="
expect_exit 0 wg status --format=json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WG_TMP/out" || fail "status --format=json is not JSON"
status_json=$(cat "$WG_TMP/out")
wg status --format json > "$WG_TMP/out2"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a.keys() != b.keys())' "$WG_TMP/out" "$WG_TMP/out2" ||
    fail "status --format=json and --format json differ in shape"
[ -n "$status_json" ]

need_shared
rec="$WG_SHARED/data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson"
gz="$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip"
"$WG_BIN" --home="$WG_TMP/w1" ingest wiki --file="$rec" --max-events=25 > "$WG_TMP/w1.out"
"$WG_BIN" --home "$WG_TMP/w2" ingest wiki --file "$rec" --max-events 25 > "$WG_TMP/w2.out"
assert_eq "$(cat "$WG_TMP/w1.out")" "$(cat "$WG_TMP/w2.out")" "ingest wiki --file=/--max-events= vs spaced"
assert_eq "$(qh "$WG_TMP/w1" "SELECT COUNT(*) FROM wikimedia_bronze")" "25" "--max-events=25 stopped at 25"
assert_eq "$(qh "$WG_TMP/w2" "SELECT COUNT(*) FROM wikimedia_bronze")" "25" "--max-events 25 stopped at 25"
"$WG_BIN" --home="$WG_TMP/g1" ingest gdelt --file="$gz" --refine > "$WG_TMP/g1.out"
"$WG_BIN" --home "$WG_TMP/g2" ingest gdelt --file "$gz" --refine > "$WG_TMP/g2.out"
assert_eq "$(cat "$WG_TMP/g1.out")" "$(cat "$WG_TMP/g2.out")" "ingest gdelt --file=PATH vs --file PATH"
assert_eq "$(qh "$WG_TMP/g1" "SELECT COUNT(*) FROM gdelt_bronze")" "1766" "ingest gdelt --file=PATH rows"
assert_eq "$(qh "$WG_TMP/g1" "SELECT COUNT(*) FROM gdelt_silver")" \
          "$(qh "$WG_TMP/g2" "SELECT COUNT(*) FROM gdelt_silver")" "--refine after --file= and --file"
d1=$("$WG_BIN" --home "$WG_TMP/g1" describe --extended gdelt_silver)
assert_eq "$d1" "$("$WG_BIN" --home="$WG_TMP/g1" describe gdelt_silver --extended)" "describe: option after the table"
echo "$d1" | grep -q "Detailed Table Information" || fail "describe --extended printed no detail"
echo ok
