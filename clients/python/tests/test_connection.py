"""Retries, Retry-After, Idempotency-Key, errors and configuration, against a fake HTTP server."""
from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import precedent
from precedent.connection import Connection, find_api_key, resolve_url

from _support import FakeServer, json_answer

OK = json_answer(201, {"ok": True})
UNAVAILABLE = json_answer(503, {"statusCode": 503, "error": "Service Unavailable", "message": "down"}, {"retry-after": "0"})


class RetryTest(unittest.TestCase):
    def conn(self, url: str, **kw) -> Connection:
        return Connection(url, "prc_test", **{"retry_timeout": 10, "backoff": 0.01, **kw})

    def test_503_is_retried_with_the_same_idempotency_key_and_body(self) -> None:
        with FakeServer(lambda req, i: UNAVAILABLE if i < 2 else OK) as server:
            with self.assertLogs("precedent.connection", level="WARNING") as logs:
                res = self.conn(server.url).request("POST", "/v1/experiments", json_body={"name": "x", "n": 1})
        self.assertEqual(res.status, 201)
        self.assertEqual(res.body, {"ok": True})
        self.assertEqual(len(server.requests), 3)
        keys = {r.headers["idempotency-key"] for r in server.requests}
        self.assertEqual(len(keys), 1, "every attempt carries the same Idempotency-Key")
        self.assertEqual({r.body for r in server.requests}, {b'{"name":"x","n":1}'})
        self.assertEqual(server.requests[0].headers["authorization"], "Bearer prc_test")
        self.assertEqual([r.precedent_status for r in logs.records], [503, 503])  # type: ignore[attr-defined]

    def test_each_post_gets_its_own_key(self) -> None:
        with FakeServer(lambda req, i: OK) as server:
            c = self.conn(server.url)
            c.request("POST", "/v1/a", json_body={})
            c.request("POST", "/v1/a", json_body={})
            c.request("GET", "/v1/a")
        keys = [r.headers.get("idempotency-key") for r in server.requests]
        self.assertNotEqual(keys[0], keys[1])
        self.assertIsNone(keys[2], "GET needs no Idempotency-Key")

    def test_429_honours_retry_after(self) -> None:
        limited = json_answer(429, {"statusCode": 429, "error": "Too Many Requests", "message": "slow down"}, {"retry-after": "1"})
        with FakeServer(lambda req, i: limited if i == 0 else OK) as server:
            t0 = time.monotonic()
            self.conn(server.url).request("GET", "/v1/experiments")
            waited = time.monotonic() - t0
        self.assertGreaterEqual(waited, 0.95)
        self.assertLess(waited, 5)

    def test_409_with_retry_after_means_still_running_and_is_retried(self) -> None:
        pending = json_answer(409, {"statusCode": 409, "error": "Conflict", "message": "still being processed"}, {"retry-after": "0"})
        with FakeServer(lambda req, i: pending if i == 0 else OK) as server:
            self.conn(server.url).request("POST", "/v1/import", data=b"{}", content_type="application/x-ndjson")
            self.assertEqual(len(server.requests), 2)

    def test_409_without_retry_after_is_an_error_at_once(self) -> None:
        conflict = json_answer(409, {"statusCode": 409, "error": "Conflict", "message": "budget used up", "details": {"maxTrials": 3}})
        with FakeServer(lambda req, i: conflict) as server:
            with self.assertRaises(precedent.ApiError) as ctx:
                self.conn(server.url).request("POST", "/v1/experiments/x/suggestions", json_body={"count": 1})
            self.assertEqual(len(server.requests), 1)
        self.assertEqual(ctx.exception.status, 409)
        self.assertEqual(ctx.exception.details, {"maxTrials": 3})

    def test_a_dropped_connection_is_retried(self) -> None:
        with FakeServer(lambda req, i: None if i == 0 else OK) as server:
            with self.assertLogs("precedent.connection", level="WARNING"):
                res = self.conn(server.url).request("POST", "/v1/experiments", json_body={})
            self.assertEqual(res.status, 201)
            self.assertEqual(len(server.requests), 2)
            self.assertEqual(server.requests[0].headers["idempotency-key"], server.requests[1].headers["idempotency-key"])

    def test_connection_refused_until_the_deadline_raises_connection_failed(self) -> None:
        server = FakeServer(lambda req, i: OK)
        url = server.url
        server.close()  # nothing listens there any more
        t0 = time.monotonic()
        with self.assertLogs("precedent.connection", level="WARNING"):
            with self.assertRaises(precedent.ConnectionFailed) as ctx:
                self.conn(url, retry_timeout=0.5, backoff=0.05).request("GET", "/health", auth=False)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertIsInstance(ctx.exception, ConnectionError)

    def test_a_refused_local_connection_fails_fast_and_says_what_to_do(self) -> None:
        """Nothing listens on this machine's port: the service is not running, which no retry mends."""
        for host in ("127.0.0.1", "localhost"):
            server = FakeServer(lambda req, i: OK)
            url = server.url.replace("127.0.0.1", host)
            server.close()
            c = Connection(url, "prc_test")  # the defaults: retry_timeout=120
            t0 = time.monotonic()
            with self.assertLogs("precedent.connection", level="WARNING") as logs:
                with self.assertRaises(precedent.ConnectionFailed) as ctx:
                    c.request("POST", "/v1/datasets", json_body={})
            self.assertLess(time.monotonic() - t0, 4, "a local service that refuses connections is not running: fail fast")
            self.assertLessEqual(len(logs.records), 2, "at most a couple of quick retries")
            message = str(ctx.exception)
            self.assertIn(f"POST {url}/v1/datasets", message)
            self.assertIn(f"No precedent service is listening at {url}", message)
            self.assertIn("npm start", message)
            self.assertIn("PRECEDENT_URL", message)

    def test_the_message_says_where_the_url_came_from(self) -> None:
        server = FakeServer(lambda req, i: OK)
        url = server.url
        server.close()
        with mock.patch.dict(os.environ, {"PRECEDENT_URL": url}):
            with self.assertLogs("precedent.connection", level="WARNING"):
                with self.assertRaises(precedent.ConnectionFailed) as ctx:
                    Connection(api_key="prc_test").request("GET", "/v1/experiments")
        self.assertIn(f"{url} (PRECEDENT_URL)", str(ctx.exception))
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(Connection(api_key="prc_test").url_source, "the default URL")

    def test_loopback_hosts(self) -> None:
        for url, local in (("http://127.0.0.1:8080", True), ("http://localhost:1", True), ("http://[::1]:8080", True), ("http://10.0.0.5:8080", False), ("https://precedent.example.com", False)):
            self.assertEqual(Connection(url, "prc_test")._local, local, url)

    def test_refused_connections_elsewhere_and_after_an_answer_are_retried_as_before(self) -> None:
        def attempts(message: str) -> int:
            return int(re.search(r"gave up after (\d+) attempt", message).group(1))  # type: ignore[union-attr]

        # A remote host that refuses (here: the local port, taken for a remote one) may be a passing outage.
        server = FakeServer(lambda req, i: OK)
        url = server.url
        server.close()
        remote = self.conn(url, retry_timeout=1.2, backoff=0.05)
        remote._local = False
        with self.assertLogs("precedent.connection", level="WARNING"):
            with self.assertRaises(precedent.ConnectionFailed) as ctx:
                remote.request("GET", "/v1/experiments")
        self.assertGreater(attempts(str(ctx.exception)), 3)
        self.assertNotIn("No precedent service is listening", str(ctx.exception))
        self.assertIn("PRECEDENT_URL", str(ctx.exception))

        # The local service answered before: a refusal now is a restart, worth waiting for.
        server = FakeServer(lambda req, i: OK)
        c = self.conn(server.url, retry_timeout=1.2, backoff=0.05)
        c.request("GET", "/health", auth=False)
        server.close()
        with self.assertLogs("precedent.connection", level="WARNING"):
            with self.assertRaises(precedent.ConnectionFailed) as ctx:
                c.request("GET", "/health", auth=False)
        self.assertGreater(attempts(str(ctx.exception)), 3)

    def test_gives_up_after_retry_timeout_with_the_last_error(self) -> None:
        slow = json_answer(503, {"statusCode": 503, "error": "Service Unavailable", "message": "down"}, {"retry-after": "0.2"})
        with FakeServer(lambda req, i: slow) as server:
            t0 = time.monotonic()
            with self.assertLogs("precedent.connection", level="WARNING"):
                with self.assertRaises(precedent.ApiError) as ctx:
                    self.conn(server.url, retry_timeout=1).request("GET", "/v1/experiments")
            self.assertLess(time.monotonic() - t0, 3)
            self.assertGreaterEqual(len(server.requests), 3)
        self.assertEqual(ctx.exception.status, 503)

    def test_400_is_not_retried_and_names_field_and_reason(self) -> None:
        body = {
            "statusCode": 400,
            "error": "Bad Request",
            "message": "body.searchSpace.C: log scale needs low > 0",
            "issues": [{"field": "body.searchSpace.C", "reason": "log scale needs low > 0"}, {"field": "body.x", "reason": "unknown key"}],
        }
        with FakeServer(lambda req, i: json_answer(400, body)) as server:
            with self.assertRaises(precedent.ApiError) as ctx:
                self.conn(server.url).request("POST", "/v1/experiments", json_body={})
            self.assertEqual(len(server.requests), 1)
        e = ctx.exception
        self.assertEqual((e.status, e.field, e.reason), (400, "body.searchSpace.C", "log scale needs low > 0"))
        self.assertEqual(len(e.issues), 2)
        self.assertIn("POST /v1/experiments", str(e))
        self.assertIn("body.x: unknown key", str(e))

    def test_a_file_body_is_streamed_with_its_length_and_rewound_for_a_retry(self) -> None:
        data = b"a,b,y\n" + b"".join(f"{i},{i * 2},{i % 2}\n".encode() for i in range(5000))
        with FakeServer(lambda req, i: UNAVAILABLE if i == 0 else OK) as server:
            with tempfile.NamedTemporaryFile(suffix=".csv") as f:
                f.write(data)
                f.flush()
                client = precedent.Client(server.url, "prc_test")
                client.connection.backoff = 0.01
                with self.assertLogs("precedent.connection", level="WARNING"):
                    client.register_dataset("t", csv=f.name, target="y")
            self.assertEqual(len(server.requests), 2)
            for r in server.requests:
                self.assertEqual(r.body, data)
                self.assertEqual(r.headers["content-type"], "text/csv")
                self.assertEqual(r.headers["content-length"], str(len(data)))
                self.assertIn("name=t", r.path)
                self.assertIn("target=y", r.path)

    def test_a_file_object_is_accepted_and_text_files_are_refused(self) -> None:
        with FakeServer(lambda req, i: OK) as server:
            client = precedent.Client(server.url, "prc_test")
            client.register_dataset("t", csv=io.BytesIO(b"a,y\n1,0\n"))
            self.assertEqual(server.requests[0].body, b"a,y\n1,0\n")
            with self.assertRaises(TypeError):
                client.register_dataset("t", csv=io.StringIO("a,y\n1,0\n"))

    def test_query_values(self) -> None:
        with FakeServer(lambda req, i: json_answer(200, {"items": []})) as server:
            self.conn(server.url).request("GET", "/v1/x", query={"sameModel": False, "k": 5, "skip": None})
            self.assertEqual(server.requests[0].path, "/v1/x?sameModel=false&k=5")

    def test_nan_is_never_sent(self) -> None:
        with FakeServer(lambda req, i: OK) as server:
            with self.assertRaises(ValueError):
                self.conn(server.url).request("POST", "/v1/trials/x/complete", json_body={"value": float("nan")})
            self.assertEqual(server.requests, [])


