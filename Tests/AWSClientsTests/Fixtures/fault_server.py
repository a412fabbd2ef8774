"""A fake AWS endpoint that fails in one chosen way, for the retry tests of AWSClientsTests.

Usage: fault_server.py PORT MODE COUNT_FILE
MODE is one of:
  internal   500 with a JSON InternalServerError
  slowdown   503 with S3's XML SlowDown error
  throttle   400 with a JSON ThrottlingException
  drop       reads the request and closes the connection without answering
  denied     403 with a JSON AccessDeniedException (not retryable)
  flaky      503 SlowDown twice, then 200 with an empty JSON object
GET /ready always answers 200 and is not counted (the tests wait for it before starting).
After each other request the number of requests seen so far is written to COUNT_FILE.
"""

import http.server
import socket
import sys

PORT = int(sys.argv[1])
MODE = sys.argv[2]
COUNT_FILE = sys.argv[3]
SEEN = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "fake-%d" % SEEN)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        global SEEN
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/ready":
            self.answer(200, "ready", "text/plain")
            return
        SEEN += 1
        with open(COUNT_FILE, "w") as f:
            f.write(str(SEEN))
        slowdown = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>R%d</RequestId></Error>" % SEEN
        if MODE == "internal":
            self.answer(500, '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}', "application/x-amz-json-1.0")
        elif MODE == "slowdown":
            self.answer(503, slowdown, "application/xml")
        elif MODE == "throttle":
            self.answer(400, '{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}', "application/x-amz-json-1.0")
        elif MODE == "denied":
            self.answer(403, '{"__type":"AccessDeniedException","Message":"User is not authorized"}', "application/x-amz-json-1.0")
        elif MODE == "flaky":
            if SEEN <= 2:
                self.answer(503, slowdown, "application/xml")
            else:
                self.answer(200, "{}", "application/x-amz-json-1.0")
        else:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
