"""Existing Optuna studies become knowledge: read them through Optuna's storage API and import them.

``python -m precedent import-optuna`` is the command-line face of :func:`import_studies`. A study
becomes one experiment line of the JSON Lines format ``precedent.experiment/1``:

- the search space is every parameter any trial used, from Optuna's distributions (``float``,
  ``int``, ``categorical``; a parameter whose range changed during the study gets the union). A
  parameter that only some trials used becomes conditional when a categorical parameter explains it
  (``gamma`` used exactly when ``kernel`` is ``rbf``); otherwise the side with fewer trials gives way
  (the parameter is dropped, or the trials without it are left out), and the output says so;
- trials keep their number, state (COMPLETE → ``completed``, PRUNED → ``pruned`` with its last
  intermediate value, FAIL → ``failed``; RUNNING and WAITING trials have no result and are left out),
  value, intermediate values, start and end times; numeric user attributes become metrics, and all
  user attributes are kept in ``provenance.userAttrs``;
- the experiment id is derived from the study (its name and first trial's start), the dataset and
  the model, so importing the same study again creates nothing (``exists``).

After the import the study is a prior: similarity search finds it, and warm start uses it for new
experiments of the same model and metric on similar datasets.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

# First: without Optuna, precedent.optuna raises the ImportError that says how to install it.
from .optuna import EXPERIMENT_ID_ATTR, distribution_to_param, from_optuna_value  # isort: skip

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from .experiments import DEFAULT_METRIC
from .space import same_choice

__all__ = ["open_storage", "study_names", "study_to_line", "dataset_fields", "import_studies", "FORMAT"]

FORMAT = "precedent.experiment/1"
#: Namespace of the experiment ids derived from studies (uuid5).
NAMESPACE = uuid.UUID("8e0c5b8e-6a43-4c54-9a3e-4e7f0b5f1c2d")
_DATASET_FIELDS = ("name", "version", "fingerprint", "taskType", "instances", "features", "classes", "description", "metaFeatures")


def open_storage(url: str) -> Any:
    """An Optuna storage for ``url``: any URL Optuna accepts (``sqlite:///…``, ``postgresql://…``,
    ``mysql://…``), ``journal:///path/to/file.log`` for a journal file, or a plain path to a SQLite
    file or a journal file (``.log``/``.journal``)."""
    if url.startswith("journal:"):
        rest = url[len("journal:"):]
        return _journal(rest[2:] if rest.startswith("//") else rest)
    if "://" not in url:
        if url.endswith((".log", ".journal", ".jsonl")):
            return _journal(url)
        url = "sqlite:///" + os.path.abspath(url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:" and not os.path.exists(path):
            # Optuna would create an empty database there; a typo should not look like "no studies".
            raise FileNotFoundError(f"no SQLite file at {path} (from --storage {url})")
    return optuna.storages.get_storage(url)


def _journal(path: str) -> Any:
    if not os.path.exists(path):
        raise FileNotFoundError(f"no journal file at {path}")
    try:  # Optuna >= 4.0
        from optuna.storages.journal import JournalFileBackend as Backend
    except ImportError:  # Optuna 3.x
        from optuna.storages import JournalFileStorage as Backend  # type: ignore[no-redef]
    return optuna.storages.JournalStorage(Backend(path))


def study_names(storage: Any) -> List[str]:
    return [s.study_name for s in storage.get_all_studies()]


# --- the search space ------------------------------------------------------------------------------

def _merge(name: str, dists: Sequence[BaseDistribution]) -> BaseDistribution:
    """One distribution covering every distribution a parameter had during the study."""
    first = dists[0]
    if all(d == first for d in dists):
        return first
    if all(isinstance(d, CategoricalDistribution) for d in dists):
        choices: List[Any] = []
        for d in dists:
            for c in d.choices:  # type: ignore[attr-defined]
                if not any(same_choice(c, k) for k in choices):
                    choices.append(c)
        return CategoricalDistribution(choices)
    if all(isinstance(d, IntDistribution) for d in dists):
        low, high = min(d.low for d in dists), max(d.high for d in dists)  # type: ignore[attr-defined]
        log = all(d.log for d in dists)  # type: ignore[attr-defined]
        steps = {(d.step, d.low) for d in dists}  # type: ignore[attr-defined]
        step = next(iter(steps))[0] if len(steps) == 1 and not log else 1
        return IntDistribution(low, high - (high - low) % step, log=log, step=step)
    if all(isinstance(d, (FloatDistribution, IntDistribution)) for d in dists):
        low, high = float(min(d.low for d in dists)), float(max(d.high for d in dists))  # type: ignore[attr-defined]
        log = all(d.log for d in dists)  # type: ignore[attr-defined]
        steps = {(getattr(d, "step", None), d.low) for d in dists if isinstance(d, FloatDistribution)}  # type: ignore[attr-defined]
        same_grid = len(steps) == 1 and all(isinstance(d, FloatDistribution) for d in dists) and not log
        return FloatDistribution(low, high, log=log, step=next(iter(steps))[0] if same_grid else None)
    kinds = sorted({type(d).__name__ for d in dists})
    raise ValueError(f"parameter {name!r} changed kind during the study ({', '.join(kinds)}); precedent needs one")


class _Space:
    """The search space of a study's trials, with conditions inferred from which trials used what."""

    def __init__(self, trials: Sequence[FrozenTrial]) -> None:
        self.notes: List[str] = []
        order: List[str] = []
        dists: Dict[str, List[BaseDistribution]] = {}
        for t in trials:
            for name, d in t.distributions.items():
                if name not in dists:
                    order.append(name)
                    dists[name] = []
                if d not in dists[name]:
                    dists[name].append(d)
        self.dists: Dict[str, BaseDistribution] = {}
        for name in order:
            merged = _merge(name, dists[name])
            if distribution_to_param(name, merged) is None:
                self.notes.append(f"parameter {name!r} left out: precedent cannot express {merged}")
                continue
            self.dists[name] = merged
        self.order = [n for n in order if n in self.dists]
        self.conditions: Dict[str, Tuple[str, List[Any]]] = {}
        self.required: Dict[str, bool] = {}
        self._infer_conditions(trials)

    def _infer_conditions(self, trials: Sequence[FrozenTrial]) -> None:
        for name in list(self.order):
            used = [t for t in trials if name in t.params]
            unused = [t for t in trials if name not in t.params]
            if not unused:
                continue
            parent = self._explaining_parent(name, used, unused)
            if parent is not None:
                values: List[Any] = []
                for t in used:
                    v = t.params[parent]
                    if not any(same_choice(v, k) for k in values):
                        values.append(v)
                choices = self.dists[parent].choices  # type: ignore[attr-defined]
                values.sort(key=lambda v: next(i for i, c in enumerate(choices) if same_choice(c, v)))
                self.conditions[name] = (parent, values)
            elif len(used) < len(unused):
                self.notes.append(f"parameter {name!r} left out: only {len(used)} of {len(trials)} trials used it, and no categorical parameter explains when")
                self.order.remove(name)
                del self.dists[name]
            else:
                self.required[name] = True
                self.notes.append(f"{len(unused)} trial(s) left out: they did not use {name!r}, and no categorical parameter explains when")
        # A condition's parent must come first.
        for name, (parent, _) in self.conditions.items():
            if self.order.index(parent) > self.order.index(name):
                self.order.remove(name)
                self.order.insert(self.order.index(parent) + 1, name)

    def _explaining_parent(self, name: str, used: Sequence[FrozenTrial], unused: Sequence[FrozenTrial]) -> Optional[str]:
        for parent in self.order:
            if parent == name or not isinstance(self.dists[parent], CategoricalDistribution):
                continue
            if not all(parent in t.params for t in used):
                continue
            on = [t.params[parent] for t in used]
            off = [t.params[parent] for t in unused if parent in t.params]
            if not any(same_choice(a, b) for a in on for b in off):
                return parent
        return None

    def api(self) -> List[Dict[str, Any]]:
        out = []
        for name in self.order:
            p = distribution_to_param(name, self.dists[name])
            assert p is not None
            if name in self.conditions:
                parent, values = self.conditions[name]
                p["condition"] = {"parent": parent, "values": values}
            out.append(p)
        return out

    def config(self, trial: FrozenTrial) -> Tuple[Optional[Dict[str, Any]], str]:
        """The trial's configuration, or (None, why it cannot be imported)."""
        config: Dict[str, Any] = {}
        for name in self.order:
            if name not in trial.params:
                if self.required.get(name):
                    return None, f"did not use {name!r}"
                continue
            value = from_optuna_value(self.dists[name], trial.params[name])
            if value is None:
                return None, f"{name}={trial.params[name]!r} is outside {self.dists[name]}"
            config[name] = value
        # A conditional parameter is active only when its parent has a listed value; a parameter the
        # trial did not use is then null, and one it used must be active.
        for name, (parent, values) in self.conditions.items():
            active = parent in config and any(same_choice(config[parent], v) for v in values)
            if name in config and not active:
                return None, f"used {name!r} with {parent}={config.get(parent)!r}"
            if name not in config and active:
                return None, f"did not use {name!r} although {parent}={config[parent]!r}"
        return config, ""


# --- one study -------------------------------------------------------------------------------------

def _iso(d: Optional[_dt.datetime]) -> Optional[str]:
    """Optuna's datetimes are naive local times; the format wants an offset."""
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.astimezone()
    return d.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v, allow_nan=False)
        return v
    except (TypeError, ValueError):
        return repr(v)


