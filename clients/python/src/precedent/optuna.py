"""Optuna users keep their code: :class:`PrecedentSampler`, and the mapping of Optuna's distributions.

Change one line of an Optuna script::

    sampler = PrecedentSampler(client, dataset=ds, model="xgboost")
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=50)      # the objective is unchanged

How it works:

- The relative search space is the study's intersection search space (the parameters every
  completed trial used, with the same distribution), or ``search_space=`` when given. The first
  time it is known (after the first completed trial), a precedent experiment is created from it,
  named after the study (``ifExists: "reuse"``: a study that is loaded again resumes it).
- ``sample_relative`` asks precedent for the trial's configuration: warm-started from similar past
  experiments, then Bayesian optimization. Parameters outside the relative space, and trials
  before the space is known, are sampled by an independent sampler (``RandomSampler(seed)``).
- ``after_trial`` tells precedent the outcome: the value (COMPLETE), a failure (FAIL), or for a
  PRUNED trial its intermediate values and its last value (see the note below). Trials precedent did
  not propose (the first ones, trials run with another sampler before) are added as evaluated
  configurations, so every trial of the study is knowledge.
- Running Optuna trials are running precedent trials, so parallel ``n_jobs`` never get a duplicate.
- Each trial's ``user_attrs`` carry ``precedent_trial_id`` and ``precedent_strategy``; the study's
  carry ``precedent_experiment_id``.

Parameters that only some trials use (``gamma`` only when ``kernel == "rbf"``): Optuna's distributions
cannot say when a parameter is used, and the intersection space drops such a parameter once a trial
without it completes. If the first completed trial used it, it is part of the experiment, and a trial
that did not use it records the value precedent suggested (which the objective ignored). To record
conditional parameters exactly, declare the space with precedent's types: ``search_space={"kernel":
Categorical(["linear", "rbf"]), "gamma": Float(1e-4, 10, log=True, when=("kernel", ["rbf"])), ...}``.

Distributions map as the README documents: ``FloatDistribution(low, high, log, step)`` → ``float``,
``IntDistribution(low, high, log, step)`` → ``int``, ``CategoricalDistribution(choices)`` →
``categorical`` (choices keep their type). Works with Optuna 3.1 (Debian 12) through 5.x.

Note on pruning: the API has no "pruned" state for a live trial, so a pruned trial is completed with
its last intermediate value and the metric ``pruned_at_step``; a trial pruned before reporting
anything is marked failed.
"""
from __future__ import annotations

import math
import re
import sys
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

try:
    import optuna
    from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.samplers import BaseSampler, RandomSampler
    from optuna.study import Study, StudyDirection
    from optuna.trial import FrozenTrial, TrialState
except ModuleNotFoundError as _err:
    # The core package needs no Optuna; this module does. Say so, and how to get it, rather than
    # leave a bare "No module named 'optuna'" (a missing dependency of Optuna itself is left as is).
    if (_err.name or "").split(".")[0] != "optuna":
        raise
    raise ImportError(
        f"precedent.optuna needs Optuna, which is not installed for this Python ({sys.executable}). "
        "On Debian or Ubuntu: `apt install python3-optuna` (for the system python3); "
        "otherwise: `pip install optuna` into the environment that runs this code.",
        name="optuna",
    ) from _err

from .client import Client
from .datasets import Dataset
from .errors import ApiError, ConnectionFailed, PrecedentError
from .experiments import DEFAULT_METRIC, Experiment
from .space import same_choice
from .trials import Trial

try:  # Optuna >= 3.2
    from optuna.search_space import IntersectionSearchSpace as _IntersectionSearchSpace
except ImportError:  # Optuna 3.0 / 3.1
    from optuna.samplers import IntersectionSearchSpace as _IntersectionSearchSpace  # type: ignore

__all__ = [
    "PrecedentSampler",
    "distribution_to_param",
    "param_to_distribution",
    "to_optuna_value",
    "from_optuna_value",
    "TRIAL_ID_ATTR",
    "STRATEGY_ATTR",
    "EXPERIMENT_ID_ATTR",
]

