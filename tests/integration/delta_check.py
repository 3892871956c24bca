"""Reads wikigdelt's Delta export back with real engines and compares it with the lakehouse.

    delta_check.py DB DELTA_DIR TABLE... [--spark] [--commits TABLE=N]...

For every TABLE exported under DELTA_DIR/TABLE it checks that
  - delta-rs (deltalake) reads the table (through its checkpoint when there is one) and gets
    exactly the rows the lakehouse holds for it: every column, the same types, no duplicate key;
  - pyarrow reads every data file on its own, with the typed schema, and their rows add up;
  - DuckDB reads the Parquet files with hive partitioning and counts the same rows per date;
  - the table history (delta-rs) has one commit per export batch, each carrying its source mark;
  - with --spark, Apache Spark (delta-spark, local mode) reads it with the same rows and types, and
    the report's heatmap and correlation-matrix queries give the same answers on Spark as here.
Prints one line per check; exits 1 at the first difference.
"""
import datetime, glob, json, math, os, sqlite3, sys

import deltalake
import duckdb
import pyarrow.parquet as pq

UTC = datetime.timezone.utc
KEYS = {"gdelt_silver": "silver_id", "wikimedia_silver": "silver_id",
        "gold_events": "gdelt_silver_id", "correlated_gold_events": "id"}
# What the export holds of each table: silver whole, gold per closed event.
SUBSET = {
    "gdelt_silver": "SELECT * FROM gdelt_silver",
    "wikimedia_silver": "SELECT * FROM wikimedia_silver",
    "gold_events": "SELECT * FROM gold_events WHERE closed_at IS NOT NULL",
    "correlated_gold_events": "SELECT c.* FROM correlated_gold_events c JOIN gold_events e"
                              " USING (gdelt_silver_id) WHERE e.closed_at IS NOT NULL",
}


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ts(text):
    return datetime.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def lakehouse_rows(db, table, fields):
    cur = db.execute(SUBSET[table])
    names = [d[0] for d in cur.description]
    out = {}
    for r in cur:
        row = dict(zip(names, r))
        vals = []
        for f in fields:
            name, typ = f["name"], f["type"]
            if name == "event_date":
                v = row["event_time"]
                vals.append(ts(v).date() if v else None)
                continue
            v = row[name]
            if v is not None and typ == "timestamp":
                v = ts(v)
            elif v is not None and typ == "double":
                v = float(v)
            vals.append(v)
        out[row[KEYS[table]]] = tuple(vals)
    return out


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def compare(what, table, want, got, fields):
    if len(got) != len(want):
        die(f"{what} {table}: {len(got)} rows, the lakehouse has {len(want)}")
    for key, row in want.items():
        g = got.get(key)
        if g is None:
            die(f"{what} {table}: key {key} missing")
        for f, a, b in zip(fields, row, g):
            if not same(a, b):
                die(f"{what} {table}: key {key} column {f['name']}: lakehouse {a!r}, {what} {b!r}")


def check_table(db, root, table, commits):
    path = os.path.join(root, table)
    dt = deltalake.DeltaTable(path)
    fields = json.loads(dt.schema().to_json())["fields"]
    names = [f["name"] for f in fields]
    key = KEYS[table]
    want = lakehouse_rows(db, table, fields)
    # delta-rs
    t = dt.to_pyarrow_table()
    cols = {n: t.column(n).to_pylist() for n in names}
    got = {}
    for i in range(t.num_rows):
        row = tuple(cols[n][i] for n in names)
        k = cols[key][i]
        if k in got:
            die(f"delta-rs {table}: key {k} twice")
        got[k] = row
    compare("delta-rs", table, want, got, fields)
    print(f"ok delta-rs {table}: {t.num_rows} rows, {len(names)} columns equal the lakehouse (version {dt.version()})")
    # pyarrow, file by file
    files = []
    for f in (dt.file_uris() if hasattr(dt, "file_uris") else dt.files()):
        f = f.replace("file://", "")
        files.append(f if f.startswith("/") else os.path.join(path, f))
    total = 0
    for f in files:
        pf = pq.ParquetFile(f)
        total += pf.metadata.num_rows
        pf.read()
    if total != len(want):
        die(f"pyarrow {table}: files hold {total} rows, want {len(want)}")
    print(f"ok pyarrow {table}: {len(files)} files, {total} rows")
    # DuckDB, per date, over the committed files (a stopped batch may have left others behind)
    rows = duckdb.sql(f"SELECT CAST(event_date AS VARCHAR), COUNT(*) FROM read_parquet({files!r},"
                      " hive_partitioning = true) GROUP BY 1 ORDER BY 1 NULLS FIRST").fetchall()
    want_dates = {}
    for r in want.values():
        d = r[names.index("event_date")]
        want_dates[str(d) if d else None] = want_dates.get(str(d) if d else None, 0) + 1
    got_dates = {(None if d in (None, "__HIVE_DEFAULT_PARTITION__") else d): n for d, n in rows}
    if got_dates != want_dates:
        die(f"duckdb {table}: rows per date {got_dates}, want {want_dates}")
    print(f"ok duckdb {table}: rows per date {sorted(got_dates.items(), key=str)}")
    # history: contiguous versions, every commit with its mark
    hist = sorted(dt.history(), key=lambda h: h["version"])
    if [h["version"] for h in hist] != list(range(len(hist))):
        die(f"history {table}: versions {[h['version'] for h in hist]}")
    seqs = [h.get("wikigdelt", {}).get("seq") for h in hist]
    if seqs != list(range(1, len(hist) + 1)):
        die(f"history {table}: batch sequences {seqs}")
    if table in commits and len(hist) != commits[table]:
        die(f"history {table}: {len(hist)} commits, want {commits[table]}")
    print(f"ok history {table}: {len(hist)} commits, marks {[h['wikigdelt']['mark'] for h in hist][-3:]}")
    return fields, want