def dataset_fields(dataset: Mapping[str, Any]) -> Dict[str, Any]:
    """The fields of a dataset (an API object or a dict) that an import line carries."""
    return {k: dataset[k] for k in _DATASET_FIELDS if dataset.get(k) is not None}


def study_to_line(
    study: Study, *, dataset: Mapping[str, Any], model: Mapping[str, Any], metric: Optional[str] = None
) -> Tuple[Optional[Dict[str, Any]], List[str]]:
    """The JSON Lines record of a study, and notes on what was left out. ``None`` when nothing can be imported."""
    notes: List[str] = []
    if len(study.directions) != 1:
        return None, ["multi-objective study: precedent experiments have one objective"]
    direction = "maximize" if study.direction == StudyDirection.MAXIMIZE else "minimize"
    finished = [t for t in study.get_trials(deepcopy=False) if t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)]
    skipped = sum(1 for t in study.get_trials(deepcopy=False) if t.state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL))
    if skipped:
        notes.append(f"{skipped} running or waiting trial(s) left out: they have no result")
    finished.sort(key=lambda t: t.number)
    if not any(t.distributions for t in finished):
        return None, notes + ["no finished trial with parameters"]
    try:
        space = _Space([t for t in finished if t.distributions])
    except ValueError as err:
        return None, notes + [str(err)]
    notes += space.notes
    if not space.order:
        return None, notes

    trials: List[Dict[str, Any]] = []
    unfit: Dict[str, int] = {}
    for t in finished:
        config, why = space.config(t)
        if config is None:
            unfit[why] = unfit.get(why, 0) + 1
            continue
        row: Dict[str, Any] = {"number": t.number, "config": config}
        value = t.value if len(study.directions) == 1 and t.values else None
        if t.state == TrialState.COMPLETE:
            if _finite(value):
                row.update(state="completed", value=float(value))  # type: ignore[arg-type]
            else:
                row.update(state="failed", failReason=f"value {value} in Optuna")
        elif t.state == TrialState.PRUNED:
            row.update(state="pruned", value=float(value) if _finite(value) else None)  # type: ignore[arg-type]
        else:
            reason = t.system_attrs.get("fail_reason")
            row.update(state="failed", failReason=str(reason)[:2000] if reason else "failed in Optuna")
        steps = sorted((int(s), float(v)) for s, v in t.intermediate_values.items() if _finite(v) and int(s) >= 0)
        if steps:
            row["intermediate"] = [{"step": s, "value": v} for s, v in steps]
        metrics = {str(k)[:200]: float(v) for k, v in t.user_attrs.items() if _finite(v) and str(k)}
        if metrics:
            row["metrics"] = metrics
        row["strategy"] = "optuna"
        row["provenance"] = {"source": "optuna", "study": study.study_name, "trialNumber": t.number, "userAttrs": {k: _jsonable(v) for k, v in t.user_attrs.items()}}
        row["createdAt"] = row["startedAt"] = _iso(t.datetime_start)
        row["completedAt"] = _iso(t.datetime_complete)
        if t.datetime_start and t.datetime_complete:
            row["durationSeconds"] = max(0.0, (t.datetime_complete - t.datetime_start).total_seconds())
        trials.append({k: v for k, v in row.items() if v is not None or k == "value"})
    for why, n in unfit.items():
        notes.append(f"{n} trial(s) left out: {why}")
    if not trials:
        return None, notes + ["no trial could be imported"]

    if metric is None:
        names = getattr(study, "metric_names", None)
        metric = names[0] if names and names[0] else DEFAULT_METRIC
    started = [t.datetime_start for t in finished if t.datetime_start]
    ended = [t.datetime_complete for t in finished if t.datetime_complete]
    identity = json.dumps([study.study_name, _iso(min(started)) if started else None, dataset.get("name"), dataset.get("version", "1"), model.get("name")])
    exp_id = str(uuid.uuid5(NAMESPACE, identity))
    experiment: Dict[str, Any] = {
        "id": exp_id,
        "name": study.study_name[:200],
        "model": dict(model),
        "searchSpace": space.api(),
        "objective": {"metric": metric, "direction": direction},
        "seed": int(hashlib.sha256(identity.encode()).hexdigest()[:8], 16) % (2**31 - 1),
        "status": "finished",
        "tags": ["optuna"],
        "createdAt": _iso(min(started)) if started else None,
        "finishedAt": _iso(max(ended)) if ended else None,
    }
    line = {"format": FORMAT, "dataset": dataset_fields(dataset), "experiment": {k: v for k, v in experiment.items() if v is not None}, "trials": trials}
    return line, notes


