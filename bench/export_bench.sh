#!/usr/bin/env bash
# Delta export throughput and size, beside pyarrow writing the same rows, in one run:
#   the real silver tables (both GDELT exports via silver_rows.py, the wikiticker day) inflated
#   to volume (fresh ids, times shifted by 15-minute slots for GDELT and by seconds for the edits,
#   so the rows stay on their day as a real day's would: GDELT x EXPORT_GDELT_COPIES, default 40,
#   Wikipedia x EXPORT_WIKI_COPIES, default 25), then per table:
#   - `wikigdelt export delta` (SQLite -> Parquet + Delta log, snappy, dictionary where smaller);
#   - pyarrow: the same rows read from SQLite with Python's sqlite3, the same types, written by
#     pq.write_table (snappy, its default dictionary); timed end to end (SQLite -> file) and for
#     the write alone;
#   - sizes: our Parquet files; pyarrow's, both as one file and partitioned by event_date like
#     ours (write_to_dataset); the table in SQLite (dbstat);
#   - Spark (delta-spark, local[2]) reading the Delta table: count and a full-column aggregate.
# Prints rows/s, MB/s and ratios. Never fails on time.  EXPORT_BENCH_SPARK=0 skips Spark.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" all >/dev/null
bin="$PWD/$BUILD/wikigdelt"
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
spark=${EXPORT_BENCH_SPARK:-1}
if [ "$spark" = 1 ]; then scripts/setup-lake.sh "$BUILD" --spark; else scripts/setup-lake.sh "$BUILD"; fi
py="$PWD/$BUILD/venv-lake/bin/python"
home=$(mktemp -d /tmp/wg-export-bench.XXXXXX)
trap 'rm -rf "$home"' EXIT
db="$home/wikigdelt.db"
"$bin" --home "$home" sql "SELECT 1" >/dev/null
python3 tests/integration/silver_rows.py "$db" "$shared/data" gdelt 20240715000000.export.CSV.zip
python3 tests/integration/silver_rows.py "$db" "$shared/data" gdelt 20250715000000.export.CSV.zip
python3 tests/integration/silver_rows.py "$db" "$shared/data" wiki 2024-07-15 d2024
"$py" - "$db" "${EXPORT_GDELT_COPIES:-40}" "${EXPORT_WIKI_COPIES:-25}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
g, w = int(sys.argv[2]), int(sys.argv[3])
def inflate(table, key, copies, unique_cols, step):
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] != key]
    base = db.execute(f"SELECT MAX({key}) FROM {table}").fetchone()[0]
    for k in range(1, copies):
        sel = []
        for c in cols:
            if c in unique_cols: sel.append(unique_cols[c].format(k=k, base=base))
            elif c == "event_time": sel.append(f"datetime({c}, '+{k * step} seconds')")
            elif c == "time_bucket": sel.append(f"strftime('%Y-%m-%d ', datetime(event_time, '+{k * step} seconds')) || printf('%02d:00:00', (CAST(strftime('%H', datetime(event_time, '+{k * step} seconds')) AS INTEGER) / 4) * 4)")
            else: sel.append(c)
        db.execute(f"INSERT INTO {table} ({','.join(cols)}) SELECT {','.join(sel)} FROM {table} WHERE {key} <= {base}")
    db.commit()
inflate("gdelt_silver", "silver_id", g, {"GLOBALEVENTID": "GLOBALEVENTID + {k} * 10000000000"}, 900 // max(1, g // 40))
inflate("wikimedia_silver", "silver_id", w, {"event_id": "event_id || '-c{k}'"}, 1)
for t in ("gdelt_silver", "wikimedia_silver"):
    print(f"{t}: {db.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]} rows")
PY
for t in gdelt_silver wikimedia_silver; do
    echo "=== $t"
    start=$(date +%s.%N)
    "$bin" --home "$home" --set export.delta.batch_rows=100000000 export delta --table "$t" --to "$home/delta" >/dev/null
    end=$(date +%s.%N)
    "$py" - "$db" "$home/delta/$t" "$t" "$(echo "$end - $start" | bc)" "$spark" <<'PY'
import datetime, glob, os, sqlite3, sys, time
import pyarrow as pa, pyarrow.parquet as pq
dbp, path, table, ours_s, spark = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] == "1"
db = sqlite3.connect(dbp)
ours = sum(os.path.getsize(f) for f in glob.glob(f"{path}/*/*.parquet"))
try:
    sqlite_bytes = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = ?", (table,)).fetchone()[0]