_logger = optuna.logging.get_logger("precedent.optuna")

TRIAL_ID_ATTR = "precedent_trial_id"
STRATEGY_ATTR = "precedent_strategy"
EXPERIMENT_ID_ATTR = "precedent_experiment_id"
#: At most this many learning-curve points are sent per trial (evenly spaced, the last included).
MAX_REPORTED_STEPS = 50


# --- distributions ---------------------------------------------------------------------------------

def _json_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, bool, int)) or (isinstance(v, float) and math.isfinite(v))


def distribution_to_param(name: str, dist: BaseDistribution) -> Optional[Dict[str, Any]]:
    """The precedent parameter of an Optuna distribution, or ``None`` when precedent cannot express it."""
    if isinstance(dist, FloatDistribution):
        out: Dict[str, Any] = {"name": name, "type": "float", "low": float(dist.low), "high": float(dist.high), "log": bool(dist.log)}
        if dist.step is not None:
            out["step"] = float(dist.step)
        return out
    if isinstance(dist, IntDistribution):
        out = {"name": name, "type": "int", "low": int(dist.low), "high": int(dist.high), "log": bool(dist.log)}
        if dist.step is not None and int(dist.step) != 1:
            out["step"] = int(dist.step)
        return out
    if isinstance(dist, CategoricalDistribution):
        if not all(_json_scalar(c) for c in dist.choices):
            return None
        return {"name": name, "type": "categorical", "choices": list(dist.choices)}
    return None


def param_to_distribution(param: Mapping[str, Any]) -> Optional[BaseDistribution]:
    """The Optuna distribution of a precedent parameter (the condition, if any, is not expressible and dropped)."""
    kind = param.get("type")
    if kind == "float":
        step = param.get("step")
        return FloatDistribution(float(param["low"]), float(param["high"]), log=bool(param.get("log", False)), step=None if step is None else float(step))
    if kind == "int":
        return IntDistribution(int(param["low"]), int(param["high"]), log=bool(param.get("log", False)), step=int(param.get("step") or 1))
    if kind == "categorical":
        return CategoricalDistribution(list(param["choices"]))
    return None


def to_optuna_value(dist: BaseDistribution, value: Any) -> Any:
    """A value from precedent in the distribution's Python type (the declared choice object for categoricals)."""
    if isinstance(dist, FloatDistribution):
        return min(max(float(value), dist.low), dist.high)
    if isinstance(dist, IntDistribution):
        return min(max(int(round(value)), dist.low), dist.high)
    if isinstance(dist, CategoricalDistribution):
        for c in dist.choices:
            if same_choice(c, value):
                return c
        raise ValueError(f"{value!r} is not one of {dist.choices!r}")
    raise TypeError(f"unsupported distribution {type(dist).__name__}")


def from_optuna_value(dist: BaseDistribution, value: Any) -> Any:
    """A value of an Optuna trial as the API takes it (``None`` when it lies outside the distribution)."""
    try:
        if not dist._contains(dist.to_internal_repr(value)):
            return None
    except (ValueError, TypeError):
        return None
    if isinstance(dist, FloatDistribution):
        return float(value)
    if isinstance(dist, IntDistribution):
        return int(value)
    return value


def supported_space(space: Mapping[str, BaseDistribution]) -> Dict[str, BaseDistribution]:
    """The distributions precedent can express, sorted by name (one order wherever the space comes from)."""
    return {n: space[n] for n in sorted(space) if distribution_to_param(n, space[n]) is not None}


def _single_direction(study: Study) -> str:
    if len(study.directions) != 1:
        raise ValueError("PrecedentSampler supports single-objective studies only")
    return "maximize" if study.direction == StudyDirection.MAXIMIZE else "minimize"


def _steps(intermediate: Mapping[int, float]) -> List[Tuple[int, float]]:
    """Finite learning-curve points, at most MAX_REPORTED_STEPS of them (evenly spaced, the last kept)."""
    points = sorted((int(s), float(v)) for s, v in intermediate.items() if isinstance(v, (int, float)) and math.isfinite(v) and int(s) >= 0)
    if len(points) <= MAX_REPORTED_STEPS:
        return points
    idx = sorted({round(i * (len(points) - 1) / (MAX_REPORTED_STEPS - 1)) for i in range(MAX_REPORTED_STEPS)})
    return [points[i] for i in idx]


