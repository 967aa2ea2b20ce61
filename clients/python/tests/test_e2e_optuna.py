"""PrecedentSampler and import-optuna end to end (need Optuna and a running service)."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any

import precedent

from _support import HAVE_OPTUNA, NO_OPTUNA, OPTUNA_VERSION, record_fact, require_service, unique

if HAVE_OPTUNA:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    from precedent.optuna import EXPERIMENT_ID_ATTR, STRATEGY_ATTR, TRIAL_ID_ATTR, PrecedentSampler

WARM_DESIGN = ("portfolio", "warm-start")


def same(a: Any, b: Any) -> bool:
    """Equal values of the same type; floats up to the API's canonical 12 significant digits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.isclose(a, b, rel_tol=1e-11)
    return bool(a == b)
# The default strategy with a cheaper model fit and acquisition search: the suite runs on 2 busy cores.
FAST = {"fitRestarts": 1, "acqRawSamples": 64, "acqLocalStarts": 1}
META = {"number_of_instances": 500.0, "number_of_features": 4.0, "class_entropy": 0.95, "landmark_1nn": 0.8}


def objective(trial: "optuna.Trial") -> float:
    """An unchanged Optuna objective: a conditional parameter and a typed categorical."""
    kernel = trial.suggest_categorical("kernel", ["linear", "rbf"])
    c = trial.suggest_float("C", 1e-2, 1e2, log=True)
    width = trial.suggest_categorical("width", [16, "16", 64])
    depth = trial.suggest_int("depth", 1, 16, log=True)
    frac = trial.suggest_float("frac", 0.0, 1.0, step=0.1)
    value = 0.6 - 0.05 * (math.log10(c) - 1) ** 2 - 0.01 * (math.log2(depth) - 2) ** 2 - 0.1 * (frac - 0.7) ** 2
    if kernel == "rbf":
        gamma = trial.suggest_float("gamma", 1e-3, 10, log=True)
        value += 0.15 - 0.04 * (math.log10(gamma) + 1) ** 2
    if width == 16 and isinstance(width, int):
        value += 0.05
    return value


