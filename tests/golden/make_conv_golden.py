#!/usr/bin/python3
"""Golden files for the convolution and pooling engine, computed by PyTorch.

Run with Debian's python (python3-torch 1.13, python3-numpy):

    /usr/bin/python3 tests/golden/make_conv_golden.py

Writes tests/golden/conv{1,2,3}d.json, conv2d_strided_blocks.json (strides that cut the kernel
into 3x3 blocks: the space-to-depth path), conv_transpose.json and pool.json. Each file holds
{"generator", "torch_version", "cases": [...]}; a case has its options, the input tensors and the
reference outputs, each tensor as {"shape": [...], "data": [... row-major ...]}:

  conv            x, w, (b), gy -> y, gx, gw, (gb)      gy = dL/dy drawn at random, so that
                                                          gx, gw, gb = autograd of L = sum(y * gy)
  conv_transpose  the same with torch.nn.functional.conv_transpose{1,2,3}d
  pool            x, gy -> y, gx   (max_pool / avg_pool / adaptive_avg_pool(1))

Padding is applied with F.pad (mode constant/reflect/replicate/circular) and the convolution runs
with padding=0, which is how torch.nn.Conv* implements padding_mode; "same" (TensorFlow's rule:
out = ceil(in / s), extra padding on the far side) and "causal" (d*(k-1) before the first spatial
axis) are turned into explicit pads here and recorded as such, next to the rule that produced them.
"True convolution" flips the kernel along every spatial axis before F.conv*.

Inputs are multiples of 1/64 in [-2, 2] (exact in float32, short in JSON); references are computed
in float64 and rounded to 8 significant digits. Seeds are fixed: the files are reproducible.
"""

import json
import math
import os
import random

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240503


def rand_tensor(gen, shape):
    q = torch.randint(-128, 129, shape, generator=gen, dtype=torch.int64)
    return q.to(torch.float64) / 64.0


def pack(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(f"{v:.8g}") for v in t.reshape(-1).tolist()]}


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def torch_pad_list(before, after):
    # F.pad takes (last_before, last_after, second_last_before, ...).
    pads = []
    for b, a in zip(reversed(before), reversed(after)):
        pads += [b, a]
    return pads


