"""The package as installed: metadata, typing marker, command line, and a core free of Optuna."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import precedent

ROOT = Path(__file__).resolve().parent.parent


def _backend():
    sys.path.insert(0, str(ROOT / "_build"))
    try:
        import precedent_build

        return precedent_build
    finally:
        sys.path.pop(0)


class PackagingTest(unittest.TestCase):
    def test_installed_copy_is_what_the_tests_import(self) -> None:
        expected = os.environ.get("PRECEDENT_EXPECT_INSTALLED_IN")
        if not expected:
            self.skipTest("PRECEDENT_EXPECT_INSTALLED_IN is not set (the harness sets it to its venv)")
        self.assertTrue(Path(precedent.__file__).resolve().is_relative_to(Path(expected).resolve()), precedent.__file__)  # type: ignore[attr-defined]

    def test_typed_and_versioned(self) -> None:
        self.assertTrue((Path(precedent.__file__).parent / "py.typed").exists())
        from importlib import metadata

        try:
            meta = metadata.metadata("precedent")
        except metadata.PackageNotFoundError:
            self.skipTest("not installed (running from the source tree)")
        self.assertEqual(meta["Version"], precedent.__version__)
        self.assertEqual(meta["Requires-Python"], ">=3.9")
        self.assertIn("optuna", meta.get_all("Provides-Extra") or [])
        self.assertIn('optuna>=3.1; extra == "optuna"', meta.get_all("Requires-Dist") or [])

    def test_the_core_never_imports_optuna(self) -> None:
        code = "import sys, precedent, precedent.cli; c = precedent.Client('http://127.0.0.1:9', 'k'); print('optuna' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "False")

    def test_command_line_help(self) -> None:
        out = subprocess.run([sys.executable, "-m", "precedent", "--help"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        for word in ("health", "experiments", "import-optuna", "PRECEDENT_API_KEY"):
            self.assertIn(word, out.stdout)
        out = subprocess.run([sys.executable, "-m", "precedent", "import-optuna", "--help"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        for word in ("--storage", "--study", "--all", "--dataset", "--meta-features", "--csv", "--target", "--model"):
            self.assertIn(word, out.stdout)

    def test_pyproject_reader_agrees_with_tomllib(self) -> None:
        backend = _backend()
        mini = backend.read_pyproject(use_tomllib=False)
        try:
            import tomllib  # type: ignore[import-not-found]
        except ImportError:
            self.skipTest("tomllib needs Python >= 3.11")
        with open(ROOT / "pyproject.toml", "rb") as f:
            self.assertEqual(mini, tomllib.load(f))

    def test_wheel_contents(self) -> None:
        backend = _backend()
        with tempfile.TemporaryDirectory() as out:
            name = backend.build_wheel(out)
            with zipfile.ZipFile(Path(out, name)) as z:
                names = set(z.namelist())
                record = z.read(f"precedent-{precedent.__version__}.dist-info/RECORD").decode()
                entry = z.read(f"precedent-{precedent.__version__}.dist-info/entry_points.txt").decode()
        for module in ("__init__", "connection", "errors", "datasets", "experiments", "space", "trials", "optimize", "cli", "optuna", "optuna_import"):
            self.assertIn(f"precedent/{module}.py", names)
        self.assertIn("precedent/py.typed", names)
        self.assertFalse(any("tests" in n or "__pycache__" in n for n in names))
        self.assertEqual(len(record.strip().splitlines()), len(names))
        self.assertIn("precedent = precedent.cli:main", entry)


if __name__ == "__main__":
    unittest.main()
