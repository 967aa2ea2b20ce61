"""Can the priors themselves tell whether to follow them beyond their first pick? (Offline, no optimizer.)

For each task as the target and a few seeded draws of K other tasks as its priors:

- agreement: for each drawn prior q, a round-robin portfolio of the *other* drawn priors' top
  configurations (5 of them) is scored on q by its best rank (the midrank over q's configurations,
  from 1/(2n) for the best to 1 − 1/(2n) for the worst), minus 1/6, the expected best rank of 5
  random configurations. Its mean over q below 0 means the priors predict each other ("they agree").
- on the target, the best normalised regret after 5 trials of three designs, each filled with random
  configurations (100 draws): all picks (the round-robin portfolio's first min(K, 5) configurations),
  one pick (its first), and none.

The first table splits the (target, draw) cases by agreement, so it says whether agreement among the
priors predicts that their picks pay on the target. It measures 5 trials only: not the GP that follows.
The ± treats the draws for one target as independent, so it is too small. The second table gives the
distribution over the cases of the others' *first* pick's rank on a held-out prior, averaged over the
priors: how far the priors' bests carry to each other.

    python3 bench/leave_one_prior_out.py bench/suites/ecml2016-adaboost.json --ks 2,4,8 [--draws 6]
"""

import argparse
import bisect
import json
import random
import statistics

from prior_top_vs_random import regrets

DESIGN = 5


def ranked(task):
    """Normalised regret, rank in [0, 1] (ties averaged) and configurations best first."""
    values = sorted(task.values())
    n = len(values)
    rank = {c: (bisect.bisect_left(values, r) + bisect.bisect_right(values, r)) / 2 / n for c, r in task.items()}
    return task, rank, sorted(task, key=task.get)


def round_robin(tasks, priors, size, within):
    """Each prior's best, then each one's second best, …, first occurrences only, among configurations in `within`."""
    out = []
    orders = [[c for c in tasks[p][2] if c in within] for p in priors]
    for r in range(max(len(o) for o in orders)):
        for o in orders:
            if r < len(o) and o[r] not in out:
                out.append(o[r])
                if len(out) == size:
                    return out
    return out


def best_after(regret, fixed, keys, rounds=100):
    """Mean best regret of `fixed` plus random configurations up to DESIGN trials."""
    n = DESIGN - len(fixed)
    return statistics.fmean(
        min([regret[c] for c in fixed] + [regret[c] for c in random.Random(d).sample(keys, n)]) for d in range(rounds)
    )


def mean_se(v):
    return f"{statistics.fmean(v):+.4f} ± {statistics.stdev(v) / len(v) ** 0.5:.4f}" if len(v) > 1 else "—"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite")
    ap.add_argument("--ks", default="2,4,8")
    ap.add_argument("--draws", type=int, default=6)
    args = ap.parse_args()
    with open(args.suite) as f:
        suite = json.load(f)
    maximize = suite["objective"]["direction"] == "maximize"
    tasks = [ranked(regrets(t, maximize)) for t in suite["tasks"]]
    print(f"{suite['name']}: best regret after {DESIGN} trials, all picks − one pick (negative: more picks pay)")
    print("| K | priors agree: cases | all − one | priors disagree: cases | all − one |")
    print("|---|---|---|---|---|")
    first_pick = {}
    for k in (int(x) for x in args.ks.split(",")):
        agree, disagree = [], []
        first_pick[k] = []
        for t, (regret, _, _) in enumerate(tasks):
            for d in range(args.draws):
                priors = random.Random(t * 100 + d).sample([i for i in range(len(tasks)) if i != t], k)
                loo, first = [], []
                for q in priors:
                    portfolio = round_robin(tasks, [p for p in priors if p != q], DESIGN, tasks[q][1])
                    loo.append(min(tasks[q][1][c] for c in portfolio) - 1 / (DESIGN + 1))
                    # A round-robin portfolio's first member is the first pick of any size.
                    first.append(tasks[q][1][portfolio[0]])
                first_pick[k].append(statistics.fmean(first))
                picks = round_robin(tasks, priors, DESIGN, regret)
                keys = list(regret)
                diff = best_after(regret, picks[: min(k, DESIGN)], keys) - best_after(regret, picks[:1], keys)
                (agree if statistics.fmean(loo) < 0 else disagree).append(diff)
        print(f"| {k} | {len(agree)} | {mean_se(agree)} | {len(disagree)} | {mean_se(disagree)} |")
    print(f"\nThe others' first pick on a held-out prior: its rank there, averaged over the priors ({len(tasks)} targets × {args.draws} draws)")
    print("| K | p10 | p25 | median | p75 | p90 |")
    print("|---|---|---|---|---|---|")
    for k, v in first_pick.items():
        v = sorted(v)
        q = [v[int(f * (len(v) - 1))] for f in (0.1, 0.25, 0.5, 0.75, 0.9)]
        print(f"| {k} | " + " | ".join(f"{x:.3f}" for x in q) + " |")


if __name__ == "__main__":
    main()
