"""Usability without a service: a dataset given by name, and the sampler's import without Optuna."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest
import urllib.parse
import uuid
import warnings
from pathlib import Path
from typing import Dict, Optional, Tuple

import precedent

from _support import FakeServer, Recorded, json_answer


class MetaFeatureNotesTest(unittest.TestCase):
    """The service's notes on a registration (a meta-feature name one letter off the profiler's) become warnings."""

    NOTE = "meta-feature 'number_of_instance' is not one the profiler computes; did you mean 'number_of_instances'?"

    def handle(self, req: Recorded, index: int) -> Optional[Tuple[int, Dict[str, str], bytes]]:
        body = json.loads(req.body)
        notes = [self.NOTE] if "number_of_instance" in body["metaFeatures"] else []
        return json_answer(201, {"id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "name": body["name"], "version": "1", "metaFeatures": body["metaFeatures"], **({"notes": notes} if notes else {})})

    def test_notes_are_warnings(self) -> None:
        with FakeServer(self.handle) as server:
            c = precedent.Client(server.url, "prc_test")
            with self.assertWarns(UserWarning) as w:
                c.register_dataset("churn", meta_features={"number_of_instance": 100})
            self.assertEqual(str(w.warning), self.NOTE)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                c.register_dataset("churn", meta_features={"number_of_instances": 100})


class DatasetByNameTest(unittest.TestCase):
    """create_experiment (like client.dataset and the Optuna sampler) takes a dataset name."""

    DS_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

    def handle(self, req: Recorded, index: int) -> Optional[Tuple[int, Dict[str, str], bytes]]:
        path, _, query = req.path.partition("?")
        args = dict(urllib.parse.parse_qsl(query))
        if req.method == "GET" and path == "/v1/datasets":
            items = [
                {"id": "11111111-1111-4111-8111-111111111111", "name": "churn-eu-2", "version": "1", "createdAt": "2026-02-01"},
                {"id": self.DS_ID, "name": "churn-eu", "version": "1", "createdAt": "2026-01-01"},
            ]
            return json_answer(200, {"items": [d for d in items if args.get("name", "") in d["name"]], "nextOffset": None})
        if req.method == "GET" and path == "/v1/experiments":
            return json_answer(200, {"items": [], "nextOffset": None})
        if req.method == "POST" and path == "/v1/experiments":
            body = json.loads(req.body)
            raw = {"id": "22222222-2222-4222-8222-222222222222", "status": "running", **body}
            return json_answer(201, raw)
        return json_answer(404, {"statusCode": 404, "error": "Not Found", "message": path})

    def test_a_name_is_resolved_an_id_is_passed_and_an_unknown_name_is_a_clear_error(self) -> None:
        space = {"max_depth": precedent.Int(2, 10)}
        with FakeServer(self.handle) as server:
            c = precedent.Client(server.url, "prc_test")
            exp = c.create_experiment("byname", "churn-eu", "xgboost", space)
            self.assertEqual(exp.dataset_id, self.DS_ID)
            posts = [r for r in server.requests if r.method == "POST"]
            self.assertIn(f'"datasetId":"{self.DS_ID}"'.encode(), posts[-1].body)

            n = len(server.requests)
            c.create_experiment("byid", self.DS_ID, "xgboost", space)
            self.assertEqual([r.method for r in server.requests[n:]], ["POST"], "an id needs no lookup")
            n = len(server.requests)
            c.create_experiment("byuuid", uuid.UUID(self.DS_ID), "xgboost", space)
            self.assertEqual([r.method for r in server.requests[n:]], ["POST"], "nor does a uuid.UUID")

            c.experiments(dataset="churn-eu")
            self.assertIn(f"datasetId={self.DS_ID}", server.requests[-1].path, "a filter takes a name too")

            n = len(server.requests)
            with self.assertRaises(precedent.ApiError) as ctx:
                c.create_experiment("nope", "churn", "xgboost", space)  # a substring is not a name
            self.assertEqual([r.method for r in server.requests[n:]], ["GET"], "nothing is created")
        self.assertEqual(ctx.exception.status, 404)
        self.assertIn("no dataset named 'churn'", str(ctx.exception))


class OptunaMissingTest(unittest.TestCase):
    def test_importing_the_sampler_without_optuna_says_how_to_install_it(self) -> None:
        code = (
            "import sys\n"
            "sys.modules['optuna'] = None  # as if Optuna were not installed\n"
            "try:\n"
            "    from precedent.optuna import PrecedentSampler\n"
            "except ImportError as err:\n"
            "    print(type(err).__name__, type(err.__cause__).__name__, err.name)\n"
            "    print(err)\n"
        )
        src = str(Path(precedent.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        first, message = out.stdout.split("\n", 1)
        self.assertEqual(first, "ImportError ModuleNotFoundError optuna", "an ImportError chained from the original")
        self.assertIn("needs Optuna", message)
        self.assertIn("apt install python3-optuna", message)
        self.assertIn("pip install optuna", message)


if __name__ == "__main__":
    unittest.main()
