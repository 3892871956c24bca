#!/usr/bin/env bash
# Makes build/venv-otlp with PyPI's opentelemetry-proto (and protobuf) for the OTLP receiver of
# test_observe_otlp.sh. Idempotent: does nothing when the package imports already.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/build/venv-otlp"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import opentelemetry.proto.collector.metrics.v1.metrics_service_pb2' 2>/dev/null; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check 'opentelemetry-proto>=1.20,<2'
"$venv/bin/python" -c 'import opentelemetry.proto.collector.metrics.v1.metrics_service_pb2'