# --- many studies ----------------------------------------------------------------------------------

def import_studies(
    client: Any,
    storage: str,
    *,
    studies: Optional[Sequence[str]] = None,
    dataset: Mapping[str, Any],
    model: Mapping[str, Any],
    metric: Optional[str] = None,
    include_sampler_studies: bool = False,
    dry_run: bool = False,
) -> List[Dict[str, Any]]:
    """Imports studies (all of the storage's when ``studies`` is ``None``) into the client's project.

    Returns one dict per study: ``study``, ``status`` (``created``, ``exists``, ``skipped``, or
    ``dry-run``), ``experimentId``, ``trials`` and ``notes``; with ``dry_run`` also the ``line``.
    Studies run with :class:`precedent.optuna.PrecedentSampler` are already in precedent and are
    skipped unless ``include_sampler_studies``.
    """
    store = open_storage(storage)
    names = list(studies) if studies else study_names(store)
    results: List[Dict[str, Any]] = []
    lines: List[Tuple[int, Dict[str, Any]]] = []
    for name in names:
        study = optuna.load_study(study_name=name, storage=store)
        if not include_sampler_studies and EXPERIMENT_ID_ATTR in study.user_attrs:
            results.append({"study": name, "status": "skipped", "experimentId": study.user_attrs[EXPERIMENT_ID_ATTR], "trials": 0,
                            "notes": ["this study ran with PrecedentSampler, so precedent already has it (--include-sampler-studies imports it anyway)"]})
            continue
        line, notes = study_to_line(study, dataset=dataset, model=model, metric=metric)
        if line is None:
            results.append({"study": name, "status": "skipped", "experimentId": None, "trials": 0, "notes": notes})
            continue
        results.append({"study": name, "status": "dry-run", "experimentId": line["experiment"]["id"], "trials": len(line["trials"]), "notes": notes})
        lines.append((len(results) - 1, line))
        if dry_run:
            results[-1]["line"] = line
    if lines and not dry_run:
        # One request, validated whole before anything is written; the derived ids make a re-run create nothing.
        answer = client.import_lines([l for _, l in lines])
        for (index, _), item in zip(lines, answer["experiments"]):
            results[index]["status"] = item["status"]
            results[index]["experimentId"] = item["experimentId"]
    return results
