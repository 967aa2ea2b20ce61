"""Experiments: one optimization study (a dataset, a model, a search space, an objective), asked and told."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, overload

from .datasets import Dataset, resolve_dataset_id
from .space import Param, coerce_config, space_from_api, space_to_api
from .trials import Trial

if TYPE_CHECKING:  # pragma: no cover
    from .connection import Connection
    from .optimize import Catch

__all__ = ["Experiment", "SimilarExperiment", "create_experiment", "get_experiment", "list_experiments", "DEFAULT_METRIC"]

#: The metric name used when an objective gives only a direction. Warm start needs the same metric
#: (and model) on both sides, so the Optuna sampler and the Optuna importer use it too.
DEFAULT_METRIC = "objective"

Objective = Union[str, Tuple[str, str], Mapping[str, str]]


def objective_to_api(objective: Objective) -> Dict[str, str]:
    """``"maximize"`` → ``{"metric": "objective", "direction": "maximize"}``; ``("accuracy", "maximize")`` → that."""
    if isinstance(objective, str):
        metric, direction = DEFAULT_METRIC, objective
    elif isinstance(objective, Mapping):
        metric, direction = objective["metric"], objective["direction"]
    else:
        metric, direction = objective
    if direction not in ("maximize", "minimize"):
        raise ValueError(f"objective direction must be 'maximize' or 'minimize', got {direction!r}")
    return {"metric": metric, "direction": direction}


def _warm_start_to_api(warm_start: Any) -> Dict[str, Any]:
    if isinstance(warm_start, str):
        if warm_start not in ("auto", "off"):
            raise ValueError("warm_start must be 'auto', 'off', a list of experiments (explicit priors) or a dict")
        return {"mode": warm_start}
    if isinstance(warm_start, Mapping):
        return dict(warm_start)
    ids = [e.id if isinstance(e, Experiment) else str(e) for e in warm_start]
    return {"mode": "explicit", "experiments": ids}


def _model_to_api(model: Union[str, Mapping[str, str]]) -> Dict[str, str]:
    return {"name": model} if isinstance(model, str) else dict(model)


class SimilarExperiment:
    """A past experiment similar to a dataset or an experiment, with the reasons.

    Attributes: ``experiment_id``, ``name``, ``dataset_name``, ``similarity`` (meta-features, in [0, 1],
    or ``None``), ``reasons``, ``best_value``, ``best_config``, ``completed_trials``, ``raw``.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)
        e = self.raw["experiment"]
        best = self.raw.get("bestTrial") or {}
        self.experiment_id: str = e["id"]
        self.name: str = e["name"]
        self.dataset_name: str = e.get("datasetName", "")
        self.similarity: Optional[float] = self.raw.get("similarity")
        self.reasons: Dict[str, Any] = self.raw.get("reasons") or {}
        self.best_value: Optional[float] = best.get("value")
        self.best_config: Optional[Dict[str, Any]] = best.get("config")
        self.completed_trials: int = self.raw.get("completedTrials", 0)

    def __repr__(self) -> str:
        sim = "n/a" if self.similarity is None else f"{self.similarity:.3f}"
        return f"SimilarExperiment({self.name!r} on {self.dataset_name!r}, similarity={sim}, best={self.best_value}, trials={self.completed_trials})"


