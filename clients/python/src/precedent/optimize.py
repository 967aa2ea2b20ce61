"""The optimize loop: ask, evaluate, tell — on one thread or several."""
from __future__ import annotations

import inspect
import math
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple, Type, Union

from .errors import ApiError, PrecedentError
from .trials import Trial

if TYPE_CHECKING:  # pragma: no cover
    from .experiments import Experiment

__all__ = ["optimize"]

#: What ``catch=`` accepts, as in Optuna: one exception class or several.
Catch = Union[Type[BaseException], Iterable[Type[BaseException]]]


def _catch_tuple(catch: Catch) -> Tuple[Type[BaseException], ...]:
    """``catch`` as a tuple for ``except``; refuses what is not an exception class, which ``except`` would only reject mid-run."""
    classes = (catch,) if isinstance(catch, type) else tuple(catch)
    for c in classes:
        if not (isinstance(c, type) and issubclass(c, BaseException)):
            raise TypeError(f"catch must be exception classes, got {c!r}")
    return classes


def _wants_trial(objective: Callable[..., Any]) -> bool:
    """``objective(trial)`` gets the :class:`Trial` (for ``trial.report``); any other objective gets the config dict."""
    try:
        params = list(inspect.signature(objective).parameters.values())
    except (TypeError, ValueError):
        return False
    if not params:
        return False
    first = params[0]
    return first.name == "trial" or first.annotation in (Trial, "Trial", "precedent.Trial")


def _result(result: Any) -> Tuple[Optional[float], Dict[str, float], Optional[str]]:
    """(value, metrics, why it is not a result)."""
    metrics: Dict[str, float] = {}
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
        result, metrics = result
    if result is None:
        return None, metrics, "the objective returned None"
    try:
        value = float(result)
    except (TypeError, ValueError):
        return None, metrics, f"the objective returned {type(result).__name__} {result!r}, not a number"
    if not math.isfinite(value):
        return None, metrics, f"the objective returned {value}"
    clean = {}
    for k, v in metrics.items():
        try:
            if math.isfinite(float(v)):
                clean[str(k)] = float(v)
        except (TypeError, ValueError):
            pass
    return value, clean, None


def _fmt(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:.6g}"


class _Run:
    """Shared state of one optimize call."""

    def __init__(self, exp: "Experiment", n_trials: int, timeout: Optional[float], verbose: bool) -> None:
        self.exp = exp
        self.n_trials = n_trials
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.verbose = verbose
        self.lock = threading.Lock()
        self.started = 0
        self.finished = 0
        self.running: Dict[str, Trial] = {}
        self.stop_reason: Optional[str] = None
        self.error: Optional[BaseException] = None
        self.interrupted = False
        self.best_value: Optional[float] = None
        self.best_number: Optional[int] = None

    def claim(self) -> bool:
        with self.lock:
            if self.stop_reason is not None or self.started >= self.n_trials:
                return False
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.stop_reason = "timeout reached"
                return False
            self.started += 1
            return True

    def stop(self, reason: str, error: Optional[BaseException] = None) -> None:
        with self.lock:
            if self.stop_reason is None:
                self.stop_reason = reason
            if error is not None and self.error is None:
                self.error = error

    def say(self, text: str) -> None:
        if self.verbose and not self.interrupted:
            print(f"[precedent] {text}", file=sys.stderr, flush=True)

    def fail(self, trial: Trial, reason: str) -> None:
        try:
            self.exp.tell(trial, failed=reason)
        except PrecedentError as err:
            # Already failed (an interrupt got there first) or the service is gone: nothing more to do.
            self.say(f"trial {trial.number}: could not record the failure ({err})")

    def done(self, trial: Trial, value: Optional[float], seconds: float, note: str) -> None:
        with self.lock:
            self.finished += 1
            self.running.pop(trial.id, None)
            if value is not None and self.exp.is_better(value, self.best_value):
                self.best_value, self.best_number = value, trial.number
            best = f"best {_fmt(self.best_value)} (trial {self.best_number})" if self.best_value is not None else "no result yet"
            self.say(f"trial {trial.number} {note} in {seconds:.1f} s [{trial.strategy}]; {best}")