class ConfigurationTest(unittest.TestCase):
    def test_url_defaults_and_normalisation(self) -> None:
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(resolve_url(), "http://127.0.0.1:8080")
        with mock.patch.dict(os.environ, {"PRECEDENT_URL": "http://example.test:9000/v1/"}):
            self.assertEqual(resolve_url(), "http://example.test:9000")
        self.assertEqual(resolve_url("https://h/precedent/v1"), "https://h/precedent")
        with self.assertRaises(precedent.ConfigurationError):
            resolve_url("127.0.0.1:8080")

    def test_key_from_the_environment_then_the_file_npm_start_writes(self) -> None:
        with tempfile.TemporaryDirectory() as repo:
            key_file = Path(repo, ".neo4j", "default", "api-key")
            key_file.parent.mkdir(parents=True)
            key_file.write_text("prc_from_file\n")
            nested = Path(repo, "notebooks", "deep")
            nested.mkdir(parents=True)
            cwd = os.getcwd()
            try:
                os.chdir(nested)
                with mock.patch.dict(os.environ, {}, clear=True):
                    self.assertEqual(find_api_key(), ("prc_from_file", str(key_file)))
                with mock.patch.dict(os.environ, {"PRECEDENT_API_KEY": "prc_env"}, clear=True):
                    self.assertEqual(find_api_key()[0], "prc_env")
            finally:
                os.chdir(cwd)
            with mock.patch.dict(os.environ, {"PRECEDENT_NEO4J_HOME": str(key_file.parent)}, clear=True):
                self.assertEqual(find_api_key()[0], "prc_from_file")

    def test_no_key_is_an_error_that_says_what_to_do_when_a_request_needs_one(self) -> None:
        with tempfile.TemporaryDirectory() as empty:
            cwd = os.getcwd()
            try:
                os.chdir(empty)
                with mock.patch.dict(os.environ, {"PRECEDENT_API_KEY_FILE": str(Path(empty, "missing"))}, clear=True):
                    client = precedent.Client("http://127.0.0.1:9")
                    with self.assertRaises(precedent.ConfigurationError) as ctx:
                        client.experiments()
            finally:
                os.chdir(cwd)
        message = str(ctx.exception)
        self.assertIn("PRECEDENT_API_KEY", message)
        # First the key npm start wrote (the default project), then how to point at it; a new key last.
        where = message.index(".neo4j/default/api-key")
        self.assertIn("npm start", message[:where])
        self.assertLess(where, message.index("PRECEDENT_API_KEY_FILE=<checkout>/.neo4j/default/api-key"))
        self.assertLess(message.index("PRECEDENT_API_KEY_FILE=<checkout>"), message.index("npm run keys -- create"))

    def test_no_key_found_from_the_working_directory(self) -> None:
        with tempfile.TemporaryDirectory() as empty:
            cwd = os.getcwd()
            try:
                os.chdir(empty)
                with mock.patch.dict(os.environ, {}, clear=True), mock.patch("precedent.connection._key_file_candidates", return_value=[]):
                    key, message = find_api_key()
            finally:
                os.chdir(cwd)
        self.assertIsNone(key)
        self.assertIn(".neo4j/default/api-key from the working directory upwards", message)
        self.assertLess(message.index("`npm start` writes"), message.index("npm run keys"))


if __name__ == "__main__":
    logging.basicConfig()
    unittest.main()
