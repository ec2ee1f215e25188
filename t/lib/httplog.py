#!/usr/bin/python3
"""httplog.py - a loopback HTTP listener that logs every request, for the
tests that need something to call back (Kannel's delivery reports).

    /usr/bin/python3 t/lib/httplog.py LOG

It listens on 127.0.0.1 on a free port, writes the port to LOG.ready once
listening, answers every request "200 ok", and appends one JSON line per
request to LOG: {"method", "path", "query" (raw), "args" (dict of lists),
"body"}.  SIGTERM stops it.
"""

import json
import os
import signal
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        split = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        rec = {"method": self.command, "path": split.path,
               "query": split.query,
               "args": urllib.parse.parse_qs(split.query,
                                             keep_blank_values=True),
               "body": body}
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    do_GET = do_POST = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    open(LOG, "a").close()
    with open(LOG + ".ready.tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(LOG + ".ready.tmp", LOG + ".ready")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
