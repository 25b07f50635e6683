#!/usr/bin/python3
"""Golden file for tests/engine/network_test.cpp: whole small networks in PyTorch, forward,
cross-entropy, autograd, and a few optimizer steps, to compare nnlab's layers and training step.

Run offline with Debian's python (python3-torch 1.13, python3-numpy); the output is committed:
    /usr/bin/python3 tests/golden/make_train_golden.py
writes tests/golden/train_networks.json.

Each case names an nnlab model spec and its PyTorch twin, with flat row-major lists: the input
batch x, the labels, every parameter in nnlab's order (per layer: weight, bias; BatchNorm: gamma,
beta; PyTorch's shapes, which nnlab shares), and PyTorch's answers in float32: the logits, the
mean cross-entropy, and every parameter's gradient. Then `steps` optimizer updates on the same
batch (training mode; BatchNorm's running statistics move as in torch): the loss before each
update and every parameter after the last one, for SGD with momentum and for Adam.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def cnn():
    # nnlab: "conv:4:3:1:1,relu,maxpool,conv:6:3:2:1,tanh,flatten,linear:5,sigmoid,linear"
    return nn.Sequential(nn.Conv2d(1, 4, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, 2, 1), nn.Tanh(), nn.Flatten(),
                         nn.Linear(6 * 2 * 2, 5), nn.Sigmoid(), nn.Linear(5, 3))


def mlp_bn():
    # nnlab: "linear:16,bn,relu,linear:12,tanh,linear"
    return nn.Sequential(nn.Linear(5, 16), nn.BatchNorm1d(16), nn.ReLU(),
                         nn.Linear(16, 12), nn.Tanh(), nn.Linear(12, 4))


def cnn_bn():
    # nnlab: "conv:3:3:1:1,bn,relu,avgpool,flatten,linear"
    return nn.Sequential(nn.Conv2d(2, 3, 3, 1, 1), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3 * 3 * 3, 3))


def parameters(model):
    return [p for p in model.parameters()]


def case(name, spec, make, x_shape, classes, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = make()
    with torch.no_grad():  # non-trivial BatchNorm affine parameters
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.uniform_(-0.5, 0.5, generator=gen)
    x = torch.randn(*x_shape, generator=gen)
    y = torch.randint(0, classes, (x_shape[0],), generator=gen)
    init = [p.detach().clone() for p in parameters(model)]

    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    out = {
        "name": name, "spec": spec, "classes": classes,
        "x_shape": list(x_shape), "x": flat(x), "labels": [int(v) for v in y],
        "parameters": [{"shape": list(p.shape), "value": flat(p)} for p in init],
        "logits": flat(logits), "loss": float(loss),
        "grads": [flat(p.grad) for p in parameters(model)],
        "runs": [],
    }
    for opt_name, make_opt in (("momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
                               ("adam", lambda ps: torch.optim.Adam(ps, lr=0.01))):
        torch.manual_seed(seed)
        twin = make()
        with torch.no_grad():
            for p, v in zip(parameters(twin), init):
                p.copy_(v)
        twin.train()
        opt = make_opt(parameters(twin))
        losses = []
        for _ in range(3):
            opt.zero_grad()
            l = F.cross_entropy(twin(x), y)
            losses.append(float(l))
            l.backward()
            opt.step()
        out["runs"].append({"optimizer": opt_name, "lr": opt.param_groups[0]["lr"],
                            "losses": losses,
                            "after": [flat(p) for p in parameters(twin)]})
    return out


def main():
    torch.set_default_dtype(torch.float32)
    cases = [
        case("cnn", "conv:4:3:1:1,relu,maxpool,conv:6:3:2:1,tanh,flatten,linear:5,sigmoid,linear",
             cnn, (6, 1, 8, 8), 3, 11),
        case("mlp_bn", "linear:16,bn,relu,linear:12,tanh,linear", mlp_bn, (10, 5), 4, 12),
        case("cnn_bn", "conv:3:3:1:1,bn,relu,avgpool,flatten,linear", cnn_bn, (5, 2, 6, 6), 3, 13),
    ]
    path = os.path.join(HERE, "train_networks.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
