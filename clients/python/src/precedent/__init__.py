"""precedent: knowledge-driven hyperparameter optimization, from Python.

Tune with a few lines::

    import precedent
    from precedent import Float, Categorical

    client = precedent.Client()                     # PRECEDENT_URL / PRECEDENT_API_KEY, or the key npm start wrote
    ds = client.register_dataset("credit", csv="credit.csv", target="default")
    exp = client.create_experiment("svm on credit", ds, "svm", {
        "kernel": Categorical(["linear", "rbf"]),
        "C": Float(1e-3, 1e3, log=True),
        "gamma": Float(1e-4, 10, log=True, when=("kernel", ["rbf"])),
    }, objective=("accuracy", "maximize"))
    best = exp.optimize(lambda config: cross_val_accuracy(config), n_trials=30)

Optuna users keep their code: ``optuna.create_study(sampler=precedent.optuna.PrecedentSampler(client,
dataset=ds, model="svm"))``. Existing Optuna studies become knowledge with ``python -m precedent
import-optuna``. This package uses the standard library only; :mod:`precedent.optuna` needs Optuna.
"""
from .client import Client
from .connection import Connection
from .datasets import Dataset
from .errors import ApiError, ConfigurationError, ConnectionFailed, Issue, PrecedentError
from .experiments import DEFAULT_METRIC, Experiment, SimilarExperiment
from .space import Categorical, Float, Int
from .trials import Trial

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Connection",
    "Dataset",
    "Experiment",
    "SimilarExperiment",
    "Trial",
    "Float",
    "Int",
    "Categorical",
    "ApiError",
    "ConfigurationError",
    "ConnectionFailed",
    "Issue",
    "PrecedentError",
    "DEFAULT_METRIC",
    "__version__",
]
