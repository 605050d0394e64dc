#!/usr/bin/env python3
"""Prints learnability.sh's tables from its output folder (standard library only).

    learnability-table.py OUT_DIR

Per seed and initialisation: the first epoch whose validation loss is more than 1% below ln 2
(the loss of a constant guess on the balanced set; "-" if it never got there), the test accuracy
of the best model (report.md), and whether `train` said the run did not learn; then the logistic
regression's test accuracy on the same split, and PyTorch's runs if there are any. Ends with one
line per initialisation: seeds that left ln 2 within 3 epochs, and seeds at 0.90 or more.
"""
import csv
import glob
import json
import math
import os
import re
import statistics
import sys

LN2 = math.log(2)


def leave_epoch(val_losses):
    for epoch, loss in enumerate(val_losses, 1):
        if loss < 0.99 * LN2:
            return epoch
    return None


def read_run(run):
    with open(os.path.join(run, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(run, "report.md")) as f:
        report = f.read()
    m = re.search(r"^- accuracy: ([0-9.]+)$", report, re.M)
    if not m:
        sys.exit(f"learnability-table.py: no '- accuracy:' line in {run}/report.md")
    with open(run + ".log") as f:
        did_not_learn = "THIS RUN DID NOT LEARN" in f.read()
    return leave_epoch([float(r["val_loss"]) for r in rows]), float(m.group(1)), did_not_learn


def fmt_epoch(e):
    return "-" if e is None else str(e)


def main():
    out = sys.argv[1]
    runs = {}
    for run in glob.glob(os.path.join(out, "runs", "*-seed*")):
        if os.path.isdir(run):
            init, seed = re.fullmatch(r"(.+)-seed(\d+)", os.path.basename(run)).groups()
            runs[(init, int(seed))] = read_run(run)
    logistic = {}
    path = os.path.join(out, "logistic.jsonl")
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            logistic[int(r["seed"])] = r
    torch_runs = {}
    for path in glob.glob(os.path.join(out, "torch-*.json")):
        r = json.load(open(path))
        torch_runs[r["seed"]] = r
    inits = sorted({i for i, _ in runs}, key=lambda i: (i != "he", i))
    seeds = sorted({s for _, s in runs})
    about = open(os.path.join(out, "about.txt")).read().strip().replace("\n", "; ") if os.path.exists(
        os.path.join(out, "about.txt")) else ""
    print(f"ChestXRayNet on the generated chest X-rays, main job's settings, per seed ({about})\n")
    head = ["seed"]
    for i in inits:
        head += [f"--init {i}: epochs to leave ln 2", f"--init {i}: test accuracy"]
    head += ["logistic regression: test accuracy"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for s in seeds:
        cells = [str(s)]
        for i in inits:
            if (i, s) in runs:
                left, accuracy, stuck = runs[(i, s)]
                cells += [fmt_epoch(left), f"{accuracy:.3f}" + (" (did not learn)" if stuck else "")]
            else:
                cells += ["", ""]
        cells.append(f"{logistic[s]['test_accuracy']:.3f}" if s in logistic else "")
        print("| " + " | ".join(cells) + " |")
    print()
    for i in inits:
        got = [runs[(i, s)] for s in seeds if (i, s) in runs]
        accuracies = [a for _, a, _ in got]
        early = sum(1 for left, _, _ in got if left is not None and left <= 3)
        good = sum(1 for a in accuracies if a >= 0.90)
        stuck = sum(1 for _, _, d in got if d)
        print(f"--init {i}: left ln 2 within 3 epochs in {early}/{len(got)} seeds; test accuracy >= 0.90 in"
              f" {good}/{len(got)} (min {min(accuracies):.3f}, median {statistics.median(accuracies):.3f});"
              f" 'did not learn' said {stuck} times")
    if logistic:
        accuracies = [r["test_accuracy"] for r in logistic.values()]
        print(f"logistic regression (side and learning rate chosen on validation): test accuracy median"
              f" {statistics.median(accuracies):.3f}, range {min(accuracies):.3f}-{max(accuracies):.3f}; the best of"
              f" its nine settings on the test set: at most {max(r['best_test_accuracy_of_all'] for r in logistic.values()):.3f}")
    if torch_runs:
        print("\nPyTorch " + next(iter(torch_runs.values()))["framework"].split()[-1] + ", its default initialisation,"
              " the same splits and settings\n")
        print("| seed | epochs to leave ln 2 | test accuracy | val_loss per epoch |")
        print("|---|---|---|---|")
        for s in sorted(torch_runs):
            r = torch_runs[s]
            losses = " ".join(f"{h['val_loss']:.3f}" for h in r["history"])
            print(f"| {s} | {fmt_epoch(r['epochs_to_leave_ln2'])} | {r['test_accuracy']:.3f} | {losses} |")


if __name__ == "__main__":
    main()
