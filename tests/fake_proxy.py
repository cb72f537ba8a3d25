#!/usr/bin/python3
"""A forward HTTP proxy for the tests, on Python's standard http.server.

    fake_proxy.py --log LOG.jsonl --port-file PORTFILE [--auth USER:PASSWORD]

It listens on a free port of 127.0.0.1 (written to PORTFILE once ready)
and takes what a client sends a proxy: "CONNECT host:port" (a tunnel, for
https:// and whatever the client wants to tunnel) and "GET http://..."
(forwarded, for http://).  It only ever connects to loopback addresses.
With --auth, a request without that Proxy-Authorization (Basic) gets 407.
Every request is appended to LOG as one JSON line: method, target,
headers (Proxy-Authorization included, so a test can check what came).
"""
import argparse
import base64
import ipaddress
import json
import select
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fake_immich import serve_announced

LOCK = threading.Lock()


def loopback(host):
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self):
        with LOCK:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps({"method": self.command,
                                    "target": self.path,
                                    "headers": dict(self.headers.items())})
                        + "\n")

    def refuse(self, status, extra=()):
        self.send_response_only(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def authorized(self):
        if self.server.auth is None:
            return True
        want = "Basic " + base64.b64encode(self.server.auth.encode()).decode()
        if self.headers.get("Proxy-Authorization") == want:
            return True
        self.refuse(407, [("Proxy-Authenticate", 'Basic realm="test"')])
        return False

    def do_CONNECT(self):
        self.note()
        if not self.authorized():
            return
        host, _, port = self.path.rpartition(":")
        if not loopback(host):
            return self.refuse(403)
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), 5)
        except OSError:
            return self.refuse(502)
        self.send_response_only(200)
        self.end_headers()
        self.wfile.flush()
        self.pipe(up)
        self.close_connection = True

    def pipe(self, up):
        socks = [self.connection, up]
        while True:
            ready, _, _ = select.select(socks, [], [], 30)
            if not ready:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    up.close()
                    return
                (up if s is self.connection else self.connection).sendall(data)
        up.close()

    def do_GET(self):
        self.note()
        if not self.authorized():
            return
        u = urllib.parse.urlsplit(self.path)
        if u.scheme != "http" or not loopback(u.hostname or ""):
            return self.refuse(403)
        up = socket.create_connection((u.hostname, u.port or 80), 5)
        path = u.path + ("?" + u.query if u.query else "")
        head = "GET %s HTTP/1.1\r\n" % path
        for k, v in self.headers.items():
            if k.lower() not in ("proxy-authorization", "proxy-connection",
                                 "connection"):
                head += "%s: %s\r\n" % (k, v)
        head += "Connection: close\r\n\r\n"
        up.sendall(head.encode("latin-1"))
        while True:
            data = up.recv(65536)
            if not data:
                break
            self.wfile.write(data)
        up.close()
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--auth")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.log_path, srv.auth = a.log, a.auth
    serve_announced(srv, a.port_file)


if __name__ == "__main__":
    main()
