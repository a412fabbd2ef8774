"""A synthetic node_exporter fleet for the fleet-on-AWS tests.

usage: loopback_fleet.py COUNT PORT READY_FILE

Target i (0-based) listens on 127.0.10.(i+1):PORT, each on its own loopback address. It serves
node_exporter text for the collect[] filters it is asked for. Its counters are functions of how
many times that filter was asked (k = 1, 2, …), so a test knows every value it will be served:

  cpu      node_cpu_seconds_total{cpu="0",mode="idle"} = 1000 k
           node_cpu_seconds_total{cpu="0",mode="user"} = 10 (i+1) k²
  meminfo  MemTotal 1000, MemAvailable 1000 - 10 (i+1)      (memory_usage (i+1) %)
  filesystem  / of 1000 bytes, 500 available (disk_usage 50 %)
  netdev   eth0 receive 1000 k², transmit 500 k

and node_uname_info with nodename fleet-i. READY_FILE is written once every target listens.
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

count, port, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
asked = {}


def page(index, collectors):
    n = index + 1
    lines = []
    for collector in collectors:
        with lock:
            asked[(index, collector)] = asked.get((index, collector), 0) + 1
            k = asked[(index, collector)]
        if collector == "uname":
            lines.append('node_uname_info{machine="x86_64",nodename="fleet-%d",release="6.1",sysname="Linux"} 1' % index)
        elif collector == "cpu":
            lines.append('node_cpu_seconds_total{cpu="0",mode="idle"} %d' % (1000 * k))
            lines.append('node_cpu_seconds_total{cpu="0",mode="user"} %d' % (10 * n * k * k))
        elif collector == "meminfo":
            lines.append("node_memory_MemTotal_bytes 1000")
            lines.append("node_memory_MemAvailable_bytes %d" % (1000 - 10 * n))
        elif collector == "filesystem":
            labels = 'device="/dev/sda1",fstype="ext4",mountpoint="/"'
            lines.append("node_filesystem_size_bytes{%s} 1000" % labels)
            lines.append("node_filesystem_free_bytes{%s} 500" % labels)
            lines.append("node_filesystem_avail_bytes{%s} 500" % labels)
            lines.append("node_filesystem_device_error{%s} 0" % labels)
        elif collector == "netdev":
            lines.append('node_network_receive_bytes_total{device="eth0"} %d' % (1000 * k * k))
            lines.append('node_network_transmit_bytes_total{device="eth0"} %d' % (500 * k))
    return ("\n".join(lines) + "\n").encode()


def handler(index):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/metrics":
                self.send_error(404)
                return
            body = page(index, parse_qs(url.query).get("collect[]", []))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


servers = [ThreadingHTTPServer(("127.0.10.%d" % (i + 1), port), handler(i)) for i in range(count)]
for server in servers:
    threading.Thread(target=server.serve_forever, daemon=True).start()
with open(ready, "w") as f:
    f.write("ready\n")
threading.Event().wait()
