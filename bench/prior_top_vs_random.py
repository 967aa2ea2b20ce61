"""How good are one prior experiment's top configurations on another task, against random ones?

For every ordered pair of tasks (target, prior) of a suite, the best normalised regret on the target
among the prior's top k configurations (by the prior's own results, on configurations both tasks
evaluated), against the expected best of k configurations drawn at random (200 draws, seeded per
target). This is the question behind settings.warmTrust: with one prior experiment, is it worth
following the prior beyond its first configuration? No optimizer runs here; only the tables.

    python3 bench/prior_top_vs_random.py bench/suites/ecml2016-adaboost.json [--ks 1,3,5,10]
"""

import argparse
import json
import random
import statistics


def regrets(task, maximize):
    best, worst = task["best"], task["worst"]
    span = (best - worst) if maximize else (worst - best)
    return {
        tuple(c): ((best - v) if maximize else (v - best)) / span
        for c, v in zip(task["configs"], task["values"])
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite")
    ap.add_argument("--ks", default="1,3,5,10")
    args = ap.parse_args()
    with open(args.suite) as f:
        suite = json.load(f)
    maximize = suite["objective"]["direction"] == "maximize"
    tasks = [regrets(t, maximize) for t in suite["tasks"]]
    print(f"{suite['name']}: {len(tasks)} tasks, all ordered pairs")
    print("| k | best of the prior's top k (mean) | median | best of k random (mean) |")
    print("|---|---|---|---|")
    for k in (int(x) for x in args.ks.split(",")):
        from_prior, at_random = [], []
        for i, target in enumerate(tasks):
            for j, prior in enumerate(tasks):
                if i == j:
                    continue
                ranked = [c for c in sorted(prior, key=prior.get) if c in target][:k]
                from_prior.append(min(target[c] for c in ranked))
            rng = random.Random(i)
            keys = list(target)
            at_random.append(statistics.mean(min(target[c] for c in rng.sample(keys, k)) for _ in range(200)))
        print(f"| {k} | {statistics.mean(from_prior):.4f} | {statistics.median(from_prior):.4f} | {statistics.mean(at_random):.4f} |")


if __name__ == "__main__":
    main()
