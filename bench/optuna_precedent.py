"""Optuna's own study loop driving precedent.optuna.PrecedentSampler through the service, on a look-up table,
for `npm run bench -- quality --methods optuna-precedent`.

One request per line on stdin, one answer per line on stdout (errors as {"error": ...}):
  {"op": "hello"}  -> {"optuna": version, "precedent": path of the imported package}
  {"op": "run", "url": base, "key": api key, "study": name, "dataset": name, "metaFeatures": {...},
   "model": name, "metric": name, "direction": "maximize"|"minimize", "space": [Param...], "seed": int,
   "warmStart": {...}, "configs": [config...], "values": [number...], "nTrials": n}
     -> {"rows": [row...], "configs": [config...], "strategies": [str...], "experiment": id}

The client is the checkout's (clients/python/src, put first on sys.path), not an installed copy.

How a run maps the benchmark onto the sampler:
- `search_space=` declares the suite's space with precedent's types, conditions included
  (`when=`), so the sampler creates the experiment before trial 0 (every trial, the first included, is
  precedent's) and records the conditional parameters exactly. Without it, the first trial would go to
  the independent RandomSampler and the intersection search space would drop SVM's gamma and degree.
- The candidate menu (the table's rows): PrecedentSampler has no `candidates=`; it creates its
  experiment with `client.create_experiment(...)`, so the client handed to it (MenuClient) adds the
  table's rows as `candidates` to that call. Every suggestion is then a row not yet evaluated.
- The objective is an ordinary define-by-run Optuna objective: it asks `trial.suggest_*` for each active
  parameter and returns the table's value of that configuration. A configuration that is not a row (the
  sampler fell back to its independent sampler: precedent unreachable, say) stops the run with an error.
- Warm start, metric and model are the ones `transfer --via-service` uses, so both ask the same service
  for the same experiment definition.
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))

import optuna  # noqa: E402

import precedent  # noqa: E402
from json_lines import serve  # noqa: E402  (this folder's: the bench scripts' shared stdin/stdout loop)
from precedent.optuna import STRATEGY_ATTR, TRIAL_ID_ATTR, PrecedentSampler  # noqa: E402

# Optuna's per-trial INFO lines off; the sampler's warnings (fallbacks, recording failures) stay on stderr.
optuna.logging.set_verbosity(optuna.logging.WARNING)


class MenuClient(precedent.Client):
    """A client whose create_experiment declares the look-up table's rows as the experiment's candidate menu."""

    def __init__(self, url, api_key, candidates):
        super().__init__(url, api_key)
        self._candidates = candidates

    def create_experiment(self, *args, **kwargs):
        kwargs["candidates"] = self._candidates
        return super().create_experiment(*args, **kwargs)


class OffTable(Exception):
    """The objective got a configuration that is not a row of the table."""


def declared(p):
    """A suite parameter as precedent's type, its JSON numbers unchanged (so the definition equals the one
    `transfer --via-service` sends)."""
    c = p.get("condition")
    when = (c["parent"], c["values"]) if c else None
    if p["type"] == "categorical":
        return precedent.Categorical(p["choices"], when=when)
    cls = precedent.Int if p["type"] == "int" else precedent.Float
    return cls(p["low"], p["high"], log=bool(p.get("log", False)), step=p.get("step"), when=when)


def suggest(trial, p):
    if p["type"] == "categorical":
        return trial.suggest_categorical(p["name"], p["choices"])
    if p["type"] == "int":
        return trial.suggest_int(p["name"], int(p["low"]), int(p["high"]), step=int(p.get("step") or 1), log=bool(p.get("log", False)))
    return trial.suggest_float(p["name"], float(p["low"]), float(p["high"]), step=p.get("step"), log=bool(p.get("log", False)))


def active(p, config):
    c = p.get("condition")
    return c is None or (config.get(c["parent"]) is not None and config[c["parent"]] in c["values"])


def norm(v):
    """A value as a key part: numbers to 10 significant digits (the service stores 12), the rest as JSON."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return ("n", float(f"{v:.10g}"))
    return ("j", json.dumps(v))


def row_key(space, config):
    return tuple(norm(config.get(p["name"])) for p in space)


def run(req):
    space = req["space"]
    configs = req["configs"]
    values = req["values"]
    rows_by_key = {}
    for i, c in enumerate(configs):
        k = row_key(space, c)
        if k in rows_by_key:
            raise ValueError(f"rows {rows_by_key[k]} and {i} of the table have the same configuration")
        rows_by_key[k] = i

    client = MenuClient(req["url"], req["key"], configs)
    sampler = PrecedentSampler(
        client,
        dataset_name=req["dataset"],
        meta_features=req["metaFeatures"],
        model=req["model"],
        metric=req["metric"],
        experiment_name=req["study"],
        warm_start=req["warmStart"],
        seed=int(req["seed"]),
        search_space={p["name"]: declared(p) for p in space},
    )
    study = optuna.create_study(study_name=req["study"], direction=req["direction"], sampler=sampler)
    rows = []

    def objective(trial):
        # From the storage: on Optuna 3.1 trial.user_attrs is a copy taken before sample_relative set them.
        if TRIAL_ID_ATTR not in trial.storage.get_trial_user_attrs(trial._trial_id):
            raise OffTable(f"trial {trial.number} was not proposed by precedent (the sampler fell back to its independent sampler)")
        config = {}
        for p in space:
            config[p["name"]] = suggest(trial, p) if active(p, config) else None
        row = rows_by_key.get(row_key(space, config))
        if row is None:
            raise OffTable(f"trial {trial.number}: {config} is not a row of the table")
        rows.append(row)
        return float(values[row])

    # catch=() (Optuna's default): an error in the objective stops the study and fails the request.
    study.optimize(objective, n_trials=int(req["nTrials"]), catch=())
    trials = study.get_trials(deepcopy=False)
    return {
        "rows": rows,
        "configs": [configs[r] for r in rows],
        "strategies": [t.user_attrs.get(STRATEGY_ATTR) for t in trials],
        "experiment": study.user_attrs.get("precedent_experiment_id"),
    }


def handle(req):
    op = req["op"]
    if op == "hello":
        return {"optuna": optuna.__version__, "precedent": os.path.dirname(precedent.__file__)}
    if op == "run":
        t0 = time.perf_counter()
        answer = run(req)
        answer["seconds"] = time.perf_counter() - t0
        return answer
    raise ValueError(f"unknown op {op!r}")


serve(handle)
