#!/usr/bin/python3
"""Golden values for engine/src/activations.cpp from PyTorch (torch.nn.functional, float64).

Run with Debian's interpreter (it has torch): /usr/bin/python3 tests/golden/make_activation_golden.py
Writes tests/golden/activations.json: for each activation, f(x) and autograd's f'(x) on a grid.
"""
import json
import pathlib

import torch
import torch.nn.functional as F

ALPHA = 0.2  # LeakyReLU slope and ELU scale used for the golden values
FUNCTIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, ALPHA),
    "elu": lambda x: F.elu(x, ALPHA),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": F.softplus,
    "gelu": F.gelu,  # exact erf form (approximate='none')
    "silu": F.silu,
}

# A grid that avoids x = 0 exactly (the kink), plus far tails to catch overflow.
xs = [round(-6.0 + 0.37 * i, 6) for i in range(33)] + [-40.0, -20.0, 20.0, 40.0]

out = {"alpha": ALPHA, "x": xs, "functions": {}}
for name, fn in FUNCTIONS.items():
    x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    out["functions"][name] = {"value": y.detach().tolist(), "derivative": grad.tolist()}

path = pathlib.Path(__file__).with_name("activations.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path} with torch {torch.__version__}")
