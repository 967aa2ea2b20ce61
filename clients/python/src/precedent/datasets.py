"""Datasets: registered with meta-features you computed, or with a CSV that the service profiles."""
from __future__ import annotations

import io
import os
import warnings
from typing import IO, TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

from .errors import ApiError

if TYPE_CHECKING:  # pragma: no cover
    from .connection import Connection

__all__ = ["Dataset", "register_dataset", "get_dataset", "find_dataset", "list_datasets", "resolve_dataset_id", "looks_like_id"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]


class Dataset:
    """A registered dataset.

    Attributes:
        id, name, version, task_type: identity and kind (``classification``, ``regression``, ``other``).
        meta_features: name → value (about 50 for a profiled CSV).
        fingerprint: sha256 of a profiled CSV, else ``None``.
        profile: for a CSV registration, what the profiler did (rows, sampled, target, notes).
        created: ``False`` when the name and version were already registered (the existing one is returned).
        raw: the API's JSON object.
    """

    def __init__(self, raw: Mapping[str, Any], created: bool = True) -> None:
        self.raw = dict(raw)
        self.created = created

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def version(self) -> str:
        return self.raw.get("version", "1")

    @property
    def task_type(self) -> Optional[str]:
        return self.raw.get("taskType")

    @property
    def meta_features(self) -> Dict[str, float]:
        return self.raw.get("metaFeatures") or {}

    @property
    def fingerprint(self) -> Optional[str]:
        return self.raw.get("fingerprint")

    @property
    def profile(self) -> Optional[Dict[str, Any]]:
        return self.raw.get("profile")


    def __repr__(self) -> str:
        return f"Dataset({self.name!r} v{self.version} id={self.id} meta_features={len(self.meta_features)})"


def _file_size(f: IO[bytes]) -> Optional[int]:
    try:
        return os.fstat(f.fileno()).st_size - f.tell()
    except (AttributeError, OSError, ValueError):
        pass
    try:
        here = f.tell()
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def register_dataset(
    conn: "Connection",
    name: str,
    *,
    csv: Optional[PathOrFile] = None,
    target: Optional[str] = None,
    version: str = "1",
    meta_features: Optional[Mapping[str, float]] = None,
    task_type: Optional[str] = None,
    description: Optional[str] = None,
    instances: Optional[int] = None,
    features: Optional[int] = None,
    classes: Optional[int] = None,
    sample_rows: Optional[int] = None,
    seed: Optional[int] = None,
) -> Dataset:
    """See :meth:`precedent.Client.register_dataset`."""
    if csv is not None:
        if meta_features is not None:
            raise ValueError("give either csv= (profiled by the service) or meta_features=, not both")
        query = {"name": name, "version": version, "target": target, "taskType": task_type, "description": description, "sampleRows": sample_rows, "seed": seed}
        if isinstance(csv, io.TextIOBase):
            raise TypeError("open the CSV in binary mode (open(path, 'rb')), or pass its path")
        if isinstance(csv, (str, os.PathLike)):
            with open(csv, "rb") as f:
                res = conn.request("POST", "/v1/datasets", query=query, data=f, content_type="text/csv", content_length=_file_size(f))
        else:
            res = conn.request("POST", "/v1/datasets", query=query, data=csv, content_type="text/csv", content_length=_file_size(csv))
        return Dataset(res.body, created=res.status == 201)
    if meta_features is None:
        raise ValueError("give csv= (a path or a binary file) or meta_features= (a dict of name -> number)")
    body: Dict[str, Any] = {"name": name, "version": version, "metaFeatures": dict(meta_features)}
    for key, v in (("taskType", task_type), ("description", description), ("instances", instances), ("features", features), ("classes", classes)):
        if v is not None:
            body[key] = v
    res = conn.request("POST", "/v1/datasets", json_body=body)
    # The service names meta-features that look like misspelt ones of its profiler's (similarity
    # compares them by name): a warning here, where the misspelling was typed.
    for note in res.body.get("notes") or []:
        warnings.warn(note, UserWarning, stacklevel=3)
    return Dataset(res.body, created=res.status == 201)


def get_dataset(conn: "Connection", dataset_id: str) -> Dataset:
    return Dataset(conn.request("GET", f"/v1/datasets/{dataset_id}").body, created=False)


def list_datasets(conn: "Connection", name: Optional[str] = None, task_type: Optional[str] = None) -> List[Dataset]:
    """Every dataset of the project (``name``: a case-insensitive substring)."""
    out: List[Dataset] = []
    offset: Optional[int] = 0
    while offset is not None:
        page = conn.request("GET", "/v1/datasets", query={"name": name, "taskType": task_type, "limit": 500, "offset": offset}).body
        out += [Dataset(d, created=False) for d in page["items"]]
        offset = page.get("nextOffset")
    return out


def find_dataset(conn: "Connection", name: str, version: Optional[str] = None) -> Dataset:
    """The dataset of exactly this name (and version; without one, the most recently created version)."""
    matches = [d for d in list_datasets(conn, name=name) if d.name == name and (version is None or d.version == version)]
    if not matches:
        which = f"{name!r}" + (f" version {version!r}" if version else "")
        raise ApiError(
            404,
            f"no dataset named {which} in this project (client.datasets() lists them; client.register_dataset(...) registers one)",
            error="Not Found", method="GET", path="/v1/datasets",
        )
    return max(matches, key=lambda d: d.raw.get("createdAt", ""))


def looks_like_id(s: Any) -> bool:
    """Whether ``s`` is an id of the API (a UUID) rather than a name."""
    import uuid

    try:
        uuid.UUID(s)
        return True
    except (ValueError, AttributeError, TypeError):
        return False


def resolve_dataset_id(conn: "Connection", dataset: Union[Dataset, str]) -> str:
    """The id of a :class:`Dataset`, an id, or an exact dataset name (its most recent version).

    The API takes ids only; a name is what people remember and what :meth:`Client.dataset` and the
    Optuna sampler accept, so every ``dataset=`` argument accepts one too.
    """
    if isinstance(dataset, Dataset):
        return dataset.id
    if looks_like_id(str(dataset)):  # a uuid.UUID object is an id too
        return str(dataset)
    return find_dataset(conn, str(dataset)).id
