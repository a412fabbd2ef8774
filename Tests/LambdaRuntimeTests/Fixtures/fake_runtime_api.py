"""A fake Lambda Runtime API for the LambdaRuntime tests.

Usage: fake_runtime_api.py EVENTS_JSON RECORD_JSONL READY_FILE [hold]

EVENTS_JSON is a list of {"headers": {...}, "body": "..."} served in order by
GET /2018-06-01/runtime/invocation/next; when the list is exhausted it serves the
stop event (request id "stop", body {"stop": true}), or with "hold" it never
answers (as Lambda holds an idle runtime), for programs that cannot stop. Every POST is appended to
RECORD_JSONL as {"path", "headers" (lower-case names), "body"} and answered 202.
The server binds 127.0.0.1 on a free port and writes that port to READY_FILE.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = json.load(open(sys.argv[1]))
RECORD = sys.argv[2]
HOLD = len(sys.argv) > 4 and sys.argv[4] == "hold"
LOCK = threading.Lock()
STOP = {"headers": {
    "Lambda-Runtime-Aws-Request-Id": "stop",
    "Lambda-Runtime-Deadline-Ms": "4102444800000",
    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:000000000000:function:test",
}, "body": "{\"stop\": true}"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            self.reply(404, "{}")
            return
        with LOCK:
            event = EVENTS.pop(0) if EVENTS else None
        if event is None:
            if HOLD:
                time.sleep(3600)
                return
            event = STOP
        self.reply(200, event["body"], event["headers"])

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        entry = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        with LOCK:
            with open(RECORD, "a") as out:
                out.write(json.dumps(entry) + "\n")
        self.reply(202, "{\"status\":\"OK\"}")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[3] + ".tmp", "w") as ready:
    ready.write(str(server.server_address[1]))
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
server.serve_forever()