@unittest.skipUnless(HAVE_OPTUNA, NO_OPTUNA)
class OptunaEndToEnd(unittest.TestCase):
    client: precedent.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="precedent-optuna-")
        if HAVE_OPTUNA:
            # The trials these tests fail on purpose would log their tracebacks.
            optuna.logging.set_verbosity(optuna.logging.ERROR)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self) -> None:
        require_service(self)
        type(self).client = precedent.Client()

    def test_1_sampler_through_study_optimize_with_two_jobs(self) -> None:
        print(f"\n[e2e] Optuna {OPTUNA_VERSION}")
        ds = self.client.register_dataset(unique("optuna-ds"), meta_features=META)
        sampler = PrecedentSampler(self.client, dataset=ds, model=unique("svm"), seed=1, optimizer=FAST)  # the one changed line
        study = optuna.create_study(direction="maximize", sampler=sampler, study_name=unique("study"))
        study.optimize(objective, n_trials=16, n_jobs=2)

        exp = sampler.experiment
        self.assertIsNotNone(exp)
        self.assertEqual(study.user_attrs[EXPERIMENT_ID_ATTR], exp.id)
        self.assertEqual(exp.name, study.study_name)
        # The space is the intersection space when it was first known: the first completed trial's
        # parameters (gamma too, if that trial used kernel=rbf).
        names = [p["name"] for p in exp.raw["searchSpace"]]
        self.assertLessEqual({"kernel", "C", "width", "depth", "frac"}, set(names))
        by_id = {t.id: t for t in exp.trials()}
        recorded = [ot for ot in study.trials if TRIAL_ID_ATTR in ot.user_attrs]
        self.assertEqual(len(by_id), len(recorded))
        # Trials 0 and 1 ran (n_jobs=2) before the space was known; one of them is not recorded only
        # when it lacks a parameter of the experiment. Every later trial came from precedent.
        self.assertGreaterEqual(len(recorded), 15)
        self.assertTrue(all(TRIAL_ID_ATTR in ot.user_attrs for ot in study.trials[2:]))
        strategies = []
        for ot in recorded:
            self.assertEqual(ot.state, optuna.trial.TrialState.COMPLETE)
            pt = by_id[ot.user_attrs[TRIAL_ID_ATTR]]
            self.assertEqual(ot.user_attrs[STRATEGY_ATTR], pt.strategy)
            self.assertEqual((pt.state, pt.value), ("completed", ot.value))
            for name in names:  # the configuration Optuna ran, with its types
                if name in ot.params:
                    self.assertTrue(same(pt.config[name], ot.params[name]), (name, pt.config[name], ot.params[name]))
                else:  # a parameter of the experiment the objective did not ask for: precedent's suggestion
                    self.assertNotEqual(pt.strategy, "manual")
            strategies.append(pt.strategy)
        self.assertLessEqual(strategies.count("manual"), 2)
        self.assertGreaterEqual(len([s for s in strategies if s != "manual"]), 14)
        configs = {json.dumps(t.raw["config"], sort_keys=True) for t in by_id.values()}
        self.assertEqual(len(configs), len(by_id), "parallel jobs got the same configuration")
        record_fact("samplerExperimentId", exp.id)
        record_fact("samplerTrials", len(by_id))
        print(f"[e2e] PrecedentSampler n_jobs=2: 16 trials, strategies {sorted(set(strategies))}, best {study.best_value:.4f}")

    def test_2_declared_conditional_space_failed_and_pruned_trials(self) -> None:
        ds = self.client.register_dataset(unique("optuna-prune"), meta_features=META)
        space = {
            "kernel": precedent.Categorical(["linear", "rbf"]),
            "C": precedent.Float(1e-2, 1e2, log=True),
            "gamma": precedent.Float(1e-3, 10, log=True, when=("kernel", ["rbf"])),
        }
        sampler = PrecedentSampler(self.client, dataset=ds.id, model=unique("svm"), seed=2, search_space=space, optimizer=FAST)
        study = optuna.create_study(direction="minimize", sampler=sampler, study_name=unique("prune"))

        def objective(trial: "optuna.Trial") -> float:
            kernel = trial.suggest_categorical("kernel", ["linear", "rbf"])
            c = trial.suggest_float("C", 1e-2, 1e2, log=True)
            if kernel == "rbf":
                c += trial.suggest_float("gamma", 1e-3, 10, log=True)
            for step in range(3):
                trial.report(c + step, step)
            if trial.number == 1:
                raise ValueError("diverged")
            if trial.number == 2:
                raise optuna.TrialPruned()
            return c

        study.enqueue_trial({"kernel": "linear", "C": 1.0})  # a person's configuration runs first
        study.optimize(objective, n_trials=8, catch=(ValueError,))
        exp = sampler.experiment
        self.assertEqual(exp.raw["searchSpace"][2]["condition"], {"parent": "kernel", "values": ["rbf"]})
        trials = {t.id: t for t in exp.trials()}
        self.assertEqual(len(trials), 8, "the enqueued trial did not cost a suggestion")
        by_number = {ot.number: trials[ot.user_attrs[TRIAL_ID_ATTR]] for ot in study.trials}
        self.assertEqual((by_number[0].strategy, by_number[0].config), ("manual", {"kernel": "linear", "C": 1.0, "gamma": None}))
        self.assertNotEqual(by_number[1].strategy, "manual", "with search_space= the first sampled trial comes from precedent")
        for ot in study.trials:
            pt = by_number[ot.number]
            self.assertEqual(pt.config["gamma"] is None, ot.params["kernel"] == "linear")
            self.assertEqual({k: v for k, v in pt.config.items() if v is not None}.keys(), ot.params.keys())
        self.assertEqual(by_number[1].state, "failed")
        pruned = by_number[2]
        self.assertEqual((pruned.state, pruned.metrics), ("completed", {"pruned_at_step": 2.0}))
        self.assertAlmostEqual(pruned.value, study.trials[2].intermediate_values[2], places=9)
        self.assertEqual([p["step"] for p in pruned.intermediate], [0, 1, 2])
        self.assertEqual({by_number[n].state for n in (0, 3, 4, 5, 6, 7)}, {"completed"})

    def test_3_import_optuna_twice_then_use_it_as_a_prior(self) -> None:
        db = os.path.join(self.tmp, "studies.db")
        study_name, model = unique("old-svm"), unique("svm")
        old = optuna.create_study(study_name=study_name, storage=f"sqlite:///{db}", direction="maximize", sampler=optuna.samplers.RandomSampler(seed=3))

        def old_objective(trial: "optuna.Trial") -> float:
            value = objective(trial)
            trial.set_user_attr("f1", round(value / 2, 4))
            trial.set_user_attr("note", "from last year")
            for step in range(3):
                trial.report(value - 0.1 * (2 - step), step)
            if trial.number == 3:
                raise optuna.TrialPruned()
            if trial.number == 4:
                raise ValueError("out of memory")
            return value

        old.optimize(old_objective, n_trials=14, catch=(ValueError,))
        meta = os.path.join(self.tmp, "meta.json")
        with open(meta, "w") as f:
            json.dump(META, f)
        dataset = unique("last-year")
        cmd = [sys.executable, "-m", "precedent", "import-optuna", "--storage", f"sqlite:///{db}", "--study", study_name,
               "--dataset", dataset, "--meta-features", meta, "--model", model]
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("imported as experiment", first.stdout)
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("already imported", second.stdout)
        self.assertIn("0 imported, 1 already there", second.stdout)
        print(f"\n[e2e] import-optuna: {first.stdout.strip().splitlines()[0]}")

        imported = [e for e in self.client.experiments(name=study_name) if e.name == study_name]
        self.assertEqual(len(imported), 1, "the second import created nothing")
        exp = imported[0]
        self.assertEqual((exp.model["name"], exp.metric, exp.direction, exp.status), (model, "objective", "maximize", "finished"))
        space = {p["name"]: p for p in exp.raw["searchSpace"]}
        self.assertEqual(space["gamma"]["condition"], {"parent": "kernel", "values": ["rbf"]})
        self.assertEqual(space["width"]["choices"], [16, "16", 64])
        trials = exp.trials()
        self.assertEqual(len(trials), 14)
        self.assertEqual(exp.counts, {"completed": 12, "pruned": 1, "failed": 1})
        for ot, pt in zip(sorted(old.trials, key=lambda t: t.number), trials):
            self.assertEqual(pt.number, ot.number)
            used = {k: v for k, v in pt.config.items() if v is not None}
            self.assertEqual(used.keys(), ot.params.keys())
            self.assertTrue(all(same(used[k], ot.params[k]) for k in used), (used, ot.params))
            if pt.state == "completed":
                self.assertEqual(pt.value, ot.value)
                self.assertEqual(pt.metrics, {"f1": ot.user_attrs["f1"]})
            self.assertEqual(len(pt.intermediate), 3)
            self.assertEqual(pt.provenance["userAttrs"]["note"], "from last year")
            self.assertEqual(pt.proposed_by, "import")
            self.assertIsNotNone(pt.raw["completedAt"])
        self.assertEqual(trials[4].fail_reason, "failed in Optuna")
        self.assertEqual(trials[3].state, "pruned")

        # The imported study is a prior: found by similarity, used by warm start — through the client,
        # and through Optuna with the one-line change.
        close = dict(META, number_of_instances=520.0, class_entropy=0.93)
        ds = self.client.register_dataset(unique("this-year"), meta_features=close)
        similar = self.client.similar_experiments(ds, model=model)
        self.assertEqual(similar[0].experiment_id, exp.id)
        sampler = PrecedentSampler(self.client, dataset=ds, model=model, seed=4, search_space={
            "kernel": CategoricalDistribution(["linear", "rbf"]),
            "C": FloatDistribution(1e-2, 1e2, log=True),
            "width": CategoricalDistribution([16, "16", 64]),
        })
        study = optuna.create_study(direction="maximize", sampler=sampler, study_name=unique("this-year"))
        study.optimize(objective, n_trials=3)
        first_trials = [sampler.experiment.trial(t.user_attrs[TRIAL_ID_ATTR]) for t in study.trials]
        self.assertIn(first_trials[0].strategy, WARM_DESIGN)
        self.assertEqual(first_trials[0].priors, [exp.id])
        # Until this year's results can judge last year's study, the design fills in with space-filling points.
        for t in first_trials[1:]:
            self.assertEqual(t.strategy, "sobol", t)
            self.assertTrue(any("to judge the priors by" in n for n in t.provenance["notes"]), t.provenance["notes"])
        best_old = max((t for t in old.trials if t.value is not None and t.state == optuna.trial.TrialState.COMPLETE), key=lambda t: t.value)
        self.assertTrue(any(same(study.trials[0].params["C"], t.params["C"]) for t in old.trials), "the warm design starts from last year's configurations")
        print(f"[e2e] warm start from the imported study: strategies {[t.strategy for t in first_trials]}, last year's best {best_old.value:.4f}")


if __name__ == "__main__":
    unittest.main()
