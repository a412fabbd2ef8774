"""Local stand-ins for the two HTTP credential endpoints the chain calls, for CredentialProviderTests.

Usage: credential_endpoints.py PORT TOKEN ACCESS_KEY SECRET_KEY
  GET /federation/credentials?account_id=A&role_name=R
      IAM Identity Center's GetRoleCredentials: answers roleCredentials (expiration in epoch
      milliseconds) when the x-amz-sso_bearer_token header is TOKEN, else 401 UnauthorizedException.
  GET /v1/credentials
      The container endpoint (ECS task role, EKS Pod Identity): answers the credentials document
      when the Authorization header is TOKEN, else 403.
  GET /ready answers 200 (the tests wait for it).
"""

import http.server
import json
import sys
import time
import urllib.parse

PORT = int(sys.argv[1])
TOKEN, ACCESS, SECRET = sys.argv[2], sys.argv[3], sys.argv[4]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/ready":
            self.answer(200, {})
        elif url.path == "/federation/credentials":
            if self.headers.get("x-amz-sso_bearer_token") != TOKEN:
                self.answer(401, {"message": "Session token not found or invalid", "__type": "UnauthorizedException"})
                return
            role = query.get("role_name", [""])[0]
            account = query.get("account_id", [""])[0]
            self.answer(200, {"roleCredentials": {
                "accessKeyId": ACCESS, "secretAccessKey": SECRET, "sessionToken": "sso-" + account + "-" + role,
                "expiration": int((time.time() + 3600) * 1000)}})
        elif url.path == "/v1/credentials":
            if self.headers.get("Authorization") != TOKEN:
                self.answer(403, {"code": "AccessDenied", "message": "bad token"})
                return
            self.answer(200, {"AccessKeyId": ACCESS, "SecretAccessKey": SECRET, "Token": "container-token",
                              "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))})
        else:
            self.answer(404, {"message": "no such path"})


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
