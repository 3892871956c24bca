#!/usr/bin/env python3
"""An OTLP/HTTP metrics receiver on 127.0.0.1 for test_observe_otlp.sh.

  otlp_receiver.py PORT OUT.json
Accepts POST /v1/metrics with Content-Type application/json (the OTLP JSON encoding) or
application/x-protobuf, decodes the body strictly into opentelemetry-proto's
ExportMetricsServiceRequest (unknown fields are errors) and appends a summary of each request to
OUT.json (one JSON object per line): resource attributes, and per metric its name, unit, type
(sum/gauge/histogram), monotonicity, temporality and each data point's attributes and value.
A body that does not decode is answered 400 and recorded as {"error": ...}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest, ExportMetricsServiceResponse)

PORT, OUT = int(sys.argv[1]), sys.argv[2]


def attrs(kvs):
    return {kv.key: kv.value.WhichOneof("value") and getattr(kv.value, kv.value.WhichOneof("value"))
            for kv in kvs}


def summary(req):
    out = {"resources": []}
    for rm in req.resource_metrics:
        r = {"attributes": attrs(rm.resource.attributes), "metrics": []}
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                d = {"name": m.name, "unit": m.unit, "type": kind, "description": m.description, "points": []}
                data = getattr(m, kind)
                if kind in ("sum", "histogram"):
                    d["temporality"] = data.aggregation_temporality
                if kind == "sum":
                    d["monotonic"] = data.is_monotonic
                for p in data.data_points:
                    pt = {"attributes": attrs(p.attributes), "time": p.time_unix_nano}
                    if kind == "histogram":
                        pt.update(count=p.count, sum=p.sum, buckets=list(p.bucket_counts),
                                  bounds=list(p.explicit_bounds))
                    else:
                        pt["value"] = p.as_double if p.WhichOneof("value") == "as_double" else p.as_int
                    d["points"].append(pt)
                r["metrics"].append(d)
        out["resources"].append(r)
    return out


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ctype = self.headers.get("Content-Type", "")
        req = ExportMetricsServiceRequest()
        try:
            if self.path != "/v1/metrics":
                raise ValueError(f"path {self.path}")
            if ctype.startswith("application/json"):
                json_format.Parse(body.decode("utf-8"), req)
            elif ctype.startswith("application/x-protobuf"):
                req.ParseFromString(body)
            else:
                raise ValueError(f"content type {ctype!r}")
            rec = summary(req)
            rec["content_type"] = ctype
            code, answer = 200, json_format.MessageToJson(ExportMetricsServiceResponse())
        except Exception as e:  # noqa: BLE001 - every decoding failure is the test's finding
            rec, code, answer = {"error": str(e)}, 400, json.dumps({"error": str(e)})
        with open(OUT, "a") as f:
            f.write(json.dumps(rec) + "\n")
        data = answer.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
