#!/usr/bin/python3
"""A fake Immich for the tests, on Python's standard http.server.

    fake_immich.py --spec SPEC.json --log LOG.jsonl --port-file PORTFILE
                   [--bind 127.0.0.1|::1|127.x.y.z] [--tls-cert C --tls-key K
                   [--tls-client-ca CA] [--tls-version 1.2|1.3]]

It listens on a free loopback port (written to PORTFILE once it is ready)
and answers each request as SPEC says.  SPEC is read again for every
request, so a test can change the answers without a restart.  SPEC maps a
path ("/api/jobs", or "*" for any other) to one answer or to a list of
answers used in turn:

    {"status": 200, "body_file": "tests/fixtures/jobs-newest.json",
     "body": "...", "headers": {"Content-Type": "..."},
     "delay": 0.0,            seconds before the status line
     "silent": false,         accept, read the request, never answer
     "drip": 0.0,             seconds between body bytes
     "content_length": N,     announce N bytes whatever is sent
     "chunked": false,        send the body chunked
     "reset_after": N,        send N body bytes, then reset the connection
     "repeat_body": N,        send the body N times (large answers)
     "compress": "gzip",      send the body gzip-, "deflate"- (zlib) or
                              "deflate-raw"-compressed with its
                              Content-Encoding, whatever was asked
     "raw": "...",            send these bytes (latin-1) instead of any
                              HTTP answer, then close
     "http_file": "F"}        status, headers and body of a captured
                              response (status line, headers, blank line,
                              body), e.g. tests/fixtures/real-v2.7.5/*.http;
                              its framing headers are the fake's own

SPEC may also hold "on_connect": {"raw": "..."}: every connection gets
these bytes (latin-1, may be "") as soon as it is accepted, before the
request is read (a banner such as SSH's), and is then closed once the
request has been read ("close_at_once": true closes it without reading).

A path SPEC does not name (and no "*") gets what a real Immich answers:
404 "Cannot GET <path>" under /api, else 406 to a request that does not
accept text/html, else the web app's HTML (see immich_default).

Every request is appended to LOG as one JSON line: method, path, headers.
"""
import argparse
import gzip
import ipaddress
import itertools
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTERS = {}
LOCK = threading.Lock()


def immich_default(path, accept):
    """What a real Immich (v2.6 - v2.7.5) answers a path SPEC does not name:
    under /api, Nest's 404 "Cannot GET <path>"; elsewhere the web app, whose
    index.html is refused with 406 to a client that does not accept
    text/html (server/src/app.module.ts, captured from v2.7.5)."""
    cid = "%08x" % zlib.crc32(path.encode())
    if path.startswith("/api"):
        body = {"message": "Cannot GET %s" % path, "error": "Not Found",
                "statusCode": 404, "correlationId": cid}
        return {"status": 404, "body": json.dumps(body, separators=(",", ":")),
                "headers": {"x-immich-cid": cid}}
    if accept and "text/html" not in accept and "*/*" not in accept:
        body = {"message": "The route %s was requested as %s, but only "
                "returns text/html" % (path, accept),
                "error": "Not Acceptable", "statusCode": 406,
                "correlationId": cid}
        return {"status": 406, "body": json.dumps(body, separators=(",", ":")),
                "headers": {"x-immich-cid": cid}}
    return {"status": 200, "headers": {"Content-Type": "text/html"},
            "body": "<!doctype html><html><head><title>Immich</title></head>"
                    "<body></body></html>"}


FRAMING = ("content-length", "connection", "keep-alive", "transfer-encoding")


def from_http_file(ans):
    """ans with the status, headers and body of a captured response."""
    with open(ans["http_file"], "rb") as f:
        head, _, body = f.read().partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    out = {"status": int(lines[0].split()[1]), "body": body, "headers": {}}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() not in FRAMING:
            out["headers"][name] = value.strip()
    out.update({k: v for k, v in ans.items() if k != "http_file"})
    return out


