#!/usr/bin/python3
"""Golden files for tests/engine/norm_test.cpp: PyTorch's normalizations, forward and autograd.

Run offline with Debian's python (python3-torch 1.13, python3-numpy); the output is committed:
    /usr/bin/python3 tests/golden/make_norm_golden.py
writes tests/golden/norm_{batch,layer,instance,group}.json.

Each case holds flat row-major lists: the input x, γ and β (per channel, [C]) when affine, the
upstream gradient dy, and PyTorch's answers: the statistics (mean, biased var; the running ones
in batch evaluation mode), y, ∂L/∂x, ∂L/∂γ, ∂L/∂β for L = Σ dy · y, and for batch normalization
the running mean/var before and after the step (PyTorch stores the unbiased variance there).

γ is per channel for all four kinds as in nnlab (norm.h); F.layer_norm takes an elementwise
weight over C×H×W, so it gets γ broadcast from a [C] leaf and autograd sums ∂L/∂γ per channel.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_input(gen, shape):
    # Per-channel shift and scale, so the statistics differ visibly between the four groupings.
    c = shape[1]
    view = [1, c] + [1] * (len(shape) - 2)
    shift = (torch.rand(c, generator=gen) * 6 - 3).view(view)
    scale = (torch.rand(c, generator=gen) * 2 + 0.5).view(view)
    return torch.randn(*shape, generator=gen) * scale + shift


def statistics(kind, x, groups):
    n, c = x.shape[0], x.shape[1]
    if kind == "batch":
        dims = [0] + list(range(2, x.dim()))
        return x.mean(dim=dims), x.var(dim=dims, unbiased=False)
    if kind == "layer":
        v = x.reshape(n, -1)
    elif kind == "instance":
        v = x.reshape(n, c, -1)
    else:
        v = x.reshape(n, groups, -1)
    return v.mean(dim=-1), v.var(dim=-1, unbiased=False)


def run_case(gen, kind, shape, eps, affine, mode="training", momentum=0.1, groups=1):
    x = make_input(gen, shape).requires_grad_(True)
    c = shape[1]
    gamma = beta = None
    if affine:
        gamma = (torch.rand(c, generator=gen) * 1.5 + 0.25).requires_grad_(True)
        beta = (torch.randn(c, generator=gen)).requires_grad_(True)
    dy = torch.randn(*shape, generator=gen)
    case = {"kind": kind, "shape": list(shape), "eps": eps, "affine": affine, "mode": mode,
            "groups": groups, "momentum": momentum, "input": flat(x), "grad_output": flat(dy)}
    if affine:
        case["gamma"], case["beta"] = flat(gamma), flat(beta)

    if kind == "batch":
        running_mean = torch.randn(c, generator=gen) * 0.5
        running_var = torch.rand(c, generator=gen) * 2 + 0.5
        case["running_mean_in"], case["running_var_in"] = flat(running_mean), flat(running_var)
        training = mode == "training"
        if training:
            mean, var = statistics(kind, x.detach(), groups)
        else:
            mean, var = running_mean.clone(), running_var.clone()
        y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=training,
                         momentum=momentum, eps=eps)
        case["running_mean_out"], case["running_var_out"] = flat(running_mean), flat(running_var)
    else:
        mean, var = statistics(kind, x.detach(), groups)
        if kind == "layer":
            spatial = list(shape[2:])
            weight = bias = None
            if affine:
                view = [c] + [1] * len(spatial)
                weight = gamma.view(view).expand([c] + spatial)
                bias = beta.view(view).expand([c] + spatial)
            y = F.layer_norm(x, [c] + spatial, weight, bias, eps)
        elif kind == "instance":
            y = F.instance_norm(x, weight=gamma, bias=beta, eps=eps)
        else:
            y = F.group_norm(x, groups, gamma, beta, eps)

    (y * dy).sum().backward()
    case["mean"], case["var"] = flat(mean), flat(var)
    case["output"], case["grad_input"] = flat(y), flat(x.grad)
    if affine:
        case["grad_gamma"], case["grad_beta"] = flat(gamma.grad), flat(beta.grad)
    return case


def main():
    gen = torch.Generator().manual_seed(20240605)
    cases = {"batch": [], "layer": [], "instance": [], "group": []}
    for shape in [(4, 3), (2, 3, 5), (2, 3, 4, 4), (3, 2, 3, 5), (1, 2, 2, 3)]:
        for eps in [1e-5, 1e-3, 0.1]:
            for affine in [False, True]:
                for mode in ["training", "evaluation"]:
                    momentum = 0.1 if eps != 1e-3 else 0.3
                    cases["batch"].append(run_case(gen, "batch", shape, eps, affine, mode, momentum))
    for shape in [(4, 5), (2, 3, 6), (2, 3, 4, 4), (1, 4, 3, 3)]:
        for eps in [1e-5, 1e-3, 0.1]:
            for affine in [False, True]:
                cases["layer"].append(run_case(gen, "layer", shape, eps, affine))
    # F.instance_norm needs spatial dimensions (PyTorch refuses N×C: one value per statistic).
    for shape in [(2, 3, 7), (2, 3, 4, 4), (1, 4, 3, 3), (3, 2, 2, 5)]:
        for eps in [1e-5, 1e-3, 0.1]:
            for affine in [False, True]:
                cases["instance"].append(run_case(gen, "instance", shape, eps, affine))
    for shape, groups in [((3, 6), 2), ((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((2, 6, 2, 2), 6),
                          ((2, 6, 2, 2), 1), ((1, 8, 3, 2), 4)]:
        for eps in [1e-5, 1e-3, 0.1]:
            for affine in [False, True]:
                cases["group"].append(run_case(gen, "group", shape, eps, affine, groups=groups))

    for kind, kind_cases in cases.items():
        path = os.path.join(HERE, "norm_%s.json" % kind)
        with open(path, "w") as f:
            json.dump({"generator": "tests/golden/make_norm_golden.py",
                       "torch": torch.__version__, "kind": kind, "cases": kind_cases}, f)
            f.write("\n")
        print("%s: %d cases, %d bytes" % (path, len(kind_cases), os.path.getsize(path)))


if __name__ == "__main__":
    main()