except sqlite3.OperationalError:
    sqlite_bytes = None
# pyarrow: the same rows and types from SQLite, end to end, then the write alone.
info = [(r[1], r[2].upper()) for r in db.execute(f"PRAGMA table_info({table})")]
def is_time(n): return n == "time_bucket" or n.endswith("_time") or n.endswith("_at") or n.endswith("_time_bucket")
fields = []
for n, t in info:
    if t.startswith("INT"): fields.append(pa.field(n, pa.int64()))
    elif t in ("REAL", "DOUBLE"): fields.append(pa.field(n, pa.float64()))
    elif t == "TEXT" and is_time(n): fields.append(pa.field(n, pa.timestamp("us", tz="UTC")))
    elif t == "TEXT": fields.append(pa.field(n, pa.string()))
schema = pa.schema(fields)
names = [f.name for f in fields]
t0 = time.perf_counter()
rows = db.execute(f"SELECT {','.join(names)} FROM {table}").fetchall()
colsv = list(zip(*rows))
arrays = []
utc = datetime.timezone.utc
for f, vals in zip(fields, colsv):
    if pa.types.is_timestamp(f.type):
        vals = [datetime.datetime.strptime(v[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=utc) if v else None for v in vals]
    arrays.append(pa.array(vals, type=f.type))
tbl = pa.Table.from_arrays(arrays, schema=schema)
t1 = time.perf_counter()
out = os.path.join(os.path.dirname(path), table + ".pyarrow.parquet")
pq.write_table(tbl, out)
t2 = time.perf_counter()
pa_size = os.path.getsize(out)
# the same partitioning as ours: one folder per event_date
dates = pa.array([v.date() if v else None for v in tbl.column("event_time").to_pylist()], type=pa.date32())
ds_dir = os.path.join(os.path.dirname(path), table + ".pyarrow-dataset")
t3 = time.perf_counter()
pq.write_to_dataset(tbl.append_column("event_date", dates), ds_dir, partition_cols=["event_date"])
t4 = time.perf_counter()
pa_part = sum(os.path.getsize(f) for f in glob.glob(f"{ds_dir}/*/*.parquet"))
n = tbl.num_rows
mb = ours / 1e6
print(f"rows {n}, columns {len(names)}")
print(f"wikigdelt export delta : {ours_s:8.2f} s  {n/ours_s:12,.0f} rows/s  {mb/ours_s:7.1f} MB/s  (SQLite -> Parquet + Delta log)")
print(f"pyarrow end to end     : {t2-t0:8.2f} s  {n/(t2-t0):12,.0f} rows/s  (sqlite3 -> Arrow -> write_table)")
print(f"pyarrow write alone    : {t2-t1:8.2f} s  {n/(t2-t1):12,.0f} rows/s")
print(f"ratio rows/s  ours / pyarrow end to end {(t2-t0)/ours_s:5.2f}x, ours / pyarrow write alone {(t2-t1)/ours_s:5.2f}x")
print(f"pyarrow partitioned    : {t4-t3:8.2f} s  {n/(t4-t3):12,.0f} rows/s  (write_to_dataset by event_date, {len(glob.glob(ds_dir + '/*'))} dates)")
print(f"size: ours {ours/1e6:.2f} MB in {len(glob.glob(path + '/*/*.parquet'))} files; pyarrow partitioned the same {pa_part/1e6:.2f} MB"
      f" (ours/pyarrow {ours/pa_part:.3f}); pyarrow one file {pa_size/1e6:.2f} MB (ours/that {ours/pa_size:.3f})" +
      (f", SQLite table {sqlite_bytes/1e6:.2f} MB" if sqlite_bytes else ""))
if spark:
    os.environ["TZ"] = "UTC"
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession
    b = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.jars.ivySettings", os.path.join(sys.prefix, "ivysettings.xml"))
         .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
         .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"))
    spark_s = configure_spark_with_delta_pip(b).getOrCreate()
    spark_s.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    df = spark_s.read.format("delta").load(path)
    cnt = df.count()
    t1 = time.perf_counter()
    agg = df.selectExpr(*[f"count({c})" for c in names]).collect()
    t2 = time.perf_counter()
    print(f"spark: count {cnt} in {t1-t0:.2f} s (incl. log replay), all-column aggregate in {t2-t1:.2f} s")
    spark_s.stop()
PY
done
