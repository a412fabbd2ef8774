"""A Lambda Runtime API stand-in that measures a bootstrap's init time.

Usage: runtime_stand_in.py BOOTSTRAP [HANDLER] [RUNS]
Serves GET /2018-06-01/runtime/invocation/next on a free 127.0.0.1 port, holding the request as
Lambda holds an idle runtime; starts BOOTSTRAP with AWS_LAMBDA_RUNTIME_API pointing at it and the
variables Lambda sets, and reports the time from starting the process to its first /next (the
init phase: the runtime is ready for its first invocation). POST /init/error fails the run.
Prints one line per run and the median, in milliseconds; exits 1 when the bootstrap exits or
reports an init error instead of asking for an event.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOOTSTRAP = sys.argv[1]
HANDLER = sys.argv[2] if len(sys.argv) > 2 else "data-collector"
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
EVENT = threading.Event()
STATE = {"first_next": None, "init_error": None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("/runtime/invocation/next"):
            if STATE["first_next"] is None:
                STATE["first_next"] = time.monotonic()
                EVENT.set()
            time.sleep(30)
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length).decode(errors="replace")
        if self.path.endswith("/init/error"):
            STATE["init_error"] = body
            EVENT.set()
        self.send_response(202)
        self.send_header("content-length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
environment = {
    "PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % port, "_HANDLER": HANDLER,
    "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDSTANDIN", "AWS_SECRET_ACCESS_KEY": "stand-in",
    "AWS_SESSION_TOKEN": "stand-in", "AWS_LAMBDA_FUNCTION_NAME": HANDLER, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    "BUCKET_NAME": "infra-monitoring-pipeline-data", "TABLE_NAME": "InfraMetrics", "LAMBDA_TASK_ROOT": os.path.dirname(BOOTSTRAP),
}
times = []
for run in range(RUNS):
    STATE["first_next"], STATE["init_error"] = None, None
    EVENT.clear()
    start = time.monotonic()
    process = subprocess.Popen([BOOTSTRAP], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not EVENT.wait(0.05):
        if process.poll() is not None or time.monotonic() - start > 20:
            break
    failed = STATE["first_next"] is None
    process.kill()
    _, stderr = process.communicate()
    if failed:
        print("run %d: no /next (exit %s, init error %s): %s" % (run + 1, process.returncode, STATE["init_error"], stderr.decode(errors="replace")[-2000:]))
        sys.exit(1)
    elapsed = (STATE["first_next"] - start) * 1000
    times.append(elapsed)
    print("run %d: %.1f ms from process start to the first /next" % (run + 1, elapsed))
print("median init: %.1f ms over %d runs (%s)" % (statistics.median(times), len(times), HANDLER))
