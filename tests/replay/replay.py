#!/usr/bin/python3
"""Replays a recording of Immich's /api/jobs through the service as deployed.

    replay.py RECORDING.jsonl BUILD_DIR

RECORDING: one line per poll, {"t": <unix seconds>, "jobs": <GET /api/jobs
body>} or {"t": ..., "error": "<why Immich did not answer>"} (the format of
tests/fixtures/real-v3.1.0-import/*/recording.jsonl).  For each line the
CGI (BUILD_DIR/immich-jobs, with its cache and history in a directory of
its own) answers one GET / with its clocks set to the line's t (the wall
clock to t, the clock since boot to t less the first line's t plus 1000 s,
through the preloaded tests/replay/clock_shim.c: $IJP_CLOCK_SHIM, else
BUILD_DIR/replay/clock_shim.so), while a fake Immich on loopback answers
/api/jobs with the line's body, or drops the connection for an "error"
line.  A line may also hold "wall": <unix seconds>, the wall clock at that
poll when it is not t (a test's step of the wall clock; t stays the time
that passed).  IMMICH_* variables in the environment are passed on (the
defaults otherwise); IMMICH_URL, the key and the cache directory are the
replay's own.  Prints one line per recording line on stdout:
{"t": <the line's t>, "answer": <the service's JSON answer>}.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CURRENT = {"body": None}
T_RE = re.compile(r'"t"\s*:\s*(-?[0-9][0-9.eE+-]*)')


class Immich(BaseHTTPRequestHandler):
    def do_GET(self):
        body = CURRENT["body"]
        if body is None or self.path != "/api/jobs":
            if body is None:        # Immich down: no answer at all
                self.close_connection = True
                return
            self.send_response(404)
            data = b'{"message":"Cannot GET %s","statusCode":404}' % self.path.encode()
        else:
            self.send_response(200)
            data = body
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def env_shim(build):
    return os.path.abspath(os.environ.get("IJP_CLOCK_SHIM") or
                           os.path.join(build, "replay", "clock_shim.so"))


def main():
    rec, build = sys.argv[1], sys.argv[2]
    raw = [l for l in open(rec) if l.strip()]
    lines = [json.loads(l) for l in raw]
    if not lines:
        return 0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Immich)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="ijp-replay.")
    try:
        env = {k: v for k, v in os.environ.items() if k.startswith("IMMICH_")}
        if not os.path.exists(env_shim(build)):
            sys.stderr.write("replay.py: no clock shim at %s (make %s/replay/clock_shim.so)\n"
                             % (env_shim(build), build))
            return 2
        env.update({
            "PATH": "/usr/bin:/bin",
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "",
            "SCRIPT_NAME": "/immich-jobs", "REMOTE_ADDR": "127.0.0.1",
            "IMMICH_URL": "http://127.0.0.1:%d" % srv.server_address[1],
            "IMMICH_JOBS_API_KEY": "replaykey0123456789",
            "IMMICH_JOBS_CACHE_DIR": os.path.join(tmp, "cache"),
            "LD_PRELOAD": env_shim(build),
        })
        env.pop("IMMICH_JOBS_API_KEY_FILE", None)
        boot0 = lines[0]["t"] - 1000
        for text, line in zip(raw, lines):
            CURRENT["body"] = json.dumps(line["jobs"]).encode() if "jobs" in line else None
            env["IJP_SHIM_WALL"] = repr(float(line.get("wall", line["t"])))
            env["IJP_SHIM_BOOT"] = repr(float(line["t"] - boot0))
            # No timeout here: the CGI's own hard cap ends it, and waiting
            # with one polls for the child's end (tens of ms every poll).
            out = subprocess.run([os.path.join(build, "immich-jobs")], env=env,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL).stdout
            sep = out.find(b"\r\n\r\n")
            body = out[sep + 4:] if sep != -1 else out
            try:
                answer = json.loads(body)
            except ValueError:
                answer = {"error": "not JSON: %r" % body[:200]}
            # The line's t as it was written, not as a float prints it.
            m = T_RE.search(text)
            t = m.group(1) if m else json.dumps(line["t"])
            sys.stdout.write('{"t": %s, "answer": %s}\n' % (t, json.dumps(answer)))
        sys.stdout.flush()
    finally:
        srv.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