def spark_check(db, root, tables, checked):
    os.environ["TZ"] = "UTC"
    import time
    time.tzset()
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession
    builder = (SparkSession.builder.master("local[2]").appName("wikigdelt-delta-check")
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.jars.ivySettings", os.path.join(sys.prefix, "ivysettings.xml")))
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    typemap = {"long": "bigint", "double": "double", "string": "string", "timestamp": "timestamp", "date": "date"}
    for table in tables:
        fields, want = checked[table]
        df = spark.read.format("delta").load(os.path.join(root, table))
        df.createOrReplaceTempView(table)
        got_types = dict(df.dtypes)
        for f in fields:
            if got_types.get(f["name"]) != typemap[f["type"]]:
                die(f"spark {table}: column {f['name']} is {got_types.get(f['name'])}, want {typemap[f['type']]}")
        names = [f["name"] for f in fields]
        got = {}
        for r in df.collect():
            vals = []
            for n, f in zip(names, fields):
                v = r[n]
                if v is not None and f["type"] == "timestamp":
                    v = v.replace(tzinfo=UTC)
                vals.append(v)
            got[r[KEYS[table]]] = tuple(vals)
        compare("spark", table, want, got, fields)
        print(f"ok spark {table}: {len(got)} rows, types {sorted(set(got_types.values()))}")
    # The report's heatmap (listing 6) and correlation matrix (listing 8) on Spark and here.
    queries = {
        "heatmap": "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) AS events FROM gold_events GROUP BY 1, 2",
        "correlation matrix": "SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) AS similarity"
                              " FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID"
                              " JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1, 2",
    }
    for name, q in queries.items():
        if name == "heatmap" and "gold_events" not in tables:
            continue
        if name != "heatmap" and not {"correlated_gold_events", "gdelt_silver", "wikimedia_silver"} <= set(tables):
            continue
        here_q = q.replace("FROM gold_events", "FROM (" + SUBSET["gold_events"] + ")").replace(
            "FROM correlated_gold_events c", "FROM (" + SUBSET["correlated_gold_events"] + ") c")
        order = lambda r: tuple((x is None, x if x is not None else 0) for x in r)
        mine = sorted((tuple(r) for r in db.execute(here_q).fetchall()), key=order)
        theirs = sorted((tuple(r) for r in spark.sql(q).collect()), key=order)
        if len(mine) != len(theirs) or any(
                a[:-1] != b[:-1] or not (a[-1] == b[-1] or (isinstance(a[-1], float) and abs(a[-1] - b[-1]) < 1e-9))
                for a, b in zip(mine, theirs)):
            die(f"spark {name}: {len(theirs)} rows differ from the lakehouse's {len(mine)}")
        print(f"ok spark {name}: {len(mine)} rows equal")
    spark.stop()


def main():
    args = sys.argv[1:]
    spark = "--spark" in args
    commits = {}
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--commits":
            t, n = args[i + 1].split("=")
            commits[t] = int(n)
            i += 2
            continue
        if args[i] != "--spark":
            rest.append(args[i])
        i += 1
    dbpath, root, tables = rest[0], rest[1], rest[2:]
    db = sqlite3.connect(f"file:{dbpath}?mode=ro", uri=True)
    checked = {t: check_table(db, root, t, commits) for t in tables}
    if spark:
        spark_check(db, root, tables, checked)


if __name__ == "__main__":
    main()
