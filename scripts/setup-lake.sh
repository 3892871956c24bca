#!/usr/bin/env bash
# Sets up the engines that read wikigdelt's Delta export back, for tests and bench/export_bench.sh:
#   BUILD/venv-lake     Python venv with pyarrow, DuckDB, delta-rs (`deltalake`) and, with --spark,
#                       PySpark with delta-spark (Spark fetches the Delta jars from Maven Central on
#                       first use into HOME/.ivy2; Java 17 or newer must be installed)
# Usage: scripts/setup-lake.sh [BUILD_DIR] [--spark]     (default build). Needs the Python registry.
# Idempotent: a finished setup is recognised by its stamp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build spark=0
for a in "$@"; do
    case "$a" in --spark) spark=1 ;; *) build=$a ;; esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
venv="$build/venv-lake"
# Versions tested together (bump deliberately). delta-spark 4.0 is the newest whose jars Maven
# Central serves here; it reads with Spark 4.0.
pins=(pyarrow==26.0.1 duckdb==2.0.0 deltalake==1.6.6 pytz)
spark_pins=(delta-spark==4.0.0 pyspark==4.0.1)
want="${pins[*]}"
[ $spark -eq 1 ] && want="$want ${spark_pins[*]}"
stamp="$venv/.wikigdelt-lake-ok"
ivy="$venv/ivysettings.xml"
if [ -f "$stamp" ] && grep -qxF "$want" "$stamp"; then exit 0; fi
if [ -f "$stamp" ] && [ $spark -eq 0 ] && grep -qF "${pins[*]}" "$stamp"; then exit 0; fi
command -v python3 >/dev/null || { echo "setup-lake: python3 is missing" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
echo "setup-lake: installing $want into $venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input $want \
    || { echo "setup-lake: pip install failed (is the Python registry reachable?)" >&2; exit 1; }
if [ $spark -eq 1 ]; then
    # Spark resolves the Delta jars with Ivy; its default resolvers include a host this machine may
    # not reach, and every miss costs a DNS timeout. Maven fetches them into HOME/.m2 through its
    # own configuration, and Ivy is pointed at that repository alone.
    command -v mvn >/dev/null || { echo "setup-lake: mvn is missing (apt-get install maven)" >&2; exit 1; }
    command -v java >/dev/null || { echo "setup-lake: java is missing (Java 17 or newer)" >&2; exit 1; }
    mvn -q dependency:get -Dartifact=io.delta:delta-spark_2.13:4.0.0 \
        || { echo "setup-lake: mvn could not fetch delta-spark" >&2; exit 1; }
    cat > "$ivy" <<XML
<ivysettings>
  <settings defaultResolver="m2"/>
  <resolvers>
    <ibiblio name="m2" m2compatible="true" root="file://$HOME/.m2/repository/"/>
  </resolvers>
</ivysettings>
XML
fi
echo "$want" > "$stamp"
