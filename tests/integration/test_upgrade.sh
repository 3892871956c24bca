# Upgrades: a lakehouse made by an older release (each committed schema dump in tests/data/
# schema-*.sql, with a few rows in that release's tables) opens in this one: pending migrations
# apply, the old rows flow on (refine, check), and the migration list ends where this binary's
# does. A lakehouse of a newer release (a migration or a component this binary does not know)
# is refused with a clear error naming the file, and left unchanged.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
fresh="$WG_TMP/fresh"
"$WG_BIN" --home "$fresh" sql "SELECT 1" >/dev/null
# Every table, column, index, view and trigger, the catalog and the seeded rows, in a stable order
# (times left out): a migrated lakehouse must read the same as a new one, whichever component
# created a table (the bronze tables moved from the refine components to the sources').
schema_of() { python3 - "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for r in con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"):
    print("|".join(map(str, r)))
for t in ("catalog_tables", "catalog_columns", "govern_groups", "govern_grants", "govern_masks", "gdelt_fips_countries"):
    for r in con.execute("SELECT * FROM %s ORDER BY 1, 2" % t):
        print(t + "|" + "|".join(str(x) for x in r if not (isinstance(x, str) and x[:2] == "20" and x[4:5] == "-")))
PY
}
schema_of "$fresh/wikigdelt.db" > "$WG_TMP/schema.fresh"
[ "$(grep -c '^table|' "$WG_TMP/schema.fresh")" -ge 20 ] || fail "the schema listing of a new lakehouse is short"
migrations() { python3 -c 'import sqlite3,sys; print(";".join("%s/%s" % r for r in sqlite3.connect(sys.argv[1]).execute("SELECT component, version FROM schema_migrations ORDER BY 1, 2")))' "$1"; }
current=$(migrations "$fresh/wikigdelt.db")
n=0
for dump in "$root"/tests/data/schema-*.sql; do
    n=$((n + 1))
    rel=$(basename "$dump" .sql); rel=${rel#schema-}
    home="$WG_TMP/old-$rel"
    mkdir -p "$home"
    # the old release's lakehouse, with one GDELT file in bronze as that release wrote it
    python3 - "$home/wikigdelt.db" "$dump" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript(open(sys.argv[2]).read())
row = "\t".join(["1181281000", "20240715", "202407", "2024", "2024.5342"] +
                ["USA", "UNITED STATES", "USA"] + [""] * 7 + [""] * 10 +              # actors
                ["1", "010", "010", "01", "1", "0.0", "2", "1", "2", "-1.5"] +       # event
                [""] * 16 +                                                            # actor geos
                ["1", "Washington, District of Columbia, United States", "US", "USDC", "", "38.8951", "-77.0364", "531871"] +
                ["20240715000000", "https://example.org/a"])
assert row.count("\t") == 60
con.execute("INSERT INTO gdelt_ledger(file_id, name, source, mode, size, md5, rows, status, attempts, first_seen, updated_at)"
            " VALUES (1, '20240715000000.export.CSV.zip', 'fixture', 'file', 1, 'x', 1, 'ingested', 1, '2024-07-15 00:00:00', '2024-07-15 00:00:00')")
con.execute("INSERT INTO gdelt_bronze(bronze_id, file_id, source_file, line_number, ingested_at, raw_line)"
            " VALUES (1, 1, '20240715000000.export.CSV.zip', 1, '2024-07-15 00:00:00', ?)", (row,))
con.commit()
PY
    old=$(migrations "$home/wikigdelt.db")
    "$WG_BIN" --home "$home" refine gdelt >/dev/null 2>"$WG_TMP/err" || fail "$rel: refine on the old lakehouse: $(cat "$WG_TMP/err")"
    assert_eq "$(migrations "$home/wikigdelt.db")" "$current" "$rel: migrated to this release's list"
    schema_of "$home/wikigdelt.db" > "$WG_TMP/schema.$rel"
    diff "$WG_TMP/schema.fresh" "$WG_TMP/schema.$rel" >&2 || fail "$rel: the migrated schema or catalog differs from a new lakehouse's (diff above)"
    assert_eq "$("$WG_BIN" --home "$home" sql --format csv "SELECT GLOBALEVENTID || ' ' || event_time FROM gdelt_silver" | sed -n 2p)" \
              "1181281000 2024-07-15 00:00:00" "$rel: the old bronze row refined"
    "$WG_BIN" --home "$home" check >"$WG_TMP/check" || fail "$rel: check after the upgrade: $(grep FAIL "$WG_TMP/check")"
    echo "$rel -> this release: $(echo "$old" | tr ';' '\n' | wc -l) migrations before, $(echo "$current" | tr ';' '\n' | wc -l) after"
done
[ $n -ge 1 ] || fail "no schema dump in tests/data"

# a newer release's lakehouse: one more migration of a known component, or an unknown component
for newer in "core', 999" "assistant_v9', 1"; do
    home="$WG_TMP/newer"
    rm -rf "$home"; cp -r "$fresh" "$home"
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO schema_migrations VALUES ('$newer, 'from the future', '2030-01-01 00:00:00')\"); c.commit()" "$home/wikigdelt.db"
    sum=$(sha256sum < "$home/wikigdelt.db")
    for cmd in "status" "refine" "check" "ingest gdelt --file /nonexistent.zip"; do
        if "$WG_BIN" --home "$home" $cmd >/dev/null 2>"$WG_TMP/err"; then fail "newer lakehouse accepted by '$cmd'"; fi
        grep -q "$home/wikigdelt.db: written by a newer wikigdelt" "$WG_TMP/err" || fail "'$cmd' on a newer lakehouse: $(cat "$WG_TMP/err")"
    done
    assert_eq "$(sha256sum < "$home/wikigdelt.db")" "$sum" "the newer lakehouse is left unchanged"
    echo "newer ($newer): $(cat "$WG_TMP/err")"
done
echo ok
