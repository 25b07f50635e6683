#!/usr/bin/python3
"""Side-by-side training steps per second: NN Lab vs PyTorch CPU, same network, data and batch.

    /usr/bin/python3 bench/compare_train.py [--bench build/bench/nnlab_bench] [--threads 2]

Runs nnlab_bench's BM_TrainStep (Google Benchmark, median of 5, OMP_NUM_THREADS = --threads),
alternating with PyTorch for --rounds rounds and keeping each side's best round,
then times the same step in PyTorch 1.13 with torch.set_num_threads(--threads): zero_grad,
forward, F.cross_entropy, backward, torch.optim.Adam(lr=1e-3).step(), on one fixed batch of 32.
The batch has the same shape and kind as the bench's (the first 32 samples of nnlab's generated
set); its values are torch.randn, which does not change the work a dense step does:
  small_cnn  Conv2d(1,8,3,p1) ReLU MaxPool2d(2) Conv2d(8,16,3,p1) ReLU MaxPool2d(2) Flatten
             Linear(784,10), "shapes" 28×28 images
  mlp        Linear(2,64) ReLU Linear(64,64) ReLU Linear(64,2), "spirals"
Prints steps per second and the ratio ours / PyTorch (above 1.0: we are faster).
"""

import argparse
import json
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CASES = [
    ("small_cnn, 28x28 shapes, batch 32", 0, (1, 28, 28), 10),
    ("mlp 2-64-64-2, spirals, batch 32", 1, (2,), 2),
]


def model(index):
    if index == 0:
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(784, 10))
    return nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 2))


def batch(index, shape, classes):
    gen = torch.Generator().manual_seed(index)
    x = torch.randn(32, *shape, generator=gen)
    y = torch.randint(0, classes, (32,), generator=gen)
    return x, y


def torch_steps_per_second(index, shape, classes, min_time=2.0):
    net = model(index)
    x, y = batch(index, shape, classes)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    rates = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < min_time / 5:
            step()
            n += 1
        rates.append(n / (time.perf_counter() - start))
    return float(np.median(rates))


def ours(bench, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([bench, "--benchmark_filter=BM_TrainStep", "--benchmark_format=json",
                          "--benchmark_repetitions=5", "--benchmark_min_time=0.4",
                          "--benchmark_report_aggregates_only=true"],
                         env=env, check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            index = int(b["run_name"].split("/")[1])
            rates[index] = b["steps/s"]
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/bench/nnlab_bench")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate ours and torch this many times; report each side's best")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # Rounds alternate the two sides so that a burst of other load hits both alike; the best round
    # of each side is the one least disturbed.
    mine = {index: 0.0 for _, index, _, _ in CASES}
    theirs = dict(mine)
    for _ in range(args.rounds):
        for index, rate in ours(args.bench, args.threads).items():
            mine[index] = max(mine[index], rate)
        for _, index, shape, classes in CASES:
            theirs[index] = max(theirs[index], torch_steps_per_second(index, shape, classes))
    print(f"threads: {args.threads} (OMP_NUM_THREADS / torch.set_num_threads), torch {torch.__version__}, "
          f"best of {args.rounds} alternating rounds")
    print(f"{'case':40} {'ours steps/s':>13} {'torch steps/s':>14} {'ours/torch':>11}")
    for name, index, _, _ in CASES:
        print(f"{name:40} {mine[index]:13.0f} {theirs[index]:14.0f} {mine[index] / theirs[index]:11.2f}")


if __name__ == "__main__":
    main()
