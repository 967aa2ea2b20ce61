"""Helpers of the client's tests.

End-to-end tests need a running service: ``PRECEDENT_URL`` and ``PRECEDENT_API_KEY``. Without them
they are skipped, unless ``PRECEDENT_E2E=1`` (set by test/python/client.test.ts, which starts the
service), which turns a missing service into a failure. ``PRECEDENT_TEST_OUTAGE_URL`` is an endpoint
of that harness that cuts the service off from Neo4j for a while (``POST ?ms=3000``).
"""
from __future__ import annotations

import csv
import json
import os
import random
import threading
import unittest
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

try:
    import optuna  # noqa: F401

    HAVE_OPTUNA = True
    OPTUNA_VERSION = optuna.__version__
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_OPTUNA = False
    OPTUNA_VERSION = None

NO_OPTUNA = "Optuna is not installed (pip install './clients/python[optuna]' or apt-get install python3-optuna)"


def require_service(case: unittest.TestCase) -> None:
    if os.environ.get("PRECEDENT_URL") and os.environ.get("PRECEDENT_API_KEY"):
        return
    if os.environ.get("PRECEDENT_E2E") == "1":
        case.fail("PRECEDENT_E2E=1 but PRECEDENT_URL / PRECEDENT_API_KEY are not set")
    raise unittest.SkipTest("no service: set PRECEDENT_URL and PRECEDENT_API_KEY (test/python/client.test.ts does)")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def write_csv(path: str, rows: int, seed: int, noise: float = 0.1) -> None:
    """A small classification table: y depends on x1 and x2; x3 is a noisy integer feature."""
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "x3", "x4", "y"])
        for _ in range(rows):
            x1, x2 = rng.random(), rng.gauss(0, 1)
            x3, x4 = rng.randint(0, 5), rng.random() * 10
            y = int(x1 + 0.3 * x2 + rng.gauss(0, noise) > 0.6)
            w.writerow([round(x1, 6), round(x2, 6), x3, round(x4, 4), y])


def record_fact(key: str, value: Any) -> None:
    """Tells the harness something to check in the graph (PRECEDENT_TEST_FACTS, a JSON file)."""
    path = os.environ.get("PRECEDENT_TEST_FACTS")
    if not path:
        return
    facts: Dict[str, Any] = {}
    if os.path.exists(path):
        with open(path) as f:
            facts = json.load(f)
    facts[key] = value
    with open(path, "w") as f:
        json.dump(facts, f)


def outage(ms: int) -> bool:
    """Cuts the service off from Neo4j for ``ms`` milliseconds (False when the harness cannot)."""
    url = os.environ.get("PRECEDENT_TEST_OUTAGE_URL")
    if not url:
        return False
    with urllib.request.urlopen(urllib.request.Request(f"{url}?ms={ms}", data=b"", method="POST"), timeout=10) as res:
        return res.status == 200


class Recorded:
    __slots__ = ("method", "path", "headers", "body")

    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body


Handler = Callable[[Recorded, int], Optional[Tuple[int, Dict[str, str], bytes]]]


class FakeServer:
    """An HTTP server on 127.0.0.1 that records requests and answers with ``handler(request, index)``.

    ``handler`` returns ``(status, headers, body)``, or ``None`` to drop the connection without answering.
    """

    def __init__(self, handler: Handler) -> None:
        self.requests: List[Recorded] = []
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("content-length") or 0)
                return self.rfile.read(n) if n else b""

            def _handle(self) -> None:
                rec = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self._body())
                with outer.lock:
                    outer.requests.append(rec)
                    index = len(outer.requests) - 1
                answer = handler(rec, index)
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, headers, body = answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def json_answer(status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    return status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode()


class LossyProxy:
    """A proxy in front of the real service that forwards a request, lets the service do it, and then
    loses the response of the first attempt at each path matching ``lose`` (answering 503 instead),
    as a gateway that times out would. The client's retry must then not create anything twice."""

    def __init__(self, target: str, lose: Callable[[str, str], bool]) -> None:
        self.target = target.rstrip("/")
        self.lost: List[str] = []
        self.replayed: List[str] = []
        seen: set = set()

        def handle(req: Recorded, index: int) -> Optional[Tuple[int, Dict[str, str], bytes]]:
            headers = {k: v for k, v in req.headers.items() if k not in ("host", "content-length", "connection", "transfer-encoding")}
            upstream = urllib.request.Request(self.target + req.path, data=req.body if req.method != "GET" else None, headers=headers, method=req.method)
            try:
                with urllib.request.urlopen(upstream, timeout=60) as res:
                    status, res_headers, body = res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
            except urllib.error.HTTPError as err:
                status, res_headers, body = err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
            if res_headers.get("idempotent-replayed") == "true":
                self.replayed.append(f"{req.method} {req.path}")
            key = f"{req.method} {req.path.split('?')[0]}"
            if lose(req.method, req.path) and key not in seen:
                seen.add(key)
                self.lost.append(key)
                return json_answer(503, {"statusCode": 503, "error": "Service Unavailable", "message": "lost by the test proxy"}, {"retry-after": "0"})
            keep = {k: v for k, v in res_headers.items() if k in ("content-type", "retry-after", "idempotent-replayed")}
            return status, keep, body

        self.server = FakeServer(handle)
        self.url = self.server.url

    def close(self) -> None:
        self.server.close()
