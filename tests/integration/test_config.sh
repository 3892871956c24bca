# Settings: every key is declared in src/core/settings.c. An unknown key or a bad value, from
# --set or from a settings file, stops the command before it does anything (exit 2, the key
# named); malformed --set and --config are usage errors; `config list` shows value, source and
# description; and no call site writes a default of its own (setting_*() takes the table's).
source "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)

# 1. bad settings: exit 2, the key and the reason named, nothing created
for bad in "wiki.batch_event=3|unknown setting 'wiki.batch_event'" \
           "wiki.batch_events=ten|wiki.batch_events = 'ten': not an integer" \
           "wiki.batch_events=0|wiki.batch_events = '0': must be 1.." \
           "correlate.allowed_lateness_seconds=-1|correlate.allowed_lateness_seconds = '-1': must be 0.." \
           "correlate.threshold=1.5|correlate.threshold = '1.5': must be -1..1" \
           "correlate.rerank=maybe|correlate.rerank = 'maybe': not a boolean" \
           "embed.precision=fp64|embed.precision = 'fp64': must be one of" \
           "expect.gdelt_silver.idd=fail|unknown setting 'expect.gdelt_silver.idd'" \
           "expect.gdelt_silver.id=explode|expect.gdelt_silver.id = 'explode'" \
           "pipeline.bucket_seconds=10|pipeline.bucket_seconds = '10': must be 60.."; do
    pair=${bad%%|*} want=${bad#*|}
    expect_exit 2 wg --set "$pair" refine
    grep -qF -- "$want" "$WG_TMP/err" || fail "--set $pair: error should say \"$want\": $(cat "$WG_TMP/err")"
    grep -q "(--set)" "$WG_TMP/err" || fail "--set $pair: error should say where the value came from"
done
[ ! -e "$WG_TMP/home/wikigdelt.db" ] || fail "a command with a bad setting created the store"

# 2. malformed --set and --config
expect_exit 2 wg --set noequals status;            grep -q "'noequals': expected key = value" "$WG_TMP/err" || fail "--set without =: $(cat "$WG_TMP/err")"
expect_exit 2 wg --set "=5" status;                grep -q "empty key" "$WG_TMP/err" || fail "--set =5: $(cat "$WG_TMP/err")"
expect_exit 2 wg --set;                            grep -q -- "--set needs a value" "$WG_TMP/err" || fail "--set alone: $(cat "$WG_TMP/err")"
expect_exit 2 wg --config "$WG_TMP/nope.conf" status; grep -q "cannot open config file $WG_TMP/nope.conf" "$WG_TMP/err" || fail "missing --config: $(cat "$WG_TMP/err")"
printf '# comment\n\nwiki.batch_events = 10\nthis line has no equals\n' > "$WG_TMP/bad1.conf"
expect_exit 2 wg --config "$WG_TMP/bad1.conf" status; grep -q "bad1.conf:4: expected key = value" "$WG_TMP/err" || fail "bad line: $(cat "$WG_TMP/err")"
printf 'wiki.batch_events = 10\nwiki.bacth_ms = 5\n' > "$WG_TMP/bad2.conf"
expect_exit 2 wg --config "$WG_TMP/bad2.conf" status; grep -q "unknown setting 'wiki.bacth_ms' (in $WG_TMP/bad2.conf)" "$WG_TMP/err" || fail "unknown key in file: $(cat "$WG_TMP/err")"
printf 'store.synchronous = sometimes\n' > "$WG_TMP/bad3.conf"
expect_exit 2 wg --config "$WG_TMP/bad3.conf" status; grep -q "store.synchronous = 'sometimes': must be one of normal|full (in $WG_TMP/bad3.conf)" "$WG_TMP/err" || fail "bad value in file: $(cat "$WG_TMP/err")"
# a --set overrides a bad file value: the file's value is never used, but it is still an error
# only if it survives: here --set replaces it, so the command runs
must wg --config "$WG_TMP/bad3.conf" --set store.synchronous=full sql "SELECT 1" >/dev/null

# 3. config list: value, source, description
printf 'wiki.batch_events = 77\ncorrelate.top_k = 3\n' > "$WG_TMP/good.conf"
wg --config "$WG_TMP/good.conf" --set correlate.top_k=4 --set expect.gdelt_silver.id=fail config list > "$WG_TMP/list"
row() { grep -E "^$1 " "$WG_TMP/list" | tr -s ' ' || fail "config list has no row $1"; }
assert_eq "$(row wiki.batch_events)" "wiki.batch_events 77 file events per bronze transaction" "value from the file"
assert_eq "$(row correlate.top_k)" "correlate.top_k 4 --set titles kept per event" "--set over the file"
assert_eq "$(row wiki.batch_ms)" "wiki.batch_ms 1000 default longest wait before a partial batch commits, ms" "default"
assert_eq "$(row 'expect\.gdelt_silver\.id' | cut -d' ' -f1-3)" "expect.gdelt_silver.id fail --set" "expect rule"
n=$(($(wc -l < "$WG_TMP/list") - 1))
[ "$n" -ge 80 ] || fail "config list shows only $n settings"
awk 'NR > 1 && NF < 4 { print; bad = 1 } END { exit bad }' "$WG_TMP/list" || fail "a setting without a description"
expect_exit 2 wg config frobnicate

# 4. every config_get_* / setting_* call in src/ names a declared key; a default is written only
#    in the table: setting_*() reads it from there, and config_get_* is left for the settings
#    whose default the code decides at run time (cores, the embedder, a NULL "unset").
# columns are separated by two or more spaces (a value may hold single spaces: "python3 -m pip")
wg config list | python3 -c 'import re, sys
for l in list(sys.stdin)[1:]:
    f = re.split(r"\s{2,}", l.rstrip("\n"))
    print(f[0] + "\t" + f[1])' > "$WG_TMP/table"
python3 - "$repo/src" "$WG_TMP/table" <<'PY' || fail "config_get_* calls disagree with the settings table"
import re, sys, pathlib
src, table = pathlib.Path(sys.argv[1]), dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]))
call = re.compile(r'(config_get_(int|double|bool|str)|opt_int)\(\s*[\w>\-]+,\s*"([a-z0-9_.]+)",\s*((?:[^()]|\([^()]*\))*)\)')
consts = {}
for h in src.rglob("*.[ch]"):
    for m in re.finditer(r'#define\s+(\w+)\s+("[^"]*"|[-0-9.]+)\s*$', h.read_text(), re.M):
        consts[m.group(1)] = m.group(2)
