#!/usr/bin/env bash
# Fetches an Apache Kafka broker (KRaft mode, no ZooKeeper) from Maven Central with mvn, for the
# tests that carry the pipeline through a real broker:
#   BUILD/kafka/lib      kafka_2.13 and its runtime dependencies (plus slf4j-simple for logs)
# Usage: scripts/setup-kafka.sh [BUILD_DIR]     (default build). Needs mvn and Java 17 or newer.
# Idempotent: a finished setup is recognised by its stamp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
dir="$build/kafka"
version=4.1.1
stamp="$dir/.wikigdelt-kafka-ok"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && exit 0
command -v mvn >/dev/null || { echo "setup-kafka: mvn is missing (apt-get install maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "setup-kafka: java is missing (Java 17 or newer)" >&2; exit 1; }
mkdir -p "$dir"
cat > "$dir/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>wikigdelt.test</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.16</version></dependency>
  </dependencies>
</project>
XML
rm -rf "$dir/lib"
(cd "$dir" && mvn -q dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime) \
    || { echo "setup-kafka: mvn could not fetch kafka_2.13 $version" >&2; exit 1; }
echo "$version" > "$stamp"