class Experiment:
    """An experiment. Ask for configurations, evaluate them, tell the results — or let :meth:`optimize` loop.

    Attributes:
        id, name, status (``running``, ``paused``, ``finished``), dataset_id, model (dict),
        metric, direction, search_space (dict of name → :class:`Float`/:class:`Int`/:class:`Categorical`),
        created (``False`` when ``reuse`` resumed an existing experiment), raw (the API's JSON object).
    """

    def __init__(self, conn: "Connection", raw: Mapping[str, Any], search_space: Optional[Dict[str, Param]] = None, created: bool = True) -> None:
        self._conn = conn
        self.raw = dict(raw)
        self.created = created
        # The space as the caller declared it keeps their Python types (1.0 stays a float choice).
        self.search_space: Dict[str, Param] = search_space or space_from_api(self.raw["searchSpace"])

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def status(self) -> str:
        return self.raw["status"]

    @property
    def dataset_id(self) -> str:
        return self.raw["datasetId"]

    @property
    def model(self) -> Dict[str, str]:
        return self.raw["model"]

    @property
    def metric(self) -> str:
        return self.raw["objective"]["metric"]

    @property
    def direction(self) -> str:
        return self.raw["objective"]["direction"]


    def __repr__(self) -> str:
        return f"Experiment({self.name!r} id={self.id} {self.status} {self.direction} {self.metric})"

    def _trial(self, raw: Mapping[str, Any]) -> Trial:
        return Trial(raw, coerce_config(self.search_space, raw.get("config") or {}), self._conn)

    def is_better(self, a: float, b: Optional[float]) -> bool:
        """Whether value ``a`` beats ``b`` in this experiment's direction (anything beats ``None``)."""
        return b is None or (a > b if self.direction == "maximize" else a < b)

    # -- state ----------------------------------------------------------------------------------

    def refresh(self) -> "Experiment":
        """Reloads the experiment (status, settings, trial count)."""
        self.raw = {k: v for k, v in self._conn.request("GET", f"/v1/experiments/{self.id}").body.items() if k not in ("counts", "bestTrial")}
        return self

    @property
    def best_trial(self) -> Optional[Trial]:
        """The best completed, valid trial so far, or ``None``."""
        best = self._conn.request("GET", f"/v1/experiments/{self.id}").body.get("bestTrial")
        return self._trial(best) if best else None

    @property
    def counts(self) -> Dict[str, int]:
        """Trials per state."""
        return dict(self._conn.request("GET", f"/v1/experiments/{self.id}").body.get("counts") or {})

    def trials(self, state: Optional[str] = None) -> List[Trial]:
        """Every trial in number order (optionally only those in ``state``)."""
        out: List[Trial] = []
        offset: Optional[int] = 0
        while offset is not None:
            page = self._conn.request("GET", f"/v1/experiments/{self.id}/trials", query={"state": state, "limit": 500, "offset": offset}).body
            out += [self._trial(t) for t in page["items"]]
            offset = page.get("nextOffset")
        return out

    def trial(self, trial_id: str) -> Trial:
        return self._trial(self._conn.request("GET", f"/v1/trials/{trial_id}").body)

    # -- ask and tell ---------------------------------------------------------------------------

    @overload
    def ask(self) -> Trial: ...

    @overload
    def ask(self, n: int) -> List[Trial]: ...

    def ask(self, n: Optional[int] = None) -> Union[Trial, List[Trial]]:
        """One configuration to evaluate (a running :class:`Trial`), or a list of ``n``.

        Configurations a person queued come first, then the optimizer's, warm-started from similar
        past experiments. Concurrent asks never get a configuration that is queued or running.
        Raises :class:`ApiError` 409 when the experiment is paused or finished, or the budget is used up.
        """
        count = 1 if n is None else int(n)
        body = self._conn.request("POST", f"/v1/experiments/{self.id}/suggestions", json_body={"count": count}).body
        trials = [self._trial(t) for t in body["trials"]]
        return trials[0] if n is None else trials

    def tell(
        self,
        trial: Union[Trial, str],
        value: Optional[float] = None,
        *,
        metrics: Optional[Mapping[str, float]] = None,
        failed: Union[str, bool, None] = None,
        duration: Optional[float] = None,
    ) -> Trial:
        """Reports a result: ``tell(t, 0.91, metrics={"f1": 0.8})``, or a failure: ``tell(t, failed="out of memory")``.

        Telling the same result twice is harmless; another value for a completed trial is a 409.
        """
        trial_id = trial.id if isinstance(trial, Trial) else str(trial)
        if failed is not None and failed is not False:
            reason = failed if isinstance(failed, str) else None
            body: Optional[Dict[str, Any]] = {} if reason is None else {"reason": reason[:2000]}
            return self._trial(self._conn.request("POST", f"/v1/trials/{trial_id}/fail", json_body=body).body)
        if value is None:
            raise ValueError("tell() needs a value, or failed='reason'")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"the value must be finite, got {value!r}; report it as failed='...' instead")
        payload: Dict[str, Any] = {"value": value}
        if metrics:
            payload["metrics"] = {k: float(v) for k, v in metrics.items()}
        if duration is not None:
            payload["durationSeconds"] = max(0.0, float(duration))
        return self._trial(self._conn.request("POST", f"/v1/trials/{trial_id}/complete", json_body=payload).body)

    def enqueue(self, config: Mapping[str, Any], *, reason: Optional[str] = None, user: Optional[str] = None) -> Trial:
        """Queues a person's configuration: the next :meth:`ask` hands it out before anything the optimizer proposes."""
        return self.add_trial(config, queue=True, reason=reason, user=user)

    def add_trial(
        self,
        config: Mapping[str, Any],
        value: Optional[float] = None,
        *,
        failed: Union[str, bool, None] = None,
        metrics: Optional[Mapping[str, float]] = None,
        queue: bool = False,
        reason: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Trial:
        """Adds a configuration a person chose: evaluated (``value``), failed, queued, or running (none of these)."""
        body: Dict[str, Any] = {"config": dict(config)}
        if value is not None:
            body["value"] = float(value)
        if failed is not None and failed is not False:
            body["failed"] = True
            if isinstance(failed, str):
                body["failReason"] = failed[:2000]
        if metrics:
            body["metrics"] = {k: float(v) for k, v in metrics.items()}
        if queue:
            body["queue"] = True
        if reason is not None:
            body["reason"] = reason[:2000]
        if user is not None:
            body["user"] = user[:200]
        return self._trial(self._conn.request("POST", f"/v1/experiments/{self.id}/trials", json_body=body).body)

    def optimize(
        self,
        objective: Callable[[Any], Any],
        n_trials: int,
        n_workers: int = 1,
        catch: "Catch" = (),
        *,
        timeout: Optional[float] = None,
        verbose: bool = True,
    ) -> Optional[Trial]:
        """Runs ``n_trials`` trials: ask, ``objective(config)`` (or ``objective(trial)``), tell. See :func:`precedent.optimize.optimize`.

        As in Optuna, an exception from the objective fails its trial and is raised (``catch=()``);
        ``catch=(ValueError,)`` fails only the trial for those and goes on.
        """
        from .optimize import optimize

        return optimize(self, objective, n_trials, n_workers=n_workers, catch=catch, timeout=timeout, verbose=verbose)

    # -- knowledge ------------------------------------------------------------------------------

    def similar(self, k: int = 5, *, same_model: bool = True, same_objective: bool = True, min_overlap: Optional[float] = None) -> List[SimilarExperiment]:
        """The past experiments most similar to this one, most similar first, each with its reasons."""
        query = {"k": k, "sameModel": same_model, "sameObjective": same_objective, "minOverlap": min_overlap}
        return [SimilarExperiment(i) for i in self._conn.request("GET", f"/v1/experiments/{self.id}/similar", query=query).body["items"]]

    def replay(self) -> Dict[str, Any]:
        """Recomputes every optimizer suggestion from the recorded history and compares (``checked``, ``matched``, ``mismatches``)."""
        return dict(self._conn.request("GET", f"/v1/experiments/{self.id}/replay").body)

    def export(self) -> str:
        """The experiment as one JSON Lines record (format ``precedent.experiment/1``)."""
        return str(self._conn.request("GET", f"/v1/experiments/{self.id}/export").body)

    # -- settings and status --------------------------------------------------------------------

    def update(self, *, warm_start: Any = None, budget: Optional[int] = None, optimizer: Optional[Mapping[str, Any]] = None, user: Optional[str] = None) -> "Experiment":
        """Changes warm-start, budget or optimizer settings (recorded; applies from the next suggestion)."""
        body: Dict[str, Any] = {}
        if warm_start is not None:
            body["warmStart"] = _warm_start_to_api(warm_start)
        if budget is not None:
            body["budget"] = {"maxTrials": int(budget)}
        if optimizer is not None:
            body["optimizer"] = dict(optimizer)
        if user is not None:
            body["user"] = user
        self.raw = dict(self._conn.request("PATCH", f"/v1/experiments/{self.id}", json_body=body).body)
        return self

    def _status(self, action: str) -> "Experiment":
        self.raw = dict(self._conn.request("POST", f"/v1/experiments/{self.id}/{action}").body)
        return self

    def pause(self) -> "Experiment":
        return self._status("pause")

    def resume(self) -> "Experiment":
        return self._status("resume")

    def finish(self) -> "Experiment":
        return self._status("finish")


def create_experiment(
    conn: "Connection",
    name: str,
    dataset: Union[Dataset, str],
    model: Union[str, Mapping[str, str]],
    search_space: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]],
    objective: Objective = "maximize",
    *,
    budget: Optional[int] = None,
    warm_start: Any = "auto",
    seed: Optional[int] = None,
    reuse: bool = True,
    optimizer: Optional[Mapping[str, Any]] = None,
    tags: Optional[Sequence[str]] = None,
    candidates: Optional[Sequence[Mapping[str, Any]]] = None,
) -> Experiment:
    """See :meth:`precedent.Client.create_experiment`."""
    body: Dict[str, Any] = {
        "name": name,
        "datasetId": resolve_dataset_id(conn, dataset),
        "model": _model_to_api(model),
        "searchSpace": space_to_api(search_space),
        "objective": objective_to_api(objective),
        "warmStart": _warm_start_to_api(warm_start),
        "ifExists": "reuse" if reuse else "create",
    }
    if budget is not None:
        body["budget"] = {"maxTrials": int(budget)}
    if seed is not None:
        body["seed"] = int(seed)
    if optimizer:
        body["optimizer"] = dict(optimizer)
    if tags:
        body["tags"] = list(tags)
    if candidates:
        body["candidates"] = [dict(c) for c in candidates]
    res = conn.request("POST", "/v1/experiments", json_body=body)
    typed = {k: v for k, v in search_space.items() if hasattr(v, "coerce")} if isinstance(search_space, Mapping) else {}
    space = typed if len(typed) == len(res.body["searchSpace"]) else None
    return Experiment(conn, res.body, space, created=res.status == 201)


def get_experiment(conn: "Connection", experiment_id: str) -> Experiment:
    raw = conn.request("GET", f"/v1/experiments/{experiment_id}").body
    return Experiment(conn, {k: v for k, v in raw.items() if k not in ("counts", "bestTrial")}, created=False)


def list_experiments(
    conn: "Connection", *, name: Optional[str] = None, dataset: Union[Dataset, str, None] = None, model: Optional[str] = None, status: Optional[str] = None
) -> List[Experiment]:
    """Every experiment of the project matching the filters (``name``: a case-insensitive substring)."""
    dataset_id = None if dataset is None else resolve_dataset_id(conn, dataset)
    out: List[Experiment] = []
    offset: Optional[int] = 0
    while offset is not None:
        query = {"name": name, "datasetId": dataset_id, "model": model, "status": status, "limit": 500, "offset": offset}
        page = conn.request("GET", "/v1/experiments", query=query).body
        out += [Experiment(conn, e, created=False) for e in page["items"]]
        offset = page.get("nextOffset")
    return out
