"""Optuna distributions ↔ precedent parameters, and the search space an import infers (no service needed)."""
from __future__ import annotations

import unittest

from _support import HAVE_OPTUNA, NO_OPTUNA

if HAVE_OPTUNA:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    from precedent.optuna import distribution_to_param, from_optuna_value, param_to_distribution, to_optuna_value
    from precedent.optuna_import import _merge, study_to_line


@unittest.skipUnless(HAVE_OPTUNA, NO_OPTUNA)
class MappingTest(unittest.TestCase):
    def test_distributions_map_as_documented(self) -> None:
        cases = [
            (FloatDistribution(0.001, 10, log=True), {"type": "float", "low": 0.001, "high": 10.0, "log": True}),
            (FloatDistribution(0, 1, step=0.25), {"type": "float", "low": 0.0, "high": 1.0, "log": False, "step": 0.25}),
            (FloatDistribution(-1, 1), {"type": "float", "low": -1.0, "high": 1.0, "log": False}),
            (IntDistribution(1, 64, log=True), {"type": "int", "low": 1, "high": 64, "log": True}),
            (IntDistribution(0, 10, step=2), {"type": "int", "low": 0, "high": 10, "log": False, "step": 2}),
            (IntDistribution(3, 7), {"type": "int", "low": 3, "high": 7, "log": False}),
            (CategoricalDistribution([16, "16", None, True, 0.5]), {"type": "categorical", "choices": [16, "16", None, True, 0.5]}),
        ]
        for dist, expected in cases:
            with self.subTest(dist=dist):
                param = distribution_to_param("p", dist)
                self.assertEqual(param, {"name": "p", **expected})
                self.assertEqual(param_to_distribution(param), dist)

    def test_values_round_trip_with_their_types(self) -> None:
        cat = CategoricalDistribution([16, "16", 2.0, False])
        self.assertEqual(to_optuna_value(cat, "16"), "16")
        self.assertIsInstance(to_optuna_value(cat, 16), int)
        self.assertIsInstance(to_optuna_value(cat, 2), float)  # JSON turned 2.0 into 2
        self.assertIs(to_optuna_value(cat, False), False)
        with self.assertRaises(ValueError):
            to_optuna_value(cat, 0)  # 0 is not False
        self.assertEqual(to_optuna_value(IntDistribution(1, 5), 3.0), 3)
        self.assertEqual(to_optuna_value(FloatDistribution(0, 1), 1.0000000000001), 1.0)
        self.assertEqual(from_optuna_value(IntDistribution(1, 5), 6), None)
        self.assertEqual(from_optuna_value(CategoricalDistribution(["a"]), "b"), None)
        self.assertEqual(from_optuna_value(FloatDistribution(0, 1, step=0.5), 0.5), 0.5)

    def test_ranges_that_changed_during_a_study_are_merged(self) -> None:
        self.assertEqual(_merge("x", [FloatDistribution(0, 1), FloatDistribution(0.5, 2)]), FloatDistribution(0, 2))
        self.assertEqual(_merge("x", [FloatDistribution(1, 2, log=True), FloatDistribution(0.1, 1, log=True)]), FloatDistribution(0.1, 2, log=True))
        self.assertEqual(_merge("x", [FloatDistribution(0, 1, step=0.5), FloatDistribution(0, 2, step=0.5)]), FloatDistribution(0, 2, step=0.5))
        self.assertEqual(_merge("x", [IntDistribution(0, 4, step=2), IntDistribution(1, 5, step=2)]), IntDistribution(0, 5))
        self.assertEqual(_merge("x", [CategoricalDistribution(["a", 1]), CategoricalDistribution([1, "b"])]), CategoricalDistribution(["a", 1, "b"]))
        with self.assertRaises(ValueError):
            _merge("x", [FloatDistribution(0, 1), CategoricalDistribution(["a"])])

    def test_conditions_are_inferred_from_which_trials_used_a_parameter(self) -> None:
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        study = optuna.create_study(study_name="svm", direction="minimize", sampler=optuna.samplers.RandomSampler(seed=1))

        def objective(trial: "optuna.Trial") -> float:
            kernel = trial.suggest_categorical("kernel", ["linear", "rbf", "poly"])
            c = trial.suggest_float("C", 1e-3, 1e3, log=True)
            if kernel in ("rbf", "poly"):
                trial.suggest_float("gamma", 1e-4, 10, log=True)
            if kernel == "poly":
                trial.suggest_int("degree", 2, 5)
            if trial.number == 1:
                trial.suggest_int("rare", 0, 3)  # used once, explained by nothing: left out
            return c

        study.optimize(objective, n_trials=30)
        line, notes = study_to_line(study, dataset={"name": "d", "metaFeatures": {}}, model={"name": "svm"})
        assert line is not None
        space = {p["name"]: p for p in line["experiment"]["searchSpace"]}
        self.assertEqual(list(space), ["kernel", "C", "gamma", "degree"])
        self.assertEqual(space["gamma"]["condition"], {"parent": "kernel", "values": ["rbf", "poly"]})
        self.assertEqual(space["degree"]["condition"], {"parent": "kernel", "values": ["poly"]})
        self.assertTrue(any("'rare' left out" in n for n in notes), notes)
        self.assertEqual(len(line["trials"]), 30)
        self.assertEqual(line["experiment"]["objective"], {"metric": "objective", "direction": "minimize"})
        # The id is derived from the study: the same study gives the same id.
        again, _ = study_to_line(study, dataset={"name": "d", "metaFeatures": {}}, model={"name": "svm"})
        assert again is not None
        self.assertEqual(again["experiment"]["id"], line["experiment"]["id"])


if __name__ == "__main__":
    unittest.main()