def _worker(run: _Run, objective: Callable[[Any], Any], wants_trial: bool, catch: Tuple[Type[BaseException], ...]) -> None:
    exp = run.exp
    while run.claim():
        trial: Optional[Trial] = None
        t0: Optional[float] = None
        try:
            try:
                trial = exp.ask()
            except ApiError as err:
                if err.status == 409:  # paused, finished, budget used up, candidate menu exhausted
                    run.stop(err.message)
                    return
                raise
            with run.lock:
                run.running[trial.id] = trial
            t0 = time.monotonic()
            try:
                result = objective(trial if wants_trial else dict(trial.config))
            except catch as err:
                run.fail(trial, f"{type(err).__name__}: {err}")
                run.done(trial, None, time.monotonic() - t0, f"failed ({type(err).__name__}: {err})")
                continue
            value, metrics, problem = _result(result)
            seconds = time.monotonic() - t0
            if problem is not None:
                run.fail(trial, problem)
                run.done(trial, None, seconds, f"failed ({problem})")
                continue
            try:
                exp.tell(trial, value, metrics=metrics or None, duration=seconds)
            except ApiError as err:
                if run.interrupted and err.status == 409:
                    return  # failed by the interrupt while it ran
                raise
            run.done(trial, value, seconds, f"= {_fmt(value)}")
        except KeyboardInterrupt as err:
            run.stop("interrupted", err)
            run.interrupted = True
            if trial is not None:
                run.fail(trial, "interrupted (KeyboardInterrupt)")
            return
        except BaseException as err:  # not in `catch`: fail the trial, stop, re-raise from optimize()
            reason = f"{type(err).__name__}: {err}"
            # Stop first, so that other workers ask for nothing more while this trial is told.
            run.stop(reason, err)
            if trial is not None and trial.id in run.running:
                run.fail(trial, reason)
                run.done(trial, None, 0.0 if t0 is None else time.monotonic() - t0, f"failed ({reason})")
            return
        finally:
            if trial is not None:
                with run.lock:
                    run.running.pop(trial.id, None)


def optimize(
    exp: "Experiment",
    objective: Callable[[Any], Any],
    n_trials: int,
    *,
    n_workers: int = 1,
    catch: Catch = (),
    timeout: Optional[float] = None,
    verbose: bool = True,
) -> Optional[Trial]:
    """Runs up to ``n_trials`` trials of ``exp`` and returns its best trial.

    ``objective(config) -> float`` gets the configuration as a dict. An objective whose first
    parameter is named ``trial`` (or annotated :class:`precedent.Trial`) gets the trial instead:
    ``trial.config``, ``trial.report(step, value)``. It may return ``(value, {"metric": number})``.

    - An exception from the objective fails the trial (told to the service with its message), stops
      the loop and is raised from ``optimize`` with its traceback, as Optuna's ``study.optimize`` does
      (``catch=()`` by default): a bug such as ``config["learningrate"]`` must not fail every trial
      quietly. Exceptions of a class in ``catch`` (``catch=(ValueError,)``, or ``catch=(Exception,)``
      for all) only fail their trial, and the loop goes on. ``None`` or a non-finite value fails the
      trial and the loop goes on.
    - ``KeyboardInterrupt`` fails the running trial(s), stops asking, and is raised again.
    - ``n_workers > 1`` runs that many threads that ask and tell concurrently (no configuration is
      handed out twice). Threads suit objectives that release the GIL (numpy, sklearn, subprocesses).
      When one raises, the others ask for nothing more, finish and tell the trial they are running,
      and then the exception is raised.
    - Stops early when the experiment answers 409 (paused, finished, budget used up) or after ``timeout`` seconds.
    - One line per trial on stderr (value, best so far, strategy), unless ``verbose=False``.
    """
    if n_trials < 0 or n_workers < 1:
        raise ValueError("n_trials must be >= 0 and n_workers >= 1")
    catching = _catch_tuple(catch)
    run = _Run(exp, n_trials, timeout, verbose)
    if verbose:
        best = exp.best_trial
        if best is not None:
            run.best_value, run.best_number = best.value, best.number
    wants_trial = _wants_trial(objective)
    run.say(f"optimizing {exp.name!r} ({exp.direction} {exp.metric}): {n_trials} trial(s), {n_workers} worker(s)")

    if n_workers == 1:
        _worker(run, objective, wants_trial, catching)
    else:
        threads: List[threading.Thread] = [
            threading.Thread(target=_worker, args=(run, objective, wants_trial, catching), name=f"precedent-worker-{i}", daemon=True) for i in range(n_workers)
        ]
        for t in threads:
            t.start()
        try:
            for t in threads:
                while t.is_alive():
                    t.join(0.2)
        except KeyboardInterrupt as err:
            # Only the main thread sees Ctrl-C: fail what is running and stop asking. Workers still
            # inside an objective finish it in the background; their late results are ignored.
            run.stop("interrupted", err)
            run.interrupted = True
            with run.lock:
                running = list(run.running.values())
            for trial in running:
                run.fail(trial, "interrupted (KeyboardInterrupt)")

    if run.error is not None:
        if run.verbose:
            print(f"[precedent] stopped: {run.stop_reason}", file=sys.stderr, flush=True)
        raise run.error
    if run.stop_reason and run.stop_reason != "timeout reached":
        run.say(f"stopped early: {run.stop_reason}")
    return exp.best_trial
