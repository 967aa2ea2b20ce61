"""``python -m precedent``: the command line of the Python client."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Optional, Sequence

from . import __version__
from .client import Client
from .errors import ApiError, PrecedentError

EPILOG = """\
The service is PRECEDENT_URL (default http://127.0.0.1:8080) and the API key PRECEDENT_API_KEY
(default: the key file `npm start` writes, .neo4j/default/api-key of the checkout). The key decides
the project everything is read from and written to; `npm run keys -- create --project <name>` prints
a key for another project.

examples:
  python -m precedent health
  python -m precedent experiments --model xgboost
  python -m precedent import-optuna --storage sqlite:///studies.db --all --dataset credit --model xgboost
"""

IMPORT_HELP = """\
Reads Optuna studies through Optuna's own storage API and imports each as one precedent experiment
(JSON Lines format precedent.experiment/1, POST /v1/import): search space, trial states, values,
intermediate values, user attributes and times. Running it again imports nothing new: the
experiment ids are derived from the studies. Afterwards the studies are priors that similarity
search finds and warm start uses, for experiments of the same --model and --metric.

The dataset the studies tuned on: an existing precedent dataset (--dataset alone), or one registered
now with meta-features you computed (--meta-features file.json, a JSON object of name -> number), or
profiled from its CSV (--csv data.csv --target column).

Needs Optuna (pip install './clients/python[optuna]', or Debian's python3-optuna).
"""


def _client(args: argparse.Namespace) -> Client:
    return Client(args.url, args.api_key)


def _health(args: argparse.Namespace) -> int:
    client = _client(args)
    h = client.health()
    neo = h.get("neo4j", {})
    print(f"service   {client.url}  {h.get('status')}  (precedent {h.get('service', {}).get('version', '?')})")
    print(f"neo4j     {neo.get('status')}  {neo.get('version', '')} {neo.get('error', '')}".rstrip())
    if not client.connection.api_key:
        print(f"api key   none: {client.connection.api_key_source}")
        return 1
    try:
        n = client.connection.request("GET", "/v1/experiments", query={"limit": 1}).body["total"]
        print(f"api key   accepted (from {client.connection.api_key_source}); the project has {n} experiment(s)")
    except ApiError as err:
        print(f"api key   from {client.connection.api_key_source}: {err}")
        return 1
    return 0 if h.get("status") == "ok" else 1


def _experiments(args: argparse.Namespace) -> int:
    exps = _client(args).experiments(name=args.name, model=args.model, status=args.status)
    if args.json:
        print(json.dumps([e.raw for e in exps], indent=2))
        return 0
    rows = [("id", "name", "status", "trials", "model", "dataset", "objective")]
    rows += [(e.id, e.name, e.status, str(e.raw.get("trialCount", "")), e.model["name"], e.raw.get("datasetName", ""), f"{e.direction} {e.metric}") for e in exps]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def _import_optuna(args: argparse.Namespace) -> int:
    try:
        from .optuna_import import dataset_fields, import_studies
    except ImportError as err:
        print(f"import-optuna: {err}", file=sys.stderr)
        return 1
    if not args.all and not args.study:
        print("give --study NAME (repeatable) or --all", file=sys.stderr)
        return 2
    client = _client(args)
    dataset: Dict[str, Any]
    if args.meta_features:
        with open(args.meta_features, encoding="utf-8") as f:
            meta = json.load(f)
        if not isinstance(meta, dict):
            print(f"{args.meta_features}: expected a JSON object of meta-feature name -> number", file=sys.stderr)
            return 2
        dataset = {"name": args.dataset, "version": args.dataset_version, "metaFeatures": meta}
    elif args.csv:
        if args.dry_run:
            print("--dry-run with --csv would register the dataset; register it first, or give --meta-features", file=sys.stderr)
            return 2
        ds = client.register_dataset(args.dataset, csv=args.csv, target=args.target, version=args.dataset_version)
        print(f"dataset {ds.name!r} version {ds.version}: {'registered' if ds.created else 'already registered'} ({len(ds.meta_features)} meta-features)")
        dataset = dataset_fields(ds.raw)
    else:
        try:
            dataset = dataset_fields(client.dataset(args.dataset, args.dataset_version).raw)
        except ApiError as err:
            if err.status != 404:
                raise
            print(f"dataset {args.dataset!r} version {args.dataset_version} is not registered: give --meta-features file.json or --csv data.csv", file=sys.stderr)
            return 1
    model = {"name": args.model}
    if args.model_library:
        model["library"] = args.model_library
    if args.model_family:
        model["family"] = args.model_family
    results = import_studies(
        client, args.storage, studies=None if args.all else args.study, dataset=dataset, model=model, metric=args.metric,
        include_sampler_studies=args.include_sampler_studies, dry_run=args.dry_run,
    )
    if args.dry_run:
        for r in results:
            if "line" in r:
                print(json.dumps(r["line"], separators=(",", ":")))
        for r in results:
            _print_result(r, sys.stderr)
        return 0
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        _print_result(r, sys.stdout)
    created = sum(1 for r in results if r["status"] == "created")
    print(f"{len(results)} stud{'y' if len(results) == 1 else 'ies'}: {created} imported, {sum(1 for r in results if r['status'] == 'exists')} already there, "
          f"{sum(1 for r in results if r['status'] == 'skipped')} skipped")
    return 0


def _print_result(r: Dict[str, Any], out: Any) -> None:
    what = {"created": "imported as experiment", "exists": "already imported as experiment", "dry-run": "would be experiment", "skipped": "skipped"}[r["status"]]
    target = f" {r['experimentId']}" if r.get("experimentId") and r["status"] != "skipped" else ""
    trials = f" ({r['trials']} trials)" if r["status"] != "skipped" else ""
    print(f"study {r['study']!r}: {what}{target}{trials}", file=out)
    for note in r.get("notes", []):
        print(f"  - {note}", file=out)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m precedent", description="precedent: knowledge-driven hyperparameter optimization.", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"precedent {__version__}")
    p.add_argument("--url", help="the service (default: PRECEDENT_URL, else http://127.0.0.1:8080)")
    p.add_argument("--api-key", help="the API key (default: PRECEDENT_API_KEY, else the key file npm start writes)")
    sub = p.add_subparsers(dest="command", metavar="<command>")

    h = sub.add_parser("health", help="is the service up, and is the API key accepted?")
    h.set_defaults(run=_health)

    e = sub.add_parser("experiments", help="list the project's experiments")
    e.add_argument("--name", help="a case-insensitive substring of the name")
    e.add_argument("--model", help="only this model name")
    e.add_argument("--status", choices=["running", "paused", "finished"])
    e.add_argument("--json", action="store_true", help="print the API's JSON")
    e.set_defaults(run=_experiments)

    i = sub.add_parser("import-optuna", help="import Optuna studies into the knowledge graph", description=IMPORT_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("--storage", required=True, help="an Optuna storage URL (sqlite:///studies.db, postgresql://…, mysql://…), journal:///path.log, or a file path")
    which = i.add_mutually_exclusive_group()
    which.add_argument("--study", action="append", metavar="NAME", help="a study to import (repeat for several)")
    which.add_argument("--all", action="store_true", help="every study of the storage")
    i.add_argument("--dataset", required=True, metavar="NAME", help="the dataset the studies tuned on")
    i.add_argument("--dataset-version", default="1", metavar="V", help="its version (default 1)")
    src = i.add_mutually_exclusive_group()
    src.add_argument("--meta-features", metavar="FILE.json", help="register the dataset with these meta-features")
    src.add_argument("--csv", metavar="DATA.csv", help="register the dataset by profiling this CSV")
    i.add_argument("--target", metavar="COLUMN", help="with --csv: the target column (default: the last)")
    i.add_argument("--model", required=True, metavar="NAME", help="the model the studies tuned (warm start matches on it)")
    i.add_argument("--model-library", metavar="NAME")
    i.add_argument("--model-family", metavar="NAME")
    i.add_argument("--metric", metavar="NAME", help="the objective's metric name (default: the study's metric name, else 'objective')")
    i.add_argument("--include-sampler-studies", action="store_true", help="also import studies that ran with PrecedentSampler (already in precedent)")
    i.add_argument("--dry-run", action="store_true", help="print the JSON Lines to stdout instead of importing")
    i.add_argument("--json", action="store_true", help="print the results as JSON")
    i.set_defaults(run=_import_optuna)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "run", None):
        p.print_help()
        return 2
    try:
        return int(args.run(args))
    except (PrecedentError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
