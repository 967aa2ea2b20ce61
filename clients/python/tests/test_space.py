"""Search-space types and their API form."""
from __future__ import annotations

import unittest

from precedent import Categorical, Float, Int
from precedent.optimize import _result, _wants_trial
from precedent.space import coerce_config, same_choice, space_from_api, space_to_api


class SpaceTest(unittest.TestCase):
    def test_api_form(self) -> None:
        space = {
            "kernel": Categorical(["linear", "rbf", "poly"]),
            "C": Float(1e-3, 1e3, log=True),
            "gamma": Float(1e-4, 10, log=True, when=("kernel", ["rbf", "poly"])),
            "degree": Int(2, 5, when=("kernel", "poly")),
            "frac": Float(0.0, 1.0, step=0.1),
            "width": Categorical([16, "16", 32, None, True]),
        }
        self.assertEqual(
            space_to_api(space),
            [
                {"name": "kernel", "type": "categorical", "choices": ["linear", "rbf", "poly"]},
                {"name": "C", "type": "float", "low": 1e-3, "high": 1e3, "log": True},
                {"name": "gamma", "type": "float", "low": 1e-4, "high": 10, "log": True, "condition": {"parent": "kernel", "values": ["rbf", "poly"]}},
                {"name": "degree", "type": "int", "low": 2, "high": 5, "log": False, "condition": {"parent": "kernel", "values": ["poly"]}},
                {"name": "frac", "type": "float", "low": 0.0, "high": 1.0, "log": False, "step": 0.1},
                {"name": "width", "type": "categorical", "choices": [16, "16", 32, None, True]},
            ],
        )
        # And back: the API's list gives the same typed space.
        self.assertEqual(space_from_api(space_to_api(space)), space)

    def test_choices_keep_their_type(self) -> None:
        self.assertTrue(same_choice(16, 16.0))
        self.assertFalse(same_choice(16, "16"))
        self.assertFalse(same_choice(True, 1))
        self.assertFalse(same_choice(None, 0))
        space = {"w": Categorical([1.5, 2.0, "2"]), "n": Int(1, 9), "x": Float(0, 1)}
        # JSON turns 2.0 into 2 and 1 into an int: the declared objects come back.
        config = coerce_config(space, {"w": 2, "n": 3.0, "x": 1})
        self.assertEqual(config, {"w": 2.0, "n": 3, "x": 1.0})
        self.assertIsInstance(config["w"], float)
        self.assertIsInstance(config["n"], int)
        self.assertIsInstance(config["x"], float)
        self.assertEqual(coerce_config(space, {"w": "2", "n": None, "x": None}), {"w": "2", "n": None, "x": None})

    def test_bad_definitions(self) -> None:
        with self.assertRaises(TypeError):
            Categorical("abc")
        with self.assertRaises(ValueError):
            Float(0, 1, when="kernel")
        with self.assertRaises(TypeError):
            space_to_api({"x": 3})

    def test_objective_forms(self) -> None:
        def by_config(config):  # noqa: ANN001
            return 1.0

        def by_trial(trial):  # noqa: ANN001
            return 1.0

        self.assertFalse(_wants_trial(by_config))
        self.assertTrue(_wants_trial(by_trial))
        self.assertFalse(_wants_trial(lambda c: 1.0))
        self.assertEqual(_result(0.5), (0.5, {}, None))
        self.assertEqual(_result((0.5, {"f1": 0.25, "bad": "x"})), (0.5, {"f1": 0.25}, None))
        self.assertEqual(_result(3), (3.0, {}, None))
        self.assertIn("None", _result(None)[2] or "")
        self.assertIn("nan", _result(float("nan"))[2] or "")
        self.assertIn("not a number", _result("high")[2] or "")


if __name__ == "__main__":
    unittest.main()
