#!/usr/bin/python3
"""Side-by-side forward-convolution timings: NN Lab vs PyTorch CPU vs OpenCV filter2D.

    /usr/bin/python3 bench/compare_conv.py [--bench build/bench/nnlab_bench] [--threads N]

Runs nnlab_bench (Google Benchmark, automatic path, JSON output) for the five cases of the
convolution issue, and times torch.nn.functional.conv2d on the same shapes and the same input
values (the bench's sin pattern) with torch.set_num_threads equal to our OpenMP threads, and
cv2.filter2D where it applies (single-channel, single-filter). The two sides alternate for
--rounds rounds and each keeps its fastest time: on a shared 2-core VM other work delays either
side at random, and the fastest time is the one least disturbed. PyTorch's and OpenCV's times
are single calls; ours is the mean call of a Google Benchmark repetition (0.1 s of calls), which
can only be slower than our fastest single call: the comparison leans toward PyTorch, not us.
Prints ms per call and the ratio ours / PyTorch (below 1.0: we are faster).
"""

import argparse
import json
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn.functional as F

try:
    import cv2
except ImportError:  # OpenCV is optional
    cv2 = None

# name, C, H, W, filters, kernel, stride, padding, groups: the same table as bench/conv_bench.cpp.
CASES = [
    ("3x512x512, 64 filters 3x3 pad 1", 3, 512, 512, 64, 3, 1, 1, 1),
    ("3x227x227, 64 filters 11x11 s4 p2", 3, 227, 227, 64, 11, 4, 2, 1),
    ("64x56x56, 64 filters 3x3 pad 1", 64, 56, 56, 64, 3, 1, 1, 1),
    ("1x512x512, one 3x3 edge filter", 1, 512, 512, 1, 3, 1, 0, 1),
    ("depthwise 3x3 on 32x112x112", 32, 112, 112, 32, 3, 1, 1, 32),
]


def filled(shape, scale):
    # The bench's pattern: scale * sin(0.37 * (i % 1013)), row-major.
    n = int(np.prod(shape))
    i = np.arange(n) % 1013
    return (scale * np.sin(np.float32(0.37) * i.astype(np.float32))).astype(np.float32).reshape(shape)


def fastest_ms(fn, min_time=0.5, min_reps=5):
    fn()  # warm up
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.min(times))


def ours(bench, threads):
    # Google Benchmark reports the mean of each repetition's iterations; the fastest repetition.
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([bench, "--benchmark_filter=BM_ConvForward/[0-4]/0/", "--benchmark_format=json",
                          "--benchmark_repetitions=5", "--benchmark_min_time=0.1"],
                         env=env, check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "iteration":
            case = int(b["run_name"].split("/")[1])
            result[case] = min(result.get(case, float("inf")), b["real_time"])  # ms
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default=os.path.join(here, "..", "build", "bench", "nnlab_bench"))
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if cv2 is not None:
        cv2.setNumThreads(args.threads)

    mine, theirs, opencv = {}, {}, {}
    for _ in range(args.rounds):
        for case, ms in ours(args.bench, args.threads).items():
            mine[case] = min(mine.get(case, float("inf")), ms)
        for index, (name, c, h, w, f, k, s, p, g) in enumerate(CASES):
            x = torch.from_numpy(filled((1, c, h, w), 1.0))
            wt = torch.from_numpy(filled((f, c // g, k, k), 0.1))
            b = torch.from_numpy(filled((f,), 0.1))
            with torch.no_grad():
                t = fastest_ms(lambda: F.conv2d(x, wt, b, stride=s, padding=p, groups=g))
            theirs[index] = min(theirs.get(index, float("inf")), t)
            if cv2 is not None and c == 1 and f == 1 and s == 1:
                img = x[0, 0].numpy()
                kern = wt[0, 0].numpy()
                # filter2D is a correlation too; BORDER_CONSTANT + crop = padding p (p = 0 here).
                t = fastest_ms(lambda: cv2.filter2D(img, -1, kern, borderType=cv2.BORDER_CONSTANT))
                opencv[index] = min(opencv.get(index, float("inf")), t)

    print(f"threads {args.threads}, torch {torch.__version__}"
          + (f", OpenCV {cv2.__version__}" if cv2 is not None else "")
          + f", fastest of {args.rounds} alternating rounds")
    print(f"{'case':38s} {'ours ms':>9s} {'torch ms':>9s} {'cv2 ms':>9s} {'ours/torch':>11s} {'GFLOP/s':>8s}")
    for index, (name, c, h, w, f, k, s, p, g) in enumerate(CASES):
        out_h = (h + 2 * p - k) // s + 1
        out_w = (w + 2 * p - k) // s + 1
        macs = f * out_h * out_w * (c // g) * k * k
        t_ours = mine.get(index, float("nan"))
        t_torch = theirs[index]
        t_cv = opencv.get(index, float("nan"))
        print(f"{name:38s} {t_ours:9.3f} {t_torch:9.3f} {t_cv:9.3f} {t_ours / t_torch:11.2f} "
              f"{2 * macs / t_ours * 1e-6:8.1f}")


if __name__ == "__main__":
    main()
