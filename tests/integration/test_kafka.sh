# Kafka end to end against a real broker (Apache Kafka in KRaft mode, from Maven Central, started
# here on 127.0.0.1): the 2024-07-15 GDELT export (one row per message) and the wikiticker day as
# recentchange events moved to that day (two partitions) are published with kcat, read by
# `ingest kafka` into bronze, refined and correlated, and the gold pairs published by
# `export kafka` to a topic. Exactly once: a consumer killed mid-stream and restarted leaves bronze
# equal, row for row, to an uninterrupted run's; a sink stopped after a Kafka commit (before
# export_state) or before it (an open transaction) and restarted leaves every pair in the topic
# once for a read_committed reader, keyed by its EventID.
source "$(dirname "$0")/lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/scripts/setup-kafka.sh" "$WG_BUILD" || fail "setup-kafka failed"
command -v kcat >/dev/null || fail "kcat is missing (scripts/bootstrap.sh installs kafkacat)"
lib="$WG_BUILD/kafka/lib"
port=$(free_port)
cport=$(free_port)
kdir="$WG_TMP/kafka"
mkdir -p "$kdir"
cat > "$kdir/server.properties" <<EOF2
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$kdir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=2
EOF2
java -cp "$lib/*" kafka.tools.StorageTool format -t "$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
    -c "$kdir/server.properties" >"$kdir/format.log" 2>&1 || { cat "$kdir/format.log"; fail "kafka storage format"; }
bg java -Xmx512m -cp "$lib/*" kafka.Kafka "$kdir/server.properties" >"$kdir/broker.log" 2>&1
broker="127.0.0.1:$port"
for i in $(seq 1 120); do kcat -b "$broker" -L >/dev/null 2>&1 && break; sleep 1; done
kcat -b "$broker" -L >/dev/null 2>&1 || { tail -20 "$kdir/broker.log"; fail "the broker did not start"; }

# Topics are created on first use with two partitions each: GDELT rows spread at random,
# recentchange events by key.
unzip -p "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" | tr -d '\r' | kcat -b "$broker" -t gdelt -P
python3 "$here/kafka_feed.py" "$WG_SHARED/data" 2024-07-15 k | awk '{print NR "\t" $0}' | kcat -b "$broker" -t rc -P -K '\t'
gdelt_rows=$(unzip -p "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" | wc -l)
events=39244

# The reference: an uninterrupted run.
kafka_home() { "$WG_BIN" --home "$WG_TMP/$1" "${@:2}"; }
kafka_home ref ingest kafka --brokers "$broker" --topic gdelt --format gdelt --once | tee "$WG_TMP/ref1"
kafka_home ref ingest kafka --brokers "$broker" --topic rc --format wiki --once | tee "$WG_TMP/ref2"
grep -q "2 partitions" "$WG_TMP/ref2" || fail "the wiki topic should have two partitions"
grep -q "2 partitions" "$WG_TMP/ref1" || fail "the GDELT topic should have two partitions"
assert_eq "$(kafka_home ref sql --format csv "SELECT COUNT(*) FROM gdelt_bronze" | sed -n 2p)" "$gdelt_rows" "GDELT rows in bronze"
assert_eq "$(kafka_home ref sql --format csv "SELECT COUNT(*) FROM wikimedia_bronze" | sed -n 2p)" "$events" "events in bronze"
# Nothing new: nothing read.
kafka_home ref ingest kafka --brokers "$broker" --topic rc --format wiki --once | grep -q ": 0 messages" || fail "a second run read messages again"

# Kill a consumer mid-stream (small batches so there are many commits), then finish.
set +e
"$WG_BIN" --home "$WG_TMP/kill" --set kafka.batch_messages=20 --set wiki.batch_events=20 \
    ingest kafka --brokers "$broker" --topic rc --format wiki >"$WG_TMP/kill.out" 2>&1 &
pid=$!
set -e
for i in $(seq 1 600); do
    n=$(sqlite3 "$WG_TMP/kill/wikigdelt.db" "SELECT COUNT(*) FROM wikimedia_bronze" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 2000 ] && break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null || fail "the consumer was not running at the kill"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
