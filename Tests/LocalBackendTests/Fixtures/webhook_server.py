"""A webhook receiver for the outbox tests, on 127.0.0.1 only.

usage: webhook_server.py PORT MODE [FILE]  (MODE: 500 | 307 | hang | record)
record: answers 200 and appends each body, one per line, to FILE; 500: answers every POST with HTTP 500; 307: redirects every POST to /elsewhere; hang: reads the
request and never answers (the connection stays open until the test kills the server).
"""
import http.server
import sys
import time

PORT, MODE = int(sys.argv[1]), sys.argv[2]
RECORD = sys.argv[3] if len(sys.argv) > 3 else None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if MODE == "record":
            with open(RECORD, "ab") as out:
                out.write(body + b"\n")
            self.send_response(200)
            self.end_headers()
            return
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
