"""Exceptions raised by the client.

Every error of the API has one shape, ``{statusCode, error, message, issues?: [{field, reason}],
details?}``; :class:`ApiError` carries it, with the first issue's ``field`` and ``reason`` at hand::

    try:
        client.create_experiment(...)
    except precedent.ApiError as e:
        print(e.status, e.field, e.reason)   # 400 body.searchSpace.C log scale needs low > 0
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional


class PrecedentError(Exception):
    """Base class of everything this package raises on purpose."""


class ConfigurationError(PrecedentError):
    """The client cannot be used as configured (no API key found, a malformed URL)."""


class ConnectionFailed(PrecedentError, ConnectionError):
    """The service could not be reached, and retrying did not help."""


class Issue:
    """One problem of a request: the ``field`` (``body.searchSpace.C``, ``querystring.k``, ``line 3: …``) and the ``reason``."""

    __slots__ = ("field", "reason")

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason

    def __repr__(self) -> str:
        return f"Issue({self.field!r}, {self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Issue) and (self.field, self.reason) == (other.field, other.reason)


class ApiError(PrecedentError):
    """The API answered with an error status.

    Attributes:
        status: the HTTP status (400, 401, 404, 409, 413, 422, 429, 503, …).
        error: the status text (``"Bad Request"``).
        message: the API's message.
        issues: every :class:`Issue` of a 400.
        field, reason: the first issue's, or ``None``.
        details: the API's ``details`` (409s carry the current state), or ``{}``.
        method, path: the request that failed.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error: str = "",
        issues: Optional[List[Issue]] = None,
        details: Optional[Dict[str, Any]] = None,
        method: str = "",
        path: str = "",
        body: Any = None,
    ) -> None:
        self.status = status
        self.message = message
        self.error = error
        self.issues = issues or []
        self.details = details or {}
        self.method = method
        self.path = path
        self.body = body
        super().__init__(str(self))

    @property
    def field(self) -> Optional[str]:
        return self.issues[0].field if self.issues else None

    @property
    def reason(self) -> Optional[str]:
        return self.issues[0].reason if self.issues else None

    def __str__(self) -> str:
        where = f" on {self.method} {self.path}" if self.method else ""
        head = f"{self.status} {self.error}".strip()
        text = self.message
        if len(self.issues) > 1:
            text += "; " + "; ".join(f"{i.field}: {i.reason}" for i in self.issues[1:])
        return f"{head}{where}: {text}"

    @classmethod
    def from_response(cls, status: int, body: Any, method: str = "", path: str = "") -> "ApiError":
        """Builds the error from a response body, whatever it is (JSON error body, text, nothing)."""
        if isinstance(body, Mapping):
            raw_issues = body.get("issues") or []
            issues = [Issue(str(i.get("field", "")), str(i.get("reason", ""))) for i in raw_issues if isinstance(i, Mapping)]
            details = body.get("details")
            return cls(
                int(body.get("statusCode", status) or status),
                str(body.get("message", "")),
                error=str(body.get("error", "")),
                issues=issues,
                details=dict(details) if isinstance(details, Mapping) else None,
                method=method,
                path=path,
                body=body,
            )
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        return cls(status, text.strip()[:500] or "(no body)", method=method, path=path, body=body)