partial=$(sqlite3 "$WG_TMP/kill/wikigdelt.db" "SELECT COUNT(*) FROM wikimedia_bronze")
[ "$partial" -gt 0 ] && [ "$partial" -lt "$events" ] || fail "the kill did not land mid-stream ($partial of $events)"
echo "killed after $partial of $events events"
kafka_home kill ingest kafka --brokers "$broker" --topic rc --format wiki --once
dump='SELECT meta_id, meta_dt, raw FROM wikimedia_bronze ORDER BY meta_id'
assert_eq "$(sqlite3 "$WG_TMP/kill/wikigdelt.db" "$dump" | md5sum)" "$(sqlite3 "$WG_TMP/ref/wikigdelt.db" "$dump" | md5sum)" \
    "bronze after a kill equals the uninterrupted run's"
assert_eq "$(sqlite3 "$WG_TMP/kill/wikigdelt.db" "SELECT group_concat(stream || '=' || position, ' ') FROM (SELECT * FROM wikimedia_stream_state ORDER BY stream)")" \
    "$(sqlite3 "$WG_TMP/ref/wikigdelt.db" "SELECT group_concat(stream || '=' || position, ' ') FROM (SELECT * FROM wikimedia_stream_state ORDER BY stream)")" "offsets"

# Into gold, then out to a topic.
kafka_home ref refine >/dev/null
kafka_home ref correlate --drain >/dev/null
want=$(sqlite3 "$WG_TMP/ref/wikigdelt.db" "SELECT COUNT(*) FROM correlated_gold_events c JOIN gold_events e USING (gdelt_silver_id) WHERE e.closed_at IS NOT NULL")
[ "$want" -gt 0 ] || fail "no gold pairs to publish"
consume() { kcat -b "$broker" -t "$1" -C -e -q -X isolation.level=read_committed -f '%k\t%s\n'; }
# A stop after the second transaction commits, before export_state records it.
set +e
WIKIGDELT_EXPORT_FAULT=after_commit WIKIGDELT_EXPORT_FAULT_SEQ=2 kafka_home ref --set export.kafka.batch_events=300 \
    export kafka --brokers "$broker" --topic gold >/dev/null 2>&1
rc=$?
set -e
assert_eq "$rc" "3" "the test hook stopped the sink after a commit"
kafka_home ref --set export.kafka.batch_events=300 export kafka --brokers "$broker" --topic gold | tee "$WG_TMP/sink1"
grep -q "recovered an unrecorded batch" "$WG_TMP/sink1" || fail "the unrecorded batch was not recovered from the topic"
consume gold >"$WG_TMP/gold.tsv"
assert_eq "$(wc -l <"$WG_TMP/gold.tsv")" "$want" "every closed pair once in the topic"
assert_eq "$(cut -f2 "$WG_TMP/gold.tsv" | python3 -c 'import json,sys; ids=[json.loads(l)["id"] for l in sys.stdin]; print(len(set(ids)))')" "$want" "no pair twice"
python3 - "$WG_TMP/gold.tsv" <<'PY' || fail "keys are not the pairs' EventIDs"
import json, sys
for line in open(sys.argv[1]):
    k, v = line.rstrip("\n").split("\t", 1)
    assert k == str(json.loads(v)["EventID"]), (k, v[:80])
PY
# A stop with a transaction open (messages sent, not committed): the next producer aborts it.
set +e
WIKIGDELT_EXPORT_FAULT=before_commit kafka_home ref --set export.kafka.batch_events=300 --set export.kafka.transactional_id=t2 \
    export kafka --brokers "$broker" --topic gold2 >/dev/null 2>&1
rc=$?
set -e
assert_eq "$rc" "3" "the test hook stopped the sink before a commit"
kafka_home ref --set export.kafka.batch_events=300 --set export.kafka.transactional_id=t2 export kafka --brokers "$broker" --topic gold2 >/dev/null
assert_eq "$(consume gold2 | wc -l)" "$want" "an aborted transaction's messages are not seen"
# Nothing new: nothing published.
kafka_home ref export kafka --brokers "$broker" --topic gold | grep -q "0 transactions, 0 messages" || fail "republished"
# A broker that is not there: a clear error, exit 1.
set +e
kafka_home ref --set kafka.metadata_timeout_ms=2000 ingest kafka --brokers 127.0.0.1:1 --topic rc --format wiki --once 2>"$WG_TMP/e1"; rc=$?
set -e
assert_eq "$rc" "1" "no broker"
grep -q "cannot read the metadata of topic rc" "$WG_TMP/e1" || fail "no-broker message: $(cat "$WG_TMP/e1")"
echo "kafka: bronze exactly once across a kill, gold published exactly once across stops"