def load_answer(spec_path, path, accept=None):
    with open(spec_path) as f:
        spec = json.load(f)
    ans = spec.get(path, spec.get("*", None))
    if ans is None:
        ans = immich_default(path, accept)
    if isinstance(ans, list):
        with LOCK:
            n = COUNTERS.get(path, 0)
            COUNTERS[path] = n + 1
        ans = ans[n % len(ans)]
    if "http_file" in ans:
        ans = from_http_file(ans)
    return ans


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        with open(self.server.spec_path) as f:
            on = json.load(f).get("on_connect")
        if on is None:
            return super().handle()
        with LOCK:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps({"method": None, "path": None,
                                    "headers": {}}) + "\n")
        try:
            if on.get("raw"):
                self.wfile.write(on["raw"].encode("latin-1"))
                self.wfile.flush()
            if not on.get("close_at_once"):
                self.read_request_head()
        except OSError:
            pass
        self.close_connection = True

    def read_request_head(self):
        self.connection.settimeout(2)
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def handle_any(self):
        srv = self.server
        with LOCK:
            with open(srv.log_path, "a") as f:
                f.write(json.dumps({"method": self.command,
                                    "path": self.path,
                                    "headers": dict(self.headers.items())})
                        + "\n")
        ans = load_answer(srv.spec_path, self.path.split("?")[0],
                          self.headers.get("Accept"))
        if ans.get("silent"):
            time.sleep(ans.get("delay", 3600))
            self.close_connection = True
            return
        time.sleep(ans.get("delay", 0))
        if "raw" in ans:
            self.wfile.write(ans["raw"].encode("latin-1"))
            self.wfile.flush()
            self.close_connection = True
            return
        body = ans.get("body", "")
        if "body_file" in ans:
            with open(ans["body_file"], "rb") as f:
                body = f.read()
        if isinstance(body, str):
            body = body.encode()
        body = body * ans.get("repeat_body", 1)
        status = ans.get("status", 200)
        self.send_response_only(status)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        coding = ans.get("compress")
        if coding == "gzip":
            body = gzip.compress(body)
        elif coding == "deflate":
            body = zlib.compress(body)
        elif coding == "deflate-raw":   # no zlib header, as some servers do
            c = zlib.compressobj(wbits=-15)
            body = c.compress(body) + c.flush()
        if coding:
            headers["Content-Encoding"] = coding.split("-")[0]
        headers.update(ans.get("headers", {}))
        for k, v in headers.items():
            self.send_header(k, v)
        chunked = ans.get("chunked", False)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length",
                             str(ans.get("content_length", len(body))))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        try:
            self.send_body(body, ans, chunked)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_body(self, body, ans, chunked):
        if "reset_after" in ans:
            self.wfile.write(body[:ans["reset_after"]])
            self.wfile.flush()
            # SO_LINGER 0: close() sends a TCP reset, not a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            return
        drip = ans.get("drip", 0)
        if chunked:
            step = 1 if drip else 4096
            for i in range(0, len(body), step):
                part = body[i:i + step]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(drip)
            self.wfile.write(b"0\r\n\r\n")
        elif drip:
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(drip)
        else:
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_announced(srv, port_file):
    """Write srv's port to port_file, then serve forever.  The file appears
    whole (a rename), so a test waiting for it never reads half a number."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, port_file)
    srv.serve_forever()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    # Mutual TLS: demand a client certificate issued by this CA.
    ap.add_argument("--tls-client-ca")
    # Only this TLS version: a 1.2 server refuses a missing client
    # certificate in the handshake, a 1.3 one after it.
    ap.add_argument("--tls-version", choices=("1.2", "1.3"))
    a = ap.parse_args()
    # Loopback only; any 127.x.y.z is one (a second "host" for the tests).
    if a.bind != "localhost" and not ipaddress.ip_address(a.bind).is_loopback:
        sys.exit("fake_immich: loopback only")
    Server.address_family = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    srv = Server((a.bind, a.port), Handler)
    srv.spec_path, srv.log_path = a.spec, a.log
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.tls_client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.tls_client_ca)
        if a.tls_version:
            v = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
            ctx.minimum_version = ctx.maximum_version = v[a.tls_version]
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    serve_announced(srv, a.port_file)


if __name__ == "__main__":
    main()
