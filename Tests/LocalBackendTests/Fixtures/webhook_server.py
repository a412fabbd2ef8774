"""A webhook receiver for the outbox tests, on 127.0.0.1 only.

usage: webhook_server.py PORT MODE  (MODE: 500 | 307 | hang)
500: answers every POST with HTTP 500; 307: redirects every POST to /elsewhere; hang: reads the
request and never answers (the connection stays open until the test kills the server).
"""
import http.server
import sys
import time

PORT, MODE = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if MODE == "hang":
            time.sleep(3600)
            return
        if MODE == "307":
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
            return
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