# --- the sampler -----------------------------------------------------------------------------------

class PrecedentSampler(BaseSampler):
    """An Optuna sampler whose suggestions come from precedent, so the study warm-starts from similar
    past experiments and feeds the knowledge graph.

    Args:
        client: a :class:`precedent.Client` (default: ``Client()`` from the environment).
        dataset: a :class:`precedent.Dataset`, its id, or its exact name. Or instead:
        dataset_name, meta_features: registers (or finds) the dataset of that name with these
            meta-features; without ``meta_features`` the dataset must exist.
        dataset_version: the version of ``dataset_name`` (default ``"1"``).
        model: the model's name (``"xgboost"``) or ``{"name", "library", "family"}``. Warm start
            learns from past experiments of the same model and metric.
        metric: the objective's metric name (default: the study's metric name if set, else ``"objective"``).
        experiment_name: default: the study's name.
        warm_start, budget, tags, optimizer: as :meth:`precedent.Client.create_experiment`.
        seed: seeds the experiment and the independent sampler.
        search_space: the space to use from the first trial on, instead of the study's intersection
            search space (so even the first trial is warm-started): name → Optuna distribution, or
            name → :class:`precedent.Float` / :class:`precedent.Int` / :class:`precedent.Categorical`,
            which can declare a conditional parameter (``Float(1e-4, 10, log=True, when=("kernel", ["rbf"]))``).
        independent_sampler: for parameters outside the relative space (default ``RandomSampler(seed)``).
    """

    def __init__(
        self,
        client: Optional[Client] = None,
        *,
        model: Union[str, Mapping[str, str]],
        dataset: Union[Dataset, str, None] = None,
        dataset_name: Optional[str] = None,
        meta_features: Optional[Mapping[str, float]] = None,
        dataset_version: str = "1",
        metric: Optional[str] = None,
        experiment_name: Optional[str] = None,
        warm_start: Any = "auto",
        budget: Optional[int] = None,
        seed: Optional[int] = None,
        tags: Optional[Sequence[str]] = None,
        optimizer: Optional[Mapping[str, Any]] = None,
        search_space: Optional[Mapping[str, Any]] = None,
        independent_sampler: Optional[BaseSampler] = None,
    ) -> None:
        if dataset is None and dataset_name is None:
            raise ValueError("give dataset= (a precedent Dataset, id or name) or dataset_name= (with meta_features= to register it)")
        if dataset is not None and (dataset_name is not None or meta_features is not None):
            raise ValueError("give either dataset= or dataset_name=/meta_features=, not both")
        self._client = client or Client()
        self._model = model
        self._dataset_arg = dataset
        self._dataset_name = dataset_name
        self._meta_features = dict(meta_features) if meta_features is not None else None
        self._dataset_version = dataset_version
        self._metric = metric
        self._experiment_name = experiment_name
        self._warm_start = warm_start
        self._budget = budget
        self._seed = seed
        self._tags = list(tags) if tags else ["optuna"]
        self._optimizer = optimizer
        # A given space keeps its order and its conditions (precedent types can express them).
        self._fixed_params: Optional[List[Dict[str, Any]]] = None
        self._fixed_space: Optional[Dict[str, BaseDistribution]] = None
        if search_space is not None:
            self._fixed_params, self._fixed_space = _fixed(search_space)
        self._conditions: Dict[str, Tuple[str, List[Any]]] = {}
        self._independent = independent_sampler or RandomSampler(seed=seed)
        self._intersection = _IntersectionSearchSpace()
        self._lock = threading.RLock()
        self._experiment: Optional[Experiment] = None
        self._space: Dict[str, BaseDistribution] = {}
        # Optuna trial id -> the precedent trial that was asked for it.
        self._asked: Dict[int, Trial] = {}
        self._warned: Set[str] = set()

    # -- public ---------------------------------------------------------------------------------

    @property
    def experiment(self) -> Optional[Experiment]:
        """The precedent experiment of the study, once it exists."""
        return self._experiment

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> Dict[str, BaseDistribution]:
        _single_direction(study)
        space = self._relative_candidates(study)
        with self._lock:
            if self._experiment is not None:
                space = {n: d for n, d in space.items() if self._space.get(n) == d}
        return space

    def sample_relative(self, study: Study, trial: FrozenTrial, search_space: Dict[str, BaseDistribution]) -> Dict[str, Any]:
        if not search_space:
            return {}
        if trial.system_attrs.get("fixed_params"):
            # An enqueued trial (study.enqueue_trial): a person's configuration, recorded as such; any
            # parameter it leaves open goes to the independent sampler.
            return {}
        transient = (429, 502, 503, 504)
        try:
            exp = self._ensure_experiment(study, search_space)
        except (ConnectionFailed, ApiError) as err:
            # A wrong dataset, key or a conflicting experiment of that name must stop the study; an outage need not.
            if isinstance(err, ApiError) and err.status not in transient:
                raise
            self._warn_once("create", f"precedent is unreachable ({err}); sampling independently until it answers")
            return {}
        try:
            asked = exp.ask()
        except (ConnectionFailed, ApiError) as err:
            # 409: the experiment is paused or finished, or its budget is used up.
            if isinstance(err, ApiError) and err.status not in (409, *transient):
                raise
            self._warn_once("ask", f"precedent could not suggest a configuration ({err}); sampling independently until it can")
            return {}
        with self._lock:
            self._asked[trial._trial_id] = asked
        storage = study._storage
        storage.set_trial_user_attr(trial._trial_id, TRIAL_ID_ATTR, asked.id)
        storage.set_trial_user_attr(trial._trial_id, STRATEGY_ATTR, asked.strategy)
        config = asked.raw["config"]
        # An inactive conditional parameter (None) is left to the objective: it will not ask for it.
        return {name: to_optuna_value(dist, config[name]) for name, dist in search_space.items() if config.get(name) is not None}

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution) -> Any:
        # A parameter of the experiment that is not in this trial's relative space (it left the
        # intersection space, say): precedent's value still applies when it fits the distribution.
        with self._lock:
            asked = self._asked.get(trial._trial_id)
        if asked is not None and asked.raw["config"].get(param_name) is not None and param_name in self._space:
            try:
                value = to_optuna_value(param_distribution, asked.raw["config"][param_name])
                if param_distribution._contains(param_distribution.to_internal_repr(value)):
                    return value
            except (ValueError, TypeError):
                pass
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Optional[Sequence[float]]) -> None:
        # Never break the user's study over bookkeeping: a failure to record is a warning.
        try:
            self._record(study, trial, state, values)
        except (PrecedentError, ValueError) as err:
            self._warn_once(f"record-{trial._trial_id}", f"could not record Optuna trial {trial.number} in precedent: {err}")
        finally:
            with self._lock:
                self._asked.pop(trial._trial_id, None)
        self._independent.after_trial(study, trial, state, values)

    # -- the experiment -------------------------------------------------------------------------

    def _relative_candidates(self, study: Study) -> Dict[str, BaseDistribution]:
        if self._fixed_space is not None:
            return dict(self._fixed_space)
        with self._lock:  # the intersection calculator caches and is not thread-safe
            return supported_space(self._intersection.calculate(study))

    def _dataset_id(self) -> str:
        client = self._client
        if isinstance(self._dataset_arg, Dataset):
            return self._dataset_arg.id
        if isinstance(self._dataset_arg, str):
            return client.dataset(self._dataset_arg).id
        assert self._dataset_name is not None
        if self._meta_features is not None:
            return client.register_dataset(self._dataset_name, version=self._dataset_version, meta_features=self._meta_features).id
        return client.dataset(self._dataset_name, self._dataset_version).id

    def _ensure_experiment(self, study: Study, space: Mapping[str, BaseDistribution]) -> Experiment:
        with self._lock:
            if self._experiment is not None:
                return self._experiment
            if self._fixed_params is not None:
                params, space = self._fixed_params, dict(self._fixed_space or {})
            else:
                space = supported_space(space)
                params = [distribution_to_param(n, d) for n, d in space.items()]  # type: ignore[misc]
            if not space:
                raise ValueError("no parameter of this study can be expressed in precedent")
            metric = self._metric
            if metric is None:
                names = getattr(study, "metric_names", None)
                metric = names[0] if names and names[0] else DEFAULT_METRIC
            exp = self._client.create_experiment(
                self._experiment_name or study.study_name,
                self._dataset_id(),
                self._model,
                params,
                (metric, _single_direction(study)),
                budget=self._budget,
                warm_start=self._warm_start,
                seed=self._seed,
                reuse=True,
                optimizer=self._optimizer,
                tags=self._tags,
            )
            self._experiment, self._space = exp, dict(space)
            self._conditions = {p["name"]: (p["condition"]["parent"], p["condition"]["values"]) for p in params if p.get("condition")}
            study._storage.set_study_user_attr(study._study_id, EXPERIMENT_ID_ATTR, exp.id)
            self._backfill(study, exp)
            return exp

    def _backfill(self, study: Study, exp: Experiment) -> None:
        """Adds the study's finished trials that precedent has not seen (run before it took over)."""
        done = [
            t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL))
            if TRIAL_ID_ATTR not in t.user_attrs
        ]
        if not done:
            return
        known = set()
        if not exp.created:
            pattern = re.compile(r"^Optuna trial (\d+) of study ")
            prefix = f"of study {study.study_name!r}"
            for recorded in exp.trials():
                m = pattern.match(recorded.reason or "")
                if m and prefix in (recorded.reason or ""):
                    known.add(int(m.group(1)))
        for t in done:
            if t.number not in known:
                self._add_evaluated(study, t, t.state, t.values, set_attrs=False)

    # -- recording results ----------------------------------------------------------------------

    def _config_of(self, trial: FrozenTrial, fallback: Optional[Mapping[str, Any]] = None) -> Tuple[Optional[Dict[str, Any]], str]:
        """The trial's configuration over the experiment's space (missing parameters taken from ``fallback``)."""
        config: Dict[str, Any] = {}
        for name, dist in self._space.items():
            if name in trial.params:
                value = from_optuna_value(dist, trial.params[name])
                if value is None:
                    return None, f"its {name}={trial.params[name]!r} is outside the experiment's {dist}"
                config[name] = value
            elif fallback is not None and name in fallback:
                config[name] = fallback[name]
            elif name in self._conditions and not self._active(name, config):
                config[name] = None
            else:
                return None, f"it did not use the parameter {name!r}"
        return config, ""

    def _active(self, name: str, config: Mapping[str, Any]) -> bool:
        parent, values = self._conditions[name]
        return config.get(parent) is not None and any(same_choice(config[parent], v) for v in values)

    def _record(self, study: Study, trial: FrozenTrial, state: TrialState, values: Optional[Sequence[float]]) -> None:
        with self._lock:
            asked = self._asked.get(trial._trial_id)
        if asked is None and TRIAL_ID_ATTR in trial.user_attrs and self._experiment is not None:
            # Asked by another process (Optuna's ask-and-tell interface across workers).
            asked = self._experiment.trial(str(trial.user_attrs[TRIAL_ID_ATTR]))
        if asked is None:
            self._add_evaluated(study, trial, state, values, set_attrs=True)
            return
        exp = self._experiment
        assert exp is not None
        suggested = asked.raw["config"]
        config, _ = self._config_of(trial, suggested)
        if config is None or any(not same_choice(config[n], suggested.get(n)) and not _close(config[n], suggested.get(n)) for n in config):
            # Optuna evaluated something else (fixed or enqueued parameters): the suggestion was not
            # run; what was run is added as an evaluated configuration.
            exp.tell(asked, failed="not evaluated: Optuna used other parameter values (fixed or enqueued parameters)")
            self._add_evaluated(study, trial, state, values, set_attrs=True)
            return
        value, failed, metrics = self._outcome(trial, state, values)
        if state != TrialState.FAIL:
            for step, v in _steps(trial.intermediate_values):
                asked.report(step, v)
        if failed is not None:
            exp.tell(asked, failed=failed)
        else:
            exp.tell(asked, value, metrics=metrics, duration=_duration(trial))

    @staticmethod
    def _outcome(trial: FrozenTrial, state: TrialState, values: Optional[Sequence[float]]) -> Tuple[Optional[float], Optional[str], Optional[Dict[str, float]]]:
        """(value, failure reason, metrics) of a finished Optuna trial."""
        value = values[0] if values else None
        if state == TrialState.COMPLETE:
            if value is None or not math.isfinite(value):
                return None, f"failed in Optuna: value {value}", None
            return float(value), None, None
        if state == TrialState.PRUNED:
            if value is None or not math.isfinite(value):
                return None, "pruned by Optuna before reporting a value", None
            return float(value), None, {"pruned_at_step": float(trial.last_step if trial.last_step is not None else -1)}
        return None, "failed in Optuna (the objective raised or returned no valid value)", None

    def _add_evaluated(self, study: Study, trial: FrozenTrial, state: TrialState, values: Optional[Sequence[float]], *, set_attrs: bool) -> None:
        """Adds a trial precedent did not propose, creating the experiment if this is the first result."""
        exp = self._experiment
        if exp is None:
            if state != TrialState.COMPLETE:
                return
            if self._fixed_space is not None:
                space = self._fixed_space
            else:
                # The intersection space of the completed trials, this one included.
                space = self._relative_candidates(study)
                own = supported_space(trial.distributions)
                space = {n: d for n, d in space.items() if own.get(n) == d} if space else own
            if not space:
                return
            exp = self._ensure_experiment(study, space)
        config, why = self._config_of(trial)
        if config is None:
            self._warn_once(f"skip-{why}", f"Optuna trial {trial.number} is not recorded in precedent: {why}")
            return
        value, failed, metrics = self._outcome(trial, state, values)
        sampler = type(self._independent).__name__ if set_attrs else "another sampler"
        added = exp.add_trial(
            config,
            value,
            failed=failed,
            metrics=metrics,
            reason=f"Optuna trial {trial.number} of study {study.study_name!r}, sampled by {sampler}",
            user="optuna",
        )
        if set_attrs:
            study._storage.set_trial_user_attr(trial._trial_id, TRIAL_ID_ATTR, added.id)
            study._storage.set_trial_user_attr(trial._trial_id, STRATEGY_ATTR, added.strategy)

    def _warn_once(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        _logger.warning(message)


def _fixed(search_space: Mapping[str, Any]) -> Tuple[List[Dict[str, Any]], Dict[str, BaseDistribution]]:
    """API parameters and Optuna distributions of a ``search_space=``: Optuna distributions, or
    precedent's :class:`~precedent.Float` / :class:`~precedent.Int` / :class:`~precedent.Categorical`
    (which can say ``when=`` a parameter is active)."""
    params: List[Dict[str, Any]] = []
    dists: Dict[str, BaseDistribution] = {}
    for name, p in search_space.items():
        api = distribution_to_param(name, p) if isinstance(p, BaseDistribution) else p.to_api(name) if hasattr(p, "to_api") else None
        dist = param_to_distribution(api) if api is not None else None
        if api is None or dist is None:
            raise ValueError(f"search_space[{name!r}]: expected an Optuna Float/Int/CategoricalDistribution or precedent.Float/Int/Categorical, got {p!r}")
        params.append(api)
        dists[name] = dist
    return params, dists


def _close(a: Any, b: Any) -> bool:
    """Float equality up to the API's canonical form (12 significant digits)."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return math.isclose(a, b, rel_tol=1e-11, abs_tol=1e-300)


def _duration(trial: FrozenTrial) -> Optional[float]:
    start, end = trial.datetime_start, trial.datetime_complete
    if start is None:
        return None
    if end is None:
        import datetime

        end = datetime.datetime.now()
    return max(0.0, (end - start).total_seconds())
