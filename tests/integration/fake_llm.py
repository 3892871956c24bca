#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for the assistant's tests (127.0.0.1 only).

Answers by keywords of the user's question, records every request (headers and body) as one JSON
line in the log file, and prints its port once it listens.
usage: fake_llm.py LOGFILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

ANSWERS = [
    ("cosine", "Here you are:\n```sql\nSELECT wiki, ROUND(AVG(cosine_sim), 4) AS avg_cosine FROM correlated_gold_events GROUP BY wiki ORDER BY wiki;\n```"),
    ("longest", "SELECT GLOBALEVENTID, length(SOURCEURL) AS n FROM gdelt_silver ORDER BY n DESC, GLOBALEVENTID LIMIT 3"),
    ("tidy", "```sql\nDELETE FROM gdelt_silver WHERE AvgTone < 0\n```"),
]


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"), "body": body}) + "\n")
        q = body["messages"][-1]["content"].lower()
        text = next((a for k, a in ANSWERS if k in q), "I do not know.")
        out = json.dumps({"id": "x", "object": "chat.completion", "model": body.get("model"),
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


s = HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
