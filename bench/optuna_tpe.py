"""Optuna TPE over a JSON-lines ask/tell protocol, for `npm run bench -- quality`.

One request per line on stdin, one answer per line on stdout (errors as {"error": ...}):
  {"op": "create", "study": id, "space": [Param...], "direction": "maximize"|"minimize", "seed": int,
   "enqueue": [config...]}                      -> {"ok": true}
  {"op": "ask", "study": id}                    -> {"number": n, "params": {name: value}}   (active params only)
  {"op": "tell", "study": id, "number": n, "params": {...}, "value": v}   -> {"ok": true}
  {"op": "drop", "study": id}                   -> {"ok": true}
The caller evaluates a look-up table, so it snaps each asked config to a table row and tells the row's
params. When they differ from what was asked, the asked trial is closed as FAIL (TPE ignores failed
trials) and the evaluated config is added as a completed trial, so TPE models what was really measured.
"""

import optuna
from json_lines import serve  # this folder's: the bench scripts' shared stdin/stdout loop

optuna.logging.set_verbosity(optuna.logging.ERROR)

studies = {}


def distribution(p):
    if p["type"] == "categorical":
        return optuna.distributions.CategoricalDistribution(p["choices"])
    if p["type"] == "int":
        return optuna.distributions.IntDistribution(int(p["low"]), int(p["high"]), log=bool(p["log"]))
    return optuna.distributions.FloatDistribution(float(p["low"]), float(p["high"]), log=bool(p["log"]))


def suggest(trial, p):
    if p["type"] == "categorical":
        return trial.suggest_categorical(p["name"], p["choices"])
    if p["type"] == "int":
        return trial.suggest_int(p["name"], int(p["low"]), int(p["high"]), log=bool(p["log"]))
    return trial.suggest_float(p["name"], float(p["low"]), float(p["high"]), log=bool(p["log"]))


def active(p, params):
    c = p.get("condition")
    return c is None or (c["parent"] in params and params[c["parent"]] in c["values"])


def distributions_of(space, params):
    return {p["name"]: distribution(p) for p in space if p["name"] in params}


def handle(req):
    op = req["op"]
    if op == "create":
        sampler = optuna.samplers.TPESampler(seed=int(req["seed"]))
        study = optuna.create_study(direction=req["direction"], sampler=sampler)
        for config in req.get("enqueue", []):
            study.enqueue_trial({k: v for k, v in config.items() if v is not None})
        studies[req["study"]] = {"study": study, "space": req["space"], "trials": {}}
        return {"ok": True}
    entry = studies[req["study"]]
    study = entry["study"]
    if op == "ask":
        trial = study.ask()
        params = {}
        # Define-by-run: a conditional parameter is only asked for when its parent takes an activating value.
        for p in entry["space"]:
            if not active(p, params):
                continue
            params[p["name"]] = suggest(trial, p)
        entry["trials"][trial.number] = params
        return {"number": trial.number, "params": params}
    if op == "tell":
        asked = entry["trials"].pop(req["number"])
        told = req["params"]
        if asked == told:
            study.tell(req["number"], float(req["value"]))
        else:
            study.tell(req["number"], state=optuna.trial.TrialState.FAIL)
            study.add_trial(optuna.trial.create_trial(params=told, distributions=distributions_of(entry["space"], told), value=float(req["value"])))
        return {"ok": True}
    if op == "drop":
        studies.pop(req["study"], None)
        return {"ok": True}
    raise ValueError(f"unknown op {op!r}")


serve(handle)
