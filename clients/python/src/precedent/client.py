"""The entry point: :class:`Client`."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .connection import Connection
from .datasets import Dataset, PathOrFile, find_dataset, get_dataset, list_datasets, looks_like_id, register_dataset, resolve_dataset_id
from .experiments import Experiment, Objective, SimilarExperiment, create_experiment, get_experiment, list_experiments

__all__ = ["Client"]


class Client:
    """A connection to a precedent service, acting in the project of its API key.

    Args:
        url: the service, e.g. ``http://127.0.0.1:8080``; default ``PRECEDENT_URL``, else ``http://127.0.0.1:8080``.
        api_key: default ``PRECEDENT_API_KEY``, else the file ``PRECEDENT_API_KEY_FILE`` names, else the
            key file ``npm start`` writes (``.neo4j/default/api-key`` of the checkout, searched from the
            working directory upwards).
        timeout: seconds to wait for one response.
        retry_timeout: how long to keep retrying 429/503 answers and connection failures (a refused
            connection to a local service that never answered fails within about a second: it is not running).

    Example::

        client = precedent.Client()
        ds = client.register_dataset("credit", csv="credit.csv", target="default")
        exp = client.create_experiment("svm on credit", ds, "svm", {"C": precedent.Float(1e-3, 1e3, log=True)})
        exp.optimize(lambda config: evaluate(config), n_trials=30)
    """

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, *, timeout: float = 60.0, retry_timeout: float = 120.0) -> None:
        self.connection = Connection(url, api_key, timeout=timeout, retry_timeout=retry_timeout)

    @property
    def url(self) -> str:
        return self.connection.url

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def health(self) -> Dict[str, Any]:
        """The service's and Neo4j's status (no API key needed)."""
        from .errors import ApiError

        try:
            # A health check answers now: it does not wait out an outage.
            return dict(self.connection.request("GET", "/health", auth=False, retry_timeout=0).body)
        except ApiError as err:  # 503 carries the same body, saying what is down
            if isinstance(err.body, Mapping):
                return dict(err.body)
            raise

    # -- datasets -------------------------------------------------------------------------------

    def register_dataset(
        self,
        name: str,
        csv: Optional[PathOrFile] = None,
        target: Optional[str] = None,
        version: str = "1",
        *,
        meta_features: Optional[Mapping[str, float]] = None,
        task_type: Optional[str] = None,
        description: Optional[str] = None,
        instances: Optional[int] = None,
        features: Optional[int] = None,
        classes: Optional[int] = None,
        sample_rows: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> Dataset:
        """Registers a dataset and returns it.

        - ``csv=`` a path or a binary file with a header row: streamed to the service, which profiles
          it (about 50 meta-features, a fingerprint); ``target`` is the target column (default: the last).
        - ``meta_features=`` a dict of meta-features you computed (plus optional ``task_type``,
          ``instances``, ``features``, ``classes``).

        The same name and version again returns the existing dataset (``created`` is ``False``);
        other data under the same name and version is a 409: give it a new ``version``.
        """
        return register_dataset(
            self.connection, name, csv=csv, target=target, version=version, meta_features=meta_features, task_type=task_type,
            description=description, instances=instances, features=features, classes=classes, sample_rows=sample_rows, seed=seed,
        )

    def dataset(self, name_or_id: str, version: Optional[str] = None) -> Dataset:
        """A registered dataset by id, or by exact name (and version)."""
        if looks_like_id(name_or_id) and version is None:
            return get_dataset(self.connection, name_or_id)
        return find_dataset(self.connection, name_or_id, version)

    def datasets(self, name: Optional[str] = None, task_type: Optional[str] = None) -> List[Dataset]:
        """Datasets of the project (``name``: a case-insensitive substring)."""
        return list_datasets(self.connection, name=name, task_type=task_type)

    # -- experiments ----------------------------------------------------------------------------

    def create_experiment(
        self,
        name: str,
        dataset: Union[Dataset, str],
        model: Union[str, Mapping[str, str]],
        search_space: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]],
        objective: Objective = "maximize",
        budget: Optional[int] = None,
        warm_start: Any = "auto",
        seed: Optional[int] = None,
        reuse: bool = True,
        *,
        optimizer: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        candidates: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> Experiment:
        """Starts an experiment, or resumes the one of that name.

        Args:
            name: identifies the experiment within the project.
            dataset: a :class:`Dataset`, its id, or its exact name (the most recent version of that name).
            model: its name (``"xgboost"``), or ``{"name": ..., "library": ..., "family": ...}``.
            search_space: name → :class:`precedent.Float` / :class:`precedent.Int` / :class:`precedent.Categorical`.
            objective: ``"maximize"`` / ``"minimize"`` (metric ``"objective"``), or ``(metric, direction)``.
                Warm start learns from experiments with the same model name and metric.
            budget: at most this many trials.
            warm_start: ``"auto"`` (learn from the most similar past experiments), ``"off"``, a list of
                experiments (exactly these priors), or the API's dict (``{"mode": "auto", "maxPriors": 5}``).
            seed: makes the suggestions reproducible (one is drawn and recorded otherwise).
            reuse: resume the project's experiment of this name when its dataset, model, objective and
                search space are the same (Optuna's ``load_if_exists``); a different one is a 409 naming
                the difference. ``False`` always creates a new experiment.
            optimizer, tags, candidates: as the API's fields (see README, "Start an experiment").
        """
        return create_experiment(
            self.connection, name, dataset, model, search_space, objective, budget=budget, warm_start=warm_start, seed=seed,
            reuse=reuse, optimizer=optimizer, tags=tags, candidates=candidates,
        )

    def experiment(self, name_or_id: str) -> Experiment:
        """An experiment by id, or by exact name."""
        if looks_like_id(name_or_id):
            return get_experiment(self.connection, name_or_id)
        from .errors import ApiError

        matches = [e for e in list_experiments(self.connection, name=name_or_id) if e.name == name_or_id]
        if not matches:
            raise ApiError(404, f"no experiment named {name_or_id!r} in this project", error="Not Found", method="GET", path="/v1/experiments")
        return max(matches, key=lambda e: e.raw.get("createdAt", ""))

    def experiments(self, *, name: Optional[str] = None, dataset: Union[Dataset, str, None] = None, model: Optional[str] = None, status: Optional[str] = None) -> List[Experiment]:
        """Experiments of the project matching the filters."""
        return list_experiments(self.connection, name=name, dataset=dataset, model=model, status=status)

    def similar_experiments(
        self,
        dataset: Union[Dataset, str, None] = None,
        *,
        meta_features: Optional[Mapping[str, float]] = None,
        model: Optional[str] = None,
        metric: Optional[str] = None,
        search_space: Optional[Iterable[str]] = None,
        k: int = 10,
    ) -> List[SimilarExperiment]:
        """Past experiments most similar to a registered dataset or to raw meta-features."""
        body: Dict[str, Any] = {"k": k}
        if dataset is not None:
            body["datasetId"] = resolve_dataset_id(self.connection, dataset)
        if meta_features is not None:
            body["metaFeatures"] = dict(meta_features)
        if model is not None:
            body["model"] = model
        if metric is not None:
            body["metric"] = metric
        if search_space is not None:
            body["searchSpace"] = list(search_space)
        items = self.connection.request("POST", "/v1/similar-experiments", json_body=body).body["items"]
        return [SimilarExperiment(i) for i in items]

    # -- import ---------------------------------------------------------------------------------

    def import_lines(self, lines: Iterable[Union[str, Mapping[str, Any]]], *, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Imports experiments in the JSON Lines format ``precedent.experiment/1`` (dicts or JSON strings).

        The whole body is validated before anything is written. An experiment imported before (by
        ``experiment.id``, or its content when it has none) is skipped: ``status`` ``"exists"``.
        """
        import json

        text = "\n".join(line if isinstance(line, str) else json.dumps(line, allow_nan=False, separators=(",", ":")) for line in lines) + "\n"
        res = self.connection.request(
            "POST", "/v1/import", data=text.encode("utf-8"), content_type="application/x-ndjson", idempotency_key=idempotency_key
        )
        return dict(res.body)
