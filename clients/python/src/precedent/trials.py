"""Trials: one configuration of an experiment, its result and where it came from."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .connection import Connection

__all__ = ["Trial"]


class Trial:
    """A trial as the API returns it.

    Attributes:
        id, number: the trial's id and its gap-free number within the experiment.
        config: the configuration, with Python types (inactive parameters are ``None``).
        state: ``queued``, ``running``, ``completed``, ``failed``, ``pruned`` or ``stale``.
        value, metrics: the result, once reported.
        strategy: how it was chosen: ``random``/``sobol``/``lhs`` (initial design), ``portfolio``/``warm-start``
            (warm design from similar experiments), ``gp-bo``, ``transfer-bo``, or ``manual`` (a person's).
        provenance: the optimizer's full record (priors, source trials, model, notes), or ``None``.
        proposed_by: ``optimizer``, ``person`` or ``import``.
        raw: the API's JSON object.
    """

    def __init__(self, raw: Mapping[str, Any], config: Dict[str, Any], conn: Optional["Connection"] = None) -> None:
        self.raw = dict(raw)
        self.config = config
        self._conn = conn

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def number(self) -> int:
        return self.raw["number"]

    @property
    def experiment_id(self) -> str:
        return self.raw["experimentId"]

    @property
    def state(self) -> str:
        return self.raw["state"]

    @property
    def value(self) -> Optional[float]:
        return self.raw.get("value")

    @property
    def metrics(self) -> Dict[str, float]:
        return self.raw.get("metrics") or {}

    @property
    def intermediate(self) -> List[Dict[str, float]]:
        return self.raw.get("intermediate") or []

    @property
    def strategy(self) -> Optional[str]:
        return self.raw.get("strategy")

    @property
    def provenance(self) -> Optional[Dict[str, Any]]:
        return self.raw.get("provenance")

    @property
    def proposed_by(self) -> str:
        return self.raw.get("proposedBy", "")

    @property
    def reason(self) -> Optional[str]:
        return self.raw.get("reason")

    @property
    def fail_reason(self) -> Optional[str]:
        return self.raw.get("failReason")


    @property
    def priors(self) -> List[str]:
        """Ids of the prior experiments this suggestion drew on (``provenance.priors``)."""
        prov = self.provenance or {}
        return [p["experimentId"] for p in prov.get("priors", []) if isinstance(p, Mapping) and "experimentId" in p]

    def report(self, step: int, value: float) -> None:
        """Reports an intermediate value (a learning-curve point) while the trial runs."""
        if self._conn is None:
            raise RuntimeError("this trial is not bound to a client")
        if not math.isfinite(value):
            raise ValueError(f"intermediate value must be finite, got {value!r}")
        res = self._conn.request("POST", f"/v1/trials/{self.id}/report", json_body={"step": int(step), "value": float(value)})
        self.raw = res.body

    def __repr__(self) -> str:
        result = f" value={self.value!r}" if self.value is not None else ""
        return f"Trial(#{self.number} {self.state} {self.strategy}{result} config={self.config!r})"