def conv_case(rng, gen, rank, max_numel):
    """One random valid convolution configuration, or None when the draw is invalid."""
    groups = rng.choice([1, 1, 1, 2, 3, "depthwise"])
    cin = rng.randint(1, 4)
    if groups == "depthwise":
        groups = cin
        fout = cin * rng.choice([1, 2])
    else:
        cin = groups * rng.randint(1, max(1, 4 // groups))
        fout = groups * rng.randint(1, max(1, 4 // groups))
    n = rng.choice([1, 1, 2])
    max_size = {1: 14, 2: 9, 3: 6}[rank]
    size = [rng.randint(1, max_size) for _ in range(rank)]
    kernel = [rng.randint(1, 4 if rank < 3 else 3) for _ in range(rank)]
    stride = [rng.choice([1, 1, 2, 3]) for _ in range(rank)]
    dilation = [rng.choice([1, 1, 2]) for _ in range(rank)]
    rule = rng.choice(["explicit", "explicit", "asymmetric", "same"] + (["causal"] * (rank == 1)))
    mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
    if rule == "explicit":
        before = [rng.randint(0, 2) for _ in range(rank)]
        after = list(before)
    elif rule == "asymmetric":
        before = [rng.randint(0, 2) for _ in range(rank)]
        after = [rng.randint(0, 2) for _ in range(rank)]
    elif rule == "same":
        before, after = [], []
        for i in range(rank):
            out = -(-size[i] // stride[i])
            total = max((out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - size[i], 0)
            before.append(total // 2)
            after.append(total - total // 2)
    else:  # causal on the first spatial axis
        before = [dilation[0] * (kernel[0] - 1)] + [0] * (rank - 1)
        after = [0] * rank
    for i in range(rank):
        if mode == "reflect" and max(before[i], after[i]) > size[i] - 1:
            return None
        if mode == "circular" and max(before[i], after[i]) > size[i]:
            return None
        if dilation[i] * (kernel[i] - 1) + 1 > size[i] + before[i] + after[i]:
            return None
    if n * cin * math.prod(size) > max_numel:
        return None
    bias = rng.random() < 0.7
    flip = rng.random() < 0.2
    return run_conv(gen, [n, cin] + size, [fout, cin // groups] + kernel, stride, dilation, groups,
                    rule, before, after, mode, bias, flip)


def run_conv(gen, x_shape, w_shape, stride, dilation, groups, rule, before, after, mode, bias,
             flip):
    """Draws x, w, (b) and gy from gen and records PyTorch's forward and autograd as a case."""
    rank = len(x_shape) - 2
    x = rand_tensor(gen, x_shape).requires_grad_()
    w = rand_tensor(gen, w_shape).requires_grad_()
    b = rand_tensor(gen, [w_shape[0]]).requires_grad_() if bias else None
    torch_mode = "constant" if mode == "zeros" else mode
    xp = F.pad(x, torch_pad_list(before, after), mode=torch_mode)
    w_eff = w.flip(dims=list(range(2, 2 + rank))) if flip else w
    y = CONV[rank](xp, w_eff, b, stride=stride, padding=0, dilation=dilation, groups=groups)
    gy = rand_tensor(gen, list(y.shape))
    (y * gy).sum().backward()
    case = {
        "op": "conv", "rank": rank, "stride": stride, "dilation": dilation,
        "padding_rule": "explicit" if rule == "asymmetric" else rule,
        "pad_before": before, "pad_after": after, "mode": mode, "groups": groups,
        "flip": flip, "bias": bias,
        "x": pack(x), "w": pack(w), "gy": pack(gy),
        "y": pack(y), "gx": pack(x.grad), "gw": pack(w.grad),
    }
    if bias:
        case["b"] = pack(b)
        case["gb"] = pack(b.grad)
    return case


def strided_blocks_case(rng, gen):
    """A 2-D convolution whose stride cuts the kernel into 3x3 blocks (ceil(k / s) = 3 along H and
    W, unit dilation): the space-to-depth + Winograd path. Channels reach 16 after blocking in
    some draws, so that the automatic choice takes that path too."""
    stride = [rng.choice([1, 2, 2, 3, 4]) for _ in range(2)]
    if stride == [1, 1]:
        stride[rng.randint(0, 1)] = 2
    kernel = [rng.randint(2 * s + 1, 3 * s) for s in stride]
    groups = rng.choice([1, 1, 1, 2])
    cin = groups * rng.choice([1, 2, 4]) if stride[0] * stride[1] < 4 else groups * rng.randint(1, 3)
    fout = groups * rng.choice([1, 3, 8, 16])
    n = rng.choice([1, 2])
    size = [k + rng.randint(0, 3 * s) for k, s in zip(kernel, stride)]
    rule = rng.choice(["explicit", "asymmetric", "same"])
    mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
    if rule == "explicit":
        before = [rng.randint(0, 2) for _ in range(2)]
        after = list(before)
    elif rule == "asymmetric":
        before = [rng.randint(0, 3) for _ in range(2)]
        after = [rng.randint(0, 3) for _ in range(2)]
    else:
        before, after = [], []
        for i in range(2):
            out = -(-size[i] // stride[i])
            total = max((out - 1) * stride[i] + kernel[i] - size[i], 0)
            before.append(total // 2)
            after.append(total - total // 2)
    for i in range(2):
        if mode == "reflect" and max(before[i], after[i]) > size[i] - 1:
            return None
        if mode == "circular" and max(before[i], after[i]) > size[i]:
            return None
    bias = rng.random() < 0.7
    flip = rng.random() < 0.2
    return run_conv(gen, [n, cin] + size, [fout, cin // groups] + kernel, stride, [1, 1], groups,
                    rule, before, after, mode, bias, flip)


def conv_transpose_case(rng, gen, rank):
    groups = rng.choice([1, 1, 2])
    cin = groups * rng.randint(1, 2)
    cout = groups * rng.randint(1, 2)
    n = rng.choice([1, 2])
    size = [rng.randint(1, {1: 8, 2: 5, 3: 3}[rank]) for _ in range(rank)]
    kernel = [rng.randint(1, 3) for _ in range(rank)]
    stride = [rng.choice([1, 2, 3]) for _ in range(rank)]
    dilation = [rng.choice([1, 1, 2]) for _ in range(rank)]
    padding = [rng.randint(0, 2) for _ in range(rank)]
    output_padding = [rng.randint(0, max(stride[i], dilation[i]) - 1) for i in range(rank)]
    for i in range(rank):
        out = ((size[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1)
               + output_padding[i] + 1)
        if out < 1:
            return None
    bias = rng.random() < 0.7
    x = rand_tensor(gen, [n, cin] + size).requires_grad_()
    w = rand_tensor(gen, [cin, cout // groups] + kernel).requires_grad_()
    b = rand_tensor(gen, [cout]).requires_grad_() if bias else None
    y = CONV_T[rank](x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                     groups=groups, dilation=dilation)
    gy = rand_tensor(gen, list(y.shape))
    (y * gy).sum().backward()
    case = {
        "op": "conv_transpose", "rank": rank, "stride": stride, "dilation": dilation,
        "padding": padding, "output_padding": output_padding, "groups": groups, "bias": bias,
        "x": pack(x), "w": pack(w), "gy": pack(gy),
        "y": pack(y), "gx": pack(x.grad), "gw": pack(w.grad),
    }
    if bias:
        case["b"] = pack(b)
        case["gb"] = pack(b.grad)
    return case


def pool_case(rng, gen, rank):
    kind = rng.choice(["max", "avg", "avg", "max", "global_avg"] if rank == 2 else ["max", "avg"])
    n, c = rng.choice([1, 2]), rng.randint(1, 3)
    size = [rng.randint(1, {1: 14, 2: 9, 3: 5}[rank]) for _ in range(rank)]
    x = rand_tensor(gen, [n, c] + size).requires_grad_()
    if kind == "global_avg":
        y = F.adaptive_avg_pool2d(x, 1)
        case = {"op": "pool", "kind": kind, "rank": rank}
    else:
        kernel = [rng.randint(1, 4) for _ in range(rank)]
        stride = [rng.randint(1, 3) for _ in range(rank)]
        padding = [rng.randint(0, k // 2) for k in kernel]
        ceil_mode = rng.random() < 0.4
        count_include_pad = rng.random() < 0.7
        for i in range(rank):
            if kernel[i] > size[i] + 2 * padding[i]:
                return None
        try:
            if kind == "max":
                y = MAX_POOL[rank](x, kernel, stride, padding, ceil_mode=ceil_mode)
            else:
                y = AVG_POOL[rank](x, kernel, stride, padding, ceil_mode=ceil_mode,
                                   count_include_pad=count_include_pad)
        except RuntimeError:
            # avg_pool3d (1.13) also wants the unpadded input to hold the kernel; draw again.
            return None
        case = {"op": "pool", "kind": kind, "rank": rank, "kernel": kernel, "stride": stride,
                "padding": padding, "ceil_mode": ceil_mode,
                "count_include_pad": count_include_pad}
    gy = rand_tensor(gen, list(y.shape))
    (y * gy).sum().backward()
    case.update({"x": pack(x), "gy": pack(gy), "y": pack(y), "gx": pack(x.grad)})
    return case


def collect(count, make):
    cases = []
    while len(cases) < count:
        case = make()
        if case is not None:
            cases.append(case)
    return cases


def write(name, cases):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump({"generator": "tests/golden/make_conv_golden.py", "seed": SEED,
                   "torch_version": torch.__version__, "cases": cases}, f,
                  separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {len(cases)} cases, {os.path.getsize(path) / 1e6:.2f} MB")


def main():
    torch.set_default_dtype(torch.float64)
    rng = random.Random(SEED)
    gen = torch.Generator().manual_seed(SEED)
    write("conv1d.json", collect(70, lambda: conv_case(rng, gen, 1, 120)))
    write("conv2d.json", collect(110, lambda: conv_case(rng, gen, 2, 250)))
    write("conv3d.json", collect(40, lambda: conv_case(rng, gen, 3, 250)))
    write("conv_transpose.json",
          collect(50, lambda: conv_transpose_case(rng, gen, rng.choice([1, 2, 2, 2, 3]))))
    write("pool.json", collect(80, lambda: pool_case(rng, gen, rng.choice([1, 2, 2, 2, 3]))))
    # Its own generators, so that adding this file left the ones above unchanged.
    rng = random.Random(SEED + 1)
    gen = torch.Generator().manual_seed(SEED + 1)
    write("conv2d_strided_blocks.json", collect(32, lambda: strided_blocks_case(rng, gen)))


if __name__ == "__main__":
    main()
