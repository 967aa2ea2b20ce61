"""The optimize loop against a fake experiment service: exceptions, ``catch=`` and workers, without a real service."""
from __future__ import annotations

import contextlib
import io
import json
import re
import threading
import time
import traceback
import unittest
from typing import Any, Dict, List, Optional, Tuple

import precedent
from precedent import Float

from _support import FakeServer, Recorded, json_answer

EXP_ID = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
DATASET_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"


class FakeExperimentService:
    """Just enough of the API for :func:`precedent.optimize.optimize`: suggestions, complete, fail, report.

    Keeps every trial's state, so a test can check what the service was told.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.trials: List[Dict[str, Any]] = []
        self.server = FakeServer(self.handle)
        self.client = precedent.Client(self.server.url, "prc_test")
        raw = {
            "id": EXP_ID, "name": "fake", "status": "running", "datasetId": DATASET_ID, "model": {"name": "svm"},
            "objective": {"metric": "objective", "direction": "maximize"},
            "searchSpace": [{"name": "x", "type": "float", "low": 0, "high": 1}],
        }
        self.exp = precedent.Experiment(self.client.connection, raw, {"x": Float(0.0, 1.0)})

    def handle(self, req: Recorded, index: int) -> Optional[Tuple[int, Dict[str, str], bytes]]:
        path = req.path.split("?")[0]
        body = json.loads(req.body) if req.body else {}
        with self.lock:
            if req.method == "POST" and path == f"/v1/experiments/{EXP_ID}/suggestions":
                n = len(self.trials)
                t = {"id": f"trial-{n}", "number": n, "experimentId": EXP_ID, "state": "running", "config": {"x": (n % 10) / 10}, "strategy": "random"}
                self.trials.append(t)
                return json_answer(201, {"trials": [dict(t)]})
            if req.method == "GET" and path == f"/v1/experiments/{EXP_ID}":
                done = [t for t in self.trials if t["state"] == "completed"]
                best = max(done, key=lambda t: t["value"]) if done else None
                return json_answer(200, {"bestTrial": dict(best) if best else None})
            m = re.fullmatch(r"/v1/trials/trial-(\d+)/(complete|fail|report)", path)
            if req.method == "POST" and m:
                t = self.trials[int(m.group(1))]
                if m.group(2) != "report":
                    if t["state"] != "running":
                        return json_answer(409, {"statusCode": 409, "error": "Conflict", "message": f"trial is {t['state']}"})
                    if m.group(2) == "complete":
                        t.update(state="completed", value=body["value"])
                    else:
                        t.update(state="failed", failReason=body.get("reason"))
                return json_answer(200, dict(t))
        return json_answer(404, {"statusCode": 404, "error": "Not Found", "message": f"{req.method} {path}"})

    def states(self) -> List[str]:
        with self.lock:
            return [t["state"] for t in self.trials]

    def close(self) -> None:
        self.server.close()

    def __enter__(self) -> "FakeExperimentService":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class OptimizeExceptionsTest(unittest.TestCase):
    def test_by_default_an_exception_fails_the_trial_and_is_raised_with_its_traceback(self) -> None:
        """As Optuna's catch=(): a typo in the objective must not fail every trial silently."""

        def objective(config: Dict[str, Any]) -> float:
            if len(calls) == 1:
                return config["learningrate"]  # the typo
            calls.append(config["x"])
            return config["x"]

        calls: List[float] = []
        raised: Optional[BaseException] = None
        with FakeExperimentService() as svc:
            try:  # not assertRaises: it drops the traceback, which is what this test looks at
                svc.exp.optimize(objective, n_trials=5, verbose=False)
            except KeyError as err:
                raised = err
            self.assertEqual(svc.states(), ["completed", "failed"], "the failing trial is told as failed and nothing more is asked")
            self.assertEqual(svc.trials[1]["failReason"], "KeyError: 'learningrate'")
        self.assertIsNotNone(raised, "optimize() returned normally")
        assert raised is not None
        frames = [f.name for f in traceback.extract_tb(raised.__traceback__)]
        self.assertEqual(frames[-1], "objective", "the traceback reaches into the objective")

    def test_verbose_says_which_trial_failed_and_why_the_loop_stopped(self) -> None:
        def objective(config: Dict[str, Any]) -> float:
            raise ValueError("diverged")

        err = io.StringIO()
        with FakeExperimentService() as svc, contextlib.redirect_stderr(err):
            with self.assertRaises(ValueError):
                svc.exp.optimize(objective, n_trials=3)
        self.assertIn("trial 0 failed (ValueError: diverged)", err.getvalue())
        self.assertIn("stopped: ValueError: diverged", err.getvalue())

    def test_catch_keeps_the_old_behaviour_for_those_who_want_it(self) -> None:
        def objective(config: Dict[str, Any]) -> float:
            raise KeyError("learningrate")

        with FakeExperimentService() as svc:
            self.assertIsNone(svc.exp.optimize(objective, n_trials=3, catch=(Exception,), verbose=False))
            self.assertEqual(svc.states(), ["failed"] * 3)
            # One class, as Optuna accepts too.
            self.assertIsNone(svc.exp.optimize(objective, n_trials=2, catch=KeyError, verbose=False))
            self.assertEqual(svc.states(), ["failed"] * 5)
            # An exception outside `catch` is still raised.
            with self.assertRaises(KeyError):
                svc.exp.optimize(objective, n_trials=2, catch=(ValueError,), verbose=False)
            self.assertEqual(svc.states(), ["failed"] * 6)

    def test_catch_must_name_exception_classes(self) -> None:
        with FakeExperimentService() as svc:
            with self.assertRaises(TypeError):
                svc.exp.optimize(lambda c: 1.0, n_trials=1, catch=("KeyError",), verbose=False)  # type: ignore[arg-type]
            self.assertEqual(svc.server.requests, [])

    def test_none_and_nan_still_fail_only_their_trial(self) -> None:
        results = iter([None, float("nan"), 0.5])
        with FakeExperimentService() as svc:
            best = svc.exp.optimize(lambda c: next(results), n_trials=3, verbose=False)
            self.assertEqual(svc.states(), ["failed", "failed", "completed"])
        self.assertEqual(best.value, 0.5)

    def test_with_workers_the_others_finish_their_trial_and_stop(self) -> None:
        def objective(config: Dict[str, Any]) -> float:
            time.sleep(0.05)
            if config["x"] == 0.3:
                raise RuntimeError("out of memory")
            return config["x"]

        before = {t.ident for t in threading.enumerate()}
        with FakeExperimentService() as svc:
            with self.assertRaises(RuntimeError):
                svc.exp.optimize(objective, n_trials=60, n_workers=3, verbose=False)
            states = svc.states()
            failed = [t for t in svc.trials if t["state"] == "failed"]
        self.assertEqual([t["number"] for t in failed], [3])
        self.assertEqual(failed[0]["failReason"], "RuntimeError: out of memory")
        self.assertNotIn("running", states, "every trial that was asked is told")
        self.assertLess(len(states), 12, "the other workers stopped asking")
        leftover = [t for t in threading.enumerate() if t.ident not in before and t.name.startswith("precedent-worker")]
        self.assertEqual(leftover, [], "no worker is left running")


if __name__ == "__main__":
    unittest.main()
