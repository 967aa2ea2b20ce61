"""HTTP transport: where the service is, the API key, retries and idempotency.

Standard library only (``urllib``). Every request is retried, with exponential backoff and jitter,
when the service answers 429 or 503 (honouring ``Retry-After``), 502/504 (a proxy in between), 409
with ``Retry-After`` (the first attempt of an idempotent request is still running), or when the
connection fails or times out. Every ``POST`` carries one ``Idempotency-Key`` for all of its
attempts, so a retry after a lost response gets the first response back and never creates twice.

One exception: a refused connection to this machine (``127.0.0.1``, ``localhost``, ``::1``) before
the service ever answered means no service is running there (or it runs on another port), not a
passing outage, so it gets two quick retries (about a second in all) and then a
:class:`ConnectionFailed` that says to start the service with ``npm start`` or to set
``PRECEDENT_URL``. Once the service has answered, a refusal is a restart and is retried as usual.

Retries are logged on the ``precedent.connection`` logger (WARNING for outages, INFO for rate limits).
"""
from __future__ import annotations

import email.utils
import http.client
import json
import logging
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import IO, Any, Dict, List, Mapping, Optional, Tuple, Union

from .errors import ApiError, ConfigurationError, ConnectionFailed

__all__ = ["Connection", "Response", "DEFAULT_URL", "find_api_key", "resolve_url"]

log = logging.getLogger("precedent.connection")

DEFAULT_URL = "http://127.0.0.1:8080"
USER_AGENT = "precedent-python/0.1.0"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Retries of a refused connection to a loopback host, and the wait before each: long enough to
#: ride out a restart of the service, short enough that a service that is not running fails fast.
LOCAL_REFUSED_WAITS = (0.3, 0.7)
Body = Union[bytes, IO[bytes], None]


def resolve_url(url: Optional[str] = None) -> str:
    """The service's base URL: ``url``, else ``PRECEDENT_URL``, else ``http://127.0.0.1:8080``.

    A trailing ``/v1`` (as ``npm start`` prints the API URL) or ``/`` is dropped.
    """
    raw = (url or os.environ.get("PRECEDENT_URL") or DEFAULT_URL).strip()
    parsed = urllib.parse.urlsplit(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigurationError(f"not an http(s) URL: {raw!r} (expected something like {DEFAULT_URL})")
    path = parsed.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path, "", ""))


def _key_file_candidates() -> List[Path]:
    """Where ``npm start`` may have stored the default project's key, most specific first."""
    out: List[Path] = []
    home = os.environ.get("PRECEDENT_NEO4J_HOME")
    if home:
        out.append(Path(home) / "api-key")
    starts = [Path.cwd()]
    # An editable install (or running from the checkout) lives inside the repository.
    starts.append(Path(__file__).resolve().parent)
    seen = set()
    for start in starts:
        for folder in [start, *start.parents]:
            if folder in seen:
                continue
            seen.add(folder)
            out.append(folder / ".neo4j" / "default" / "api-key")
            external = folder / ".precedent"
            if external.is_dir():
                out.extend(sorted(external.glob("api-key-*")))
    return out


def find_api_key() -> Tuple[Optional[str], str]:
    """The API key and where it came from: ``PRECEDENT_API_KEY``, ``PRECEDENT_API_KEY_FILE``, or the
    file ``npm start`` writes (``.neo4j/default/api-key`` of the checkout, found from the working
    directory upwards, or ``$PRECEDENT_NEO4J_HOME/api-key``). ``(None, explanation)`` when none is found.
    """
    key = os.environ.get("PRECEDENT_API_KEY", "").strip()
    if key:
        return key, "PRECEDENT_API_KEY"
    named = os.environ.get("PRECEDENT_API_KEY_FILE")
    candidates = [Path(named)] if named else _key_file_candidates()
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if text:
            return text, str(path)
    if named:
        looked = f"PRECEDENT_API_KEY, and PRECEDENT_API_KEY_FILE={named}, which is missing or empty"
    else:
        home = "$PRECEDENT_NEO4J_HOME/api-key, " if os.environ.get("PRECEDENT_NEO4J_HOME") else ""
        looked = f"PRECEDENT_API_KEY, PRECEDENT_API_KEY_FILE, {home}.neo4j/default/api-key from the working directory upwards"
    # The key npm start wrote is the one a newcomer wants (the default project, where their data is);
    # a new key for a new project is the last suggestion, not the first.
    return None, (
        f"no API key found (looked in {looked}). `npm start` writes the default project's key to "
        "<checkout>/.neo4j/default/api-key: run Python from inside the precedent checkout, or set "
        "PRECEDENT_API_KEY_FILE=<checkout>/.neo4j/default/api-key (or PRECEDENT_API_KEY=<key>, or pass api_key=...). "
        "Only for another project: create its key with `npm run keys -- create --project <name>`"
    )