def value(expr, kind):
    expr = expr.strip()
    expr = re.sub(r'^\((int64_t|long|int|size_t)\)', '', expr).strip()
    expr = consts.get(expr, expr)
    if expr.startswith('"'): return expr.strip('"')
    if expr == "NULL": return None
    if re.fullmatch(r'[0-9 <()*+.-]+', expr): return eval(expr)
    return "?"   # computed at run time (cores, another setting): not comparable
bad, n = [], 0
for f in sorted(src.rglob("*.c")):
    if f.name in ("config.c", "settings.c"): continue
    for m in call.finditer(f.read_text()):
        kind, key, d = m.group(2) or "int", m.group(3), value(m.group(4), m.group(2))
        n += 1
        if key not in table:
            bad.append(f"{f.relative_to(src)}: {key} is not in the settings table"); continue
        t = table[key]
        if d == "?" or d is None: continue
        # a literal default written at the call site is a second declaration of the table's
        bad.append(f"{f.relative_to(src)}: {key} read with its default {d!r} written again: use setting_{kind}()")
for f in sorted(src.rglob("*.c")):
    for m in re.finditer(r'setting_(int|double|bool|str)\(\s*[\w>\-]+,\s*"([a-z0-9_.]+)"\)', f.read_text()):
        n += 1
        if table.get(m.group(2), "(auto)") == "(auto)":
            bad.append(f"{f.relative_to(src)}: setting_{m.group(1)}({m.group(2)}) needs a default in the table")
print(f"{n} config_get_* / setting_* calls checked against the table")
if bad: sys.exit("\n".join(bad))
PY
echo ok
