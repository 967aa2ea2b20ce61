"""A fixed portfolio learnt from the full results of the other tasks: a reference for warm starting.

For each task of a suite, held out in turn: a greedy portfolio (auto-sklearn 2.0's construction) of m
configurations built from the *full* results of every other task (not a 100-trial sample: every
configuration they all evaluated, and their true values), minimising the mean over those tasks of the
best normalised regret among the portfolio's members. The table gives the held-out task's best
normalised regret among the first m members, mean and median over the tasks, and how many tasks it
solves (regret 0).

It is a reference, not a strict bound: the greedy is not optimal, it ignores the target (a choice by
similarity to the target could do better), and it uses only configurations every task evaluated. But
it knows more than a warm start does (every prior's full table, true values, all other tasks), so a
warm start that only follows the priors' configurations is unlikely to do much better with m trials;
one that does better does so by searching the target's own results. Compare with issue 27's end-state
target (transfer@10 at most optuna-tpe@50). No optimizer runs here; only the table.

    python3 bench/fixed_portfolio.py bench/suites/ecml2016-adaboost.json [--sizes 1,5,10,25]
"""

import argparse
import json
import statistics

from prior_top_vs_random import regrets


def greedy_portfolio(tasks, configs, size):
    """Configurations, one at a time, each the one that most lowers the tasks' mean best regret (first in `configs` on ties)."""
    best = [1.0] * len(tasks)
    chosen = []
    for _ in range(size):
        def loss(c):
            return sum(min(b, t[c]) for b, t in zip(best, tasks))
        pick = min((c for c in configs if c not in chosen), key=loss)
        chosen.append(pick)
        best = [min(b, t[pick]) for b, t in zip(best, tasks)]
    return chosen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite")
    ap.add_argument("--sizes", default="1,5,10,25")
    ap.add_argument("--worst", type=int, default=8, help="list this many tasks with the largest held-out regret at the middle size")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    with open(args.suite) as f:
        suite = json.load(f)
    maximize = suite["objective"]["direction"] == "maximize"
    tasks = [regrets(t, maximize) for t in suite["tasks"]]
    # Only configurations every task evaluated, so every portfolio member has a value on the held-out task.
    common = set(tasks[0])
    for t in tasks[1:]:
        common &= set(t)
    configs = sorted(common)
    held_out = {m: [] for m in sizes}
    for h, target in enumerate(tasks):
        portfolio = greedy_portfolio([t for i, t in enumerate(tasks) if i != h], configs, max(sizes))
        for m in sizes:
            held_out[m].append(min(target[c] for c in portfolio[:m]))
    print(f"{suite['name']}: {len(tasks)} tasks, {len(configs)} configurations evaluated on every task")
    print("| portfolio size | held-out regret (mean) | median | tasks solved |")
    print("|---|---|---|---|")
    for m in sizes:
        r = held_out[m]
        print(f"| {m} | {statistics.mean(r):.4f} | {statistics.median(r):.4f} | {sum(x == 0 for x in r)} of {len(r)} |")
    m = sizes[len(sizes) // 2]
    worst = sorted(range(len(tasks)), key=lambda h: -held_out[m][h])[: args.worst]
    share = sum(held_out[m][h] for h in worst) / max(sum(held_out[m]), 1e-12)
    names = ", ".join(f"{suite['tasks'][h]['id']} {held_out[m][h]:.3f}" for h in worst)
    print(f"\nLargest held-out regret with {m}: {names} ({share:.0%} of the total)")


if __name__ == "__main__":
    main()
