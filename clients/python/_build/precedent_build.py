"""A PEP 517 build backend for the precedent client, in the standard library only.

Why not setuptools: ``pip install ./clients/python`` must work offline, and pip's build isolation
would download setuptools (and, before setuptools 70.1, ``wheel``) first. This backend has no build
requirements, so pip needs nothing it does not already have. It builds a pure-Python wheel of
``src/precedent`` with the metadata of ``pyproject.toml``'s ``[project]`` table, an editable wheel
(PEP 660, a ``.pth`` file pointing at ``src/``) and an sdist.

``pyproject.toml`` is read with :mod:`tomllib` where it exists (Python ≥ 3.11); on 3.9 and 3.10 a
small parser handles the subset of TOML that file uses (tables, strings, arrays, inline tables,
booleans, integers, comments). ``tests/test_packaging.py`` checks both read the file the same.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "precedent"
SOURCE = ROOT / "src" / PACKAGE
# Fixed timestamps make the wheel reproducible (zip cannot represent dates before 1980).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --- pyproject.toml ------------------------------------------------------------------------------

class _Toml:
    """Recursive-descent reader for the TOML subset described in the module docstring."""

    BARE = re.compile(r"[A-Za-z0-9_-]+")
    NUMBER = re.compile(r"[+-]?[0-9][0-9_]*")

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, what: str) -> ValueError:
        line = self.s.count("\n", 0, self.i) + 1
        return ValueError(f"pyproject.toml line {line}: {what} (this reader knows only a subset of TOML)")

    def skip(self, newlines: bool) -> None:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            else:
                return

    def key(self) -> str:
        if self.s.startswith('"', self.i):
            return self.string()
        m = self.BARE.match(self.s, self.i)
        if not m:
            raise self.error("expected a key")
        self.i = m.end()
        return m.group(0)

    def string(self) -> str:
        m = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.s, self.i)
        if not m:
            raise self.error("expected a one-line basic string")
        self.i = m.end()
        return json.loads(m.group(0))

    def value(self) -> Any:
        c = self.s[self.i : self.i + 1]
        if c == '"':
            return self.string()
        if c == "[":
            self.i += 1
            items: List[Any] = []
            while True:
                self.skip(True)
                if self.s.startswith("]", self.i):
                    self.i += 1
                    return items
                items.append(self.value())
                self.skip(True)
                if self.s.startswith(",", self.i):
                    self.i += 1
                elif not self.s.startswith("]", self.i):
                    raise self.error("expected , or ] in an array")
        if c == "{":
            self.i += 1
            table: Dict[str, Any] = {}
            self.skip(False)
            if self.s.startswith("}", self.i):
                self.i += 1
                return table
            while True:
                self.skip(False)
                k = self.key()
                self.skip(False)
                if not self.s.startswith("=", self.i):
                    raise self.error("expected = in an inline table")
                self.i += 1
                self.skip(False)
                table[k] = self.value()
                self.skip(False)
                if self.s.startswith(",", self.i):
                    self.i += 1
                elif self.s.startswith("}", self.i):
                    self.i += 1
                    return table
                else:
                    raise self.error("expected , or } in an inline table")
        for word, v in (("true", True), ("false", False)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return v
        m = self.NUMBER.match(self.s, self.i)
        if m:
            self.i = m.end()
            return int(m.group(0).replace("_", ""))
        raise self.error("unsupported value")

    def document(self) -> Dict[str, Any]:
        root: Dict[str, Any] = {}
        table = root
        while True:
            self.skip(True)
            if self.i >= len(self.s):
                return root
            if self.s.startswith("[", self.i):
                self.i += 1
                table = root
                while True:
                    self.skip(False)
                    table = table.setdefault(self.key(), {})
                    self.skip(False)
                    if self.s.startswith(".", self.i):
                        self.i += 1
                    elif self.s.startswith("]", self.i):
                        self.i += 1
                        break
                    else:
                        raise self.error("expected . or ] in a table header")
                continue
            k = self.key()
            self.skip(False)
            if not self.s.startswith("=", self.i):
                raise self.error("expected =")
            self.i += 1
            self.skip(False)
            table[k] = self.value()
            self.skip(False)
            if self.i < len(self.s) and self.s[self.i] != "\n":
                raise self.error("expected the end of the line")


def read_pyproject(path: Path = ROOT / "pyproject.toml", use_tomllib: bool = True) -> Dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if use_tomllib:
        try:
            import tomllib  # type: ignore[import-not-found]  # Python >= 3.11
        except ImportError:
            pass
        else:
            return tomllib.loads(text)
    return _Toml(text).document()


def _project() -> Dict[str, Any]:
    return read_pyproject()["project"]


def _dist_name(project: Dict[str, Any]) -> str:
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def metadata(project: Optional[Dict[str, Any]] = None) -> str:
    """Core metadata (METADATA / PKG-INFO) of the ``[project]`` table."""
    p = project or _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
    ]
    if "requires-python" in p:
        lines.append(f"Requires-Python: {p['requires-python']}")
    lines += [f"Classifier: {c}" for c in p.get("classifiers", [])]
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    for extra, deps in p.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {d}; extra == "{extra}"' for d in deps]
    readme = p.get("readme")
    body = ""
    if isinstance(readme, str) and (ROOT / readme).exists():
        lines.append("Description-Content-Type: text/markdown")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + body


def _entry_points(p: Dict[str, Any]) -> str:
    scripts = p.get("scripts", {})
    if not scripts:
        return ""
    return "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())


# --- wheels --------------------------------------------------------------------------------------

def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _package_files() -> List[Tuple[str, bytes]]:
    files = []
    for path in sorted(SOURCE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed"):
            files.append((path.relative_to(SOURCE.parent).as_posix(), path.read_bytes()))
    return files


def _write_wheel(directory: str, files: List[Tuple[str, bytes]]) -> str:
    p = _project()
    name = _dist_name(p)
    dist_info = f"{name}-{p['version']}.dist-info"
    files = list(files)
    files.append((f"{dist_info}/METADATA", metadata(p).encode()))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: precedent_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    files.append((f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode()))
    entry_points = _entry_points(p)
    if entry_points:
        files.append((f"{dist_info}/entry_points.txt", entry_points.encode()))
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files) + f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    filename = f"{name}-{p['version']}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return filename


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    """PEP 660: the installed copy is a ``.pth`` line pointing at ``src/``; edits apply at once."""
    pth = f"{SOURCE.parent}\n".encode()
    return _write_wheel(wheel_directory, [(f"__editable__.{PACKAGE}.pth", pth)])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    p = _project()
    base = f"{_dist_name(p)}-{p['version']}"
    members: List[Tuple[str, bytes]] = [("PKG-INFO", metadata(p).encode())]
    for rel in ("pyproject.toml", "README.md"):
        if (ROOT / rel).exists():
            members.append((rel, (ROOT / rel).read_bytes()))
    for folder in ("_build", "src", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                members.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel, data in members:
            info = tarfile.TarInfo(f"{base}/{rel}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return filename
