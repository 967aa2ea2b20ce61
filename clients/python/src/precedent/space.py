"""Search-space types: :class:`Float`, :class:`Int`, :class:`Categorical`.

A search space is a dict of parameter name → parameter, in order; a condition (``when``) names an
*earlier* categorical parameter and the values for which the parameter is active::

    space = {
        "kernel": precedent.Categorical(["linear", "rbf", "poly"]),
        "C":      precedent.Float(1e-3, 1e3, log=True),
        "gamma":  precedent.Float(1e-4, 10, log=True, when=("kernel", ["rbf", "poly"])),
        "degree": precedent.Int(2, 5, when=("kernel", "poly")),
        "width":  precedent.Categorical([16, 32, "auto"]),     # choices keep their type: 16 != "16"
    }

``step`` is Optuna's: the values are ``low + k·step`` and ``high`` must be on that grid; a step
and a log scale exclude each other (except an int's step 1). In configurations an inactive
parameter is ``None``. The service checks the space and names the parameter and the reason of any
problem (:class:`precedent.ApiError` with ``field`` and ``reason``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = ["Float", "Int", "Categorical", "Param", "Choice", "space_to_api", "space_from_api", "coerce_config", "same_choice"]

Choice = Union[str, int, float, bool, None]
Condition = Tuple[str, Tuple[Choice, ...]]


def _condition(when: Any) -> Optional[Condition]:
    if when is None:
        return None
    if isinstance(when, Mapping):
        parent, values = when.get("parent"), when.get("values")
    else:
        try:
            parent, values = when
        except (TypeError, ValueError):
            raise ValueError(f"when= must be (parent, [values]), got {when!r}") from None
    if isinstance(values, (str, bytes, int, float, bool)) or values is None:
        values = [values]
    if not isinstance(parent, str) or not parent:
        raise ValueError(f"when= must name a parent parameter, got {parent!r}")
    return (parent, tuple(values))


def _condition_api(when: Optional[Condition]) -> Dict[str, Any]:
    return {} if when is None else {"condition": {"parent": when[0], "values": list(when[1])}}


@dataclass(frozen=True)
class Float:
    """A real-valued parameter in ``[low, high]``; ``log=True`` searches it on a log scale, ``step`` on a grid."""

    low: float
    high: float
    log: bool = False
    step: Optional[float] = None
    when: Optional[Condition] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _condition(self.when))

    def to_api(self, name: str) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": name, "type": "float", "low": self.low, "high": self.high, "log": self.log}
        if self.step is not None:
            out["step"] = self.step
        return {**out, **_condition_api(self.when)}

    def coerce(self, value: Any) -> Any:
        return None if value is None else float(value)


@dataclass(frozen=True)
class Int:
    """An integer parameter in ``[low, high]`` (both included); ``log`` and ``step`` as for :class:`Float`."""

    low: int
    high: int
    log: bool = False
    step: Optional[int] = None
    when: Optional[Condition] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _condition(self.when))

    def to_api(self, name: str) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": name, "type": "int", "low": self.low, "high": self.high, "log": self.log}
        if self.step is not None:
            out["step"] = self.step
        return {**out, **_condition_api(self.when)}

    def coerce(self, value: Any) -> Any:
        return None if value is None else int(round(value))


@dataclass(frozen=True)
class Categorical:
    """One of ``choices``: strings, numbers, booleans or ``None``. Choices keep their type (``16`` and ``"16"`` differ)."""

    choices: Tuple[Choice, ...]
    when: Optional[Condition] = None

    def __init__(self, choices: Sequence[Choice], when: Any = None) -> None:
        if isinstance(choices, (str, bytes)):
            raise TypeError("choices must be a list of values, not a string")
        object.__setattr__(self, "choices", tuple(choices))
        object.__setattr__(self, "when", _condition(when))

    def to_api(self, name: str) -> Dict[str, Any]:
        return {"name": name, "type": "categorical", "choices": list(self.choices), **_condition_api(self.when)}

    def coerce(self, value: Any) -> Any:
        """The declared choice equal to ``value`` (so ``1.0`` declared stays a float after a JSON round trip)."""
        for c in self.choices:
            if same_choice(c, value):
                return c
        return value


Param = Union[Float, Int, Categorical]


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def same_choice(a: Any, b: Any) -> bool:
    """Equality as the API sees choices: same JSON type and value (``True`` ≠ ``1``, ``16`` ≠ ``"16"``, ``1`` = ``1.0``)."""
    if _kind(a) != _kind(b):
        return False
    if _kind(a) == "number":
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    return bool(a == b)


def space_to_api(space: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> List[Dict[str, Any]]:
    """The API's ``searchSpace`` list. Takes a dict of name → :class:`Float`/:class:`Int`/:class:`Categorical`
    (or name → a parameter already in API form), or the API's list itself."""
    if isinstance(space, Mapping):
        out = []
        for name, p in space.items():
            if hasattr(p, "to_api"):
                out.append(p.to_api(name))
            elif isinstance(p, Mapping):
                out.append({"name": name, **p})
            else:
                raise TypeError(f"search space {name!r}: expected precedent.Float, Int or Categorical, got {type(p).__name__}")
        return out
    return [dict(p) for p in space]


def space_from_api(params: Sequence[Mapping[str, Any]]) -> Dict[str, Param]:
    """The typed space of an experiment as the API returns it."""
    out: Dict[str, Param] = {}
    for p in params:
        cond = p.get("condition")
        when = (cond["parent"], cond["values"]) if isinstance(cond, Mapping) else None
        kind = p.get("type")
        if kind == "float":
            out[p["name"]] = Float(p["low"], p["high"], bool(p.get("log", False)), p.get("step"), when)
        elif kind == "int":
            out[p["name"]] = Int(int(p["low"]), int(p["high"]), bool(p.get("log", False)), p.get("step"), when)
        elif kind == "categorical":
            out[p["name"]] = Categorical(list(p["choices"]), when)
    return out


def coerce_config(space: Mapping[str, Param], config: Mapping[str, Any]) -> Dict[str, Any]:
    """A configuration from the API with Python types: floats as ``float``, ints as ``int``, choices as declared."""
    out: Dict[str, Any] = {}
    for name, value in config.items():
        p = space.get(name)
        out[name] = p.coerce(value) if p is not None else value
    return out