class Response:
    """A successful response: ``status``, ``headers`` (lower-case names) and the decoded ``body``
    (parsed JSON for JSON responses, else text)."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: Any) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Response({self.status})"


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    if "json" in content_type and "ndjson" not in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Connection:
    """One service and one API key. Thread-safe: every request opens its own HTTP connection.

    Args:
        url: base URL (see :func:`resolve_url`).
        api_key: the Bearer key (see :func:`find_api_key`).
        timeout: seconds to wait for one response.
        retry_timeout: retrying stops once this many seconds have passed since the first attempt
            (a refused local connection gives up sooner: see the module docstring).
        max_retries: at most this many retries per request (``None``: limited by ``retry_timeout`` only).
        backoff: first backoff in seconds without ``Retry-After``; doubles per attempt, up to ``max_backoff``.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: float = 60.0,
        retry_timeout: float = 120.0,
        max_retries: Optional[int] = None,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
    ) -> None:
        self.url = resolve_url(url)
        self.url_source = "url argument" if url else "PRECEDENT_URL" if os.environ.get("PRECEDENT_URL") else "the default URL"
        if api_key:
            self.api_key: Optional[str] = api_key.strip()
            self.api_key_source = "api_key argument"
        else:
            self.api_key, self.api_key_source = find_api_key()
        self.timeout = timeout
        self.retry_timeout = retry_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        # Requests to the service never go through an HTTP proxy of the environment when it is local.
        handlers: List[urllib.request.BaseHandler] = []
        host = urllib.parse.urlsplit(self.url).hostname or ""
        self._local = host in LOOPBACK_HOSTS
        # Set once the service has answered: a refusal after that is a restart, worth waiting for.
        self._answered = False
        if self._local:
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"Connection({self.url!r})"

    # -- one attempt --------------------------------------------------------------------------

    def _send(self, method: str, url: str, data: Body, headers: Dict[str, str]) -> Tuple[int, Dict[str, str], bytes]:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as res:
                return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
        except urllib.error.HTTPError as err:
            with err:
                raw = err.read() if err.fp is not None else b""
            return err.code, {k.lower(): v for k, v in (err.headers or {}).items()}, raw

    def _unreachable(self, method: str, url: str, failure: str, attempts: int, not_running: bool) -> ConnectionFailed:
        """The final error, saying what to do: a refused local connection means nothing runs there."""
        where = f"{self.url} ({self.url_source})"
        if not_running:
            hint = (
                f"No precedent service is listening at {where}. Start it with `npm start` in the precedent "
                "checkout, or, if it runs elsewhere (another port or host), set PRECEDENT_URL to its URL "
                "(or pass Client(url=...))."
            )
        else:
            hint = f"Is the precedent service running and reachable at {where}? If it runs elsewhere, set PRECEDENT_URL to its URL (or pass Client(url=...))."
        return ConnectionFailed(f"{method} {url}: {failure} (gave up after {attempts} attempt(s)). {hint}")

    def _wait(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, 60.0)
        return min(self.max_backoff, self.backoff * (2**attempt)) * (0.5 + random.random() / 2)

    # -- the public entry ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        data: Body = None,
        content_type: Optional[str] = None,
        content_length: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        auth: bool = True,
        retry_timeout: Optional[float] = None,
    ) -> Response:
        """Sends a request, retrying as the module docstring describes; raises :class:`ApiError` for
        an error answer and :class:`ConnectionFailed` when the service stays unreachable.

        ``json_body`` is sent as JSON; ``data`` (bytes or a binary file) as is with ``content_type``.
        A file is rewound before each retry. ``POST`` gets an ``Idempotency-Key`` (a new UUID unless
        ``idempotency_key`` is given) that all attempts share. ``retry_timeout`` overrides the
        connection's for this request (``0``: no retries).
        """
        method = method.upper()
        if auth and not self.api_key:
            raise ConfigurationError(self.api_key_source)
        url = self.url + path
        if query:
            pairs = [(k, "true" if v is True else "false" if v is False else str(v)) for k, v in query.items() if v is not None]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        if auth:
            headers["authorization"] = f"Bearer {self.api_key}"
        if json_body is not None:
            # allow_nan=False: NaN and Infinity are not JSON; the API would reject them anyway.
            data = json.dumps(json_body, allow_nan=False, separators=(",", ":")).encode("utf-8")
            content_type = "application/json"
        if content_type:
            headers["content-type"] = content_type
        if isinstance(data, (bytes, bytearray)):
            headers["content-length"] = str(len(data))
        elif data is not None and content_length is not None:
            headers["content-length"] = str(content_length)
        if method == "POST":
            headers["idempotency-key"] = idempotency_key or str(uuid.uuid4())
        rewind: Optional[int] = None
        if data is not None and not isinstance(data, (bytes, bytearray)):
            try:
                rewind = data.tell()
            except (AttributeError, OSError):
                rewind = None

        started = time.monotonic()
        attempt = 0
        while True:
            if attempt > 0 and rewind is not None:
                data.seek(rewind)  # type: ignore[union-attr]
            failure: Optional[str] = None
            refused = False
            retry_after: Optional[float] = None
            try:
                status, res_headers, raw = self._send(method, url, data, headers)
            except (urllib.error.URLError, http.client.HTTPException, OSError, socket.timeout) as err:
                reason = getattr(err, "reason", err)
                failure = f"{type(reason).__name__}: {reason}"
                refused = isinstance(reason, ConnectionRefusedError)
                status, res_headers, raw = 0, {}, b""
            if failure is None:
                self._answered = True
                body = _decode(raw, res_headers.get("content-type", ""))
                if status < 400:
                    return Response(status, res_headers, body)
                retry_after = _retry_after(res_headers.get("retry-after"))
                retryable = status in RETRY_STATUSES or (status == 409 and retry_after is not None)
                if not retryable:
                    raise ApiError.from_response(status, body, method, path)
            # A body that was a one-shot stream cannot be sent again.
            resendable = data is None or isinstance(data, (bytes, bytearray)) or rewind is not None
            wait = self._wait(attempt, retry_after)
            budget = self.retry_timeout if retry_timeout is None else retry_timeout
            out_of_tries = self.max_retries is not None and attempt >= self.max_retries
            fail_fast = refused and self._local and not self._answered
            if fail_fast:
                # Nothing listens on this machine's port and nothing ever answered there: the service
                # is not running (or runs on another port), which no retry mends. Do not wait out
                # retry_timeout. (Once it has answered, a refusal is a restart: retried as usual.)
                if attempt >= len(LOCAL_REFUSED_WAITS):
                    out_of_tries = True
                else:
                    wait = LOCAL_REFUSED_WAITS[attempt]
            out_of_time = time.monotonic() - started + wait > budget
            if not resendable or out_of_time or out_of_tries:
                if failure is not None:
                    raise self._unreachable(method, url, failure, attempt + 1, fail_fast)
                raise ApiError.from_response(status, body, method, path)
            what = failure or f"answered {status}"
            level = logging.INFO if status in (409, 429) else logging.WARNING
            log.log(
                level,
                "%s %s %s; retrying in %.1f s (attempt %d)",
                method, path, what, wait, attempt + 2,
                extra={"precedent_status": status, "precedent_method": method, "precedent_path": path},
            )
            time.sleep(wait)
            attempt += 1
