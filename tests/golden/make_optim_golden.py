#!/usr/bin/python3
"""Golden optimizer paths for engine/src/optim.cpp, schedules.cpp and trajectory.cpp, from PyTorch.

Run with Debian's interpreter (it has torch 1.13): /usr/bin/python3 tests/golden/make_optim_golden.py
Writes tests/golden/optim_paths.json: for each case, a 2-D parameter θ = (x, y) in float64 is
optimized for 200 steps by a torch.optim optimizer on a loss surface written with torch
operations (gradient by autograd); the file keeps the path θ₀ … θ₂₀₀, the loss and the learning
rate each step used (with a torch.optim.lr_scheduler stepped once per update where one is given).
The surface specs use the engine's names (engine/include/nnlab/surfaces.h) and the schedule specs
its syntax (schedules.h), so the C++ test rebuilds each case from the file alone.
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)
STEPS = 200


def surface(spec):
    name, _, keys = spec.partition(":")
    params = dict((k, float(v)) for k, v in (kv.split("=") for kv in keys.split(",") if kv))
    if name == "quadratic":
        kappa, angle = params.get("kappa", 10.0), math.radians(params.get("angle", 0.0))
        c, s = math.cos(angle), math.sin(angle)

        def f(x, y):
            u, w = c * x + s * y, -s * x + c * y
            return 0.5 * (u * u + kappa * w * w)
        return f
    if name == "rosenbrock":
        a, b = params.get("a", 1.0), params.get("b", 100.0)
        return lambda x, y: (a - x) ** 2 + b * (y - x * x) ** 2
    return {
        "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
        + (2.625 - x + x * y ** 3) ** 2,
        "himmelblau": lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        "six-hump-camel": lambda x, y: (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y
        + (-4 + 4 * y ** 2) * y ** 2,
        "saddle": lambda x, y: x * x - y * y,
    }[name]


# (optimizer id as the engine names it, its config in the engine's field names) -> torch optimizer
def make_optimizer(opt_id, config, params):
    lr = config["lr"]
    if opt_id == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if opt_id == "momentum":  # heavy-ball form, the engine's default
        return torch.optim.SGD(params, lr=lr, momentum=config["beta"])
    if opt_id == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=config["beta"], nesterov=True)
    if opt_id == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=config["eps"])
    if opt_id == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=config["beta"], eps=config["eps"])
    betas = (config["beta1"], config["beta2"])
    if opt_id == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, eps=config["eps"])
    if opt_id == "amsgrad":
        return torch.optim.Adam(params, lr=lr, betas=betas, eps=config["eps"], amsgrad=True)
    if opt_id == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=betas, eps=config["eps"],
                                 weight_decay=config["weight_decay"])
    raise ValueError(opt_id)


def make_scheduler(spec, optimizer):
    name, _, keys = spec.partition(":")
    params = dict((k, float(v)) for k, v in (kv.split("=") for kv in keys.split(",") if kv))
    S = torch.optim.lr_scheduler
    if name == "constant":
        return None
    if name == "step":
        return S.StepLR(optimizer, step_size=int(params["step_size"]), gamma=params["gamma"])
    if name == "exponential":
        return S.ExponentialLR(optimizer, gamma=params["gamma"])
    if name == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=int(params["t_max"]), eta_min=params["eta_min"])
    if name == "inv-sqrt":
        return S.LambdaLR(optimizer, lambda k: 1 / math.sqrt(k + 1))
    raise ValueError(spec)


DEFAULTS = {  # torch 1.13's defaults, as the engine's defaultOptimizerConfig()
    "sgd": {}, "momentum": {"beta": 0.9}, "nesterov": {"beta": 0.9},
    "adagrad": {"eps": 1e-10}, "rmsprop": {"beta": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "amsgrad": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}

# (optimizer, surface, start, config overrides, schedule). Learning rates are ones a lecture
# would use: the paths move a visible distance without diverging.
CASES = [
    ("sgd", "rosenbrock", (-1.5, 2.0), {"lr": 1e-3}, "constant"),
    ("sgd", "quadratic:kappa=10,angle=30", (-2.5, 1.5), {"lr": 0.05}, "constant"),
    ("sgd", "himmelblau", (0.0, 0.0), {"lr": 0.01}, "constant"),
    ("momentum", "rosenbrock", (-1.5, 2.0), {"lr": 2e-4, "beta": 0.9}, "constant"),
    ("momentum", "quadratic:kappa=10,angle=30", (-2.5, 1.5), {"lr": 0.05, "beta": 0.8}, "constant"),
    ("momentum", "booth", (-8.0, 8.0), {"lr": 0.01}, "exponential:gamma=0.99"),
    ("nesterov", "rosenbrock", (-1.5, 2.0), {"lr": 2e-4}, "constant"),
    ("nesterov", "six-hump-camel", (-1.0, 1.0), {"lr": 0.01}, "constant"),
    ("adagrad", "rosenbrock", (-1.5, 2.0), {"lr": 0.5}, "constant"),
    ("adagrad", "quadratic:kappa=10,angle=30", (-2.5, 1.5), {"lr": 0.5}, "constant"),
    ("adagrad", "beale", (1.0, 1.5), {"lr": 0.1}, "constant"),
    ("rmsprop", "rosenbrock", (-1.5, 2.0), {"lr": 0.01}, "constant"),
    ("rmsprop", "himmelblau", (0.0, 0.0), {"lr": 0.01, "beta": 0.9}, "constant"),
    ("adam", "rosenbrock", (-1.5, 2.0), {"lr": 0.05}, "constant"),
    ("adam", "quadratic:kappa=10,angle=30", (-2.5, 1.5), {"lr": 0.1, "beta1": 0.8, "beta2": 0.99},
     "constant"),
    ("adam", "beale", (1.0, 1.5), {"lr": 0.05}, "step:step_size=50,gamma=0.5"),
    ("adam", "saddle", (-1.5, 1e-3), {"lr": 0.02}, "cosine:t_max=200,eta_min=0.001"),
    ("adam", "booth", (-8.0, 8.0), {"lr": 1.0}, "inv-sqrt"),
    ("adamw", "rosenbrock", (-1.5, 2.0), {"lr": 0.05, "weight_decay": 0.1}, "constant"),
    ("adamw", "himmelblau", (0.0, 0.0), {"lr": 0.1}, "constant"),
    ("amsgrad", "rosenbrock", (-1.5, 2.0), {"lr": 0.05}, "constant"),
    ("amsgrad", "six-hump-camel", (-1.0, 1.0), {"lr": 0.05}, "constant"),
]

cases = []
for opt_id, surface_spec, start, overrides, schedule in CASES:
    config = dict(DEFAULTS[opt_id], **overrides)
    f = surface(surface_spec)
    theta = torch.tensor(start, requires_grad=True)
    optimizer = make_optimizer(opt_id, config, [theta])
    scheduler = make_scheduler(schedule, optimizer)
    points, losses, lrs = [list(start)], [], []
    for t in range(STEPS):
        optimizer.zero_grad()
        loss = f(theta[0], theta[1])
        loss.backward()
        losses.append(loss.item())
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        points.append(theta.detach().tolist())
    with torch.no_grad():
        losses.append(f(theta[0], theta[1]).item())
    assert all(math.isfinite(v) for p in points for v in p), (opt_id, surface_spec)
    cases.append({"optimizer": opt_id, "surface": surface_spec, "schedule": schedule,
                  "start": list(start), "config": config, "steps": STEPS,
                  "points": points, "loss": losses, "lr": lrs})

out = {"torch": torch.__version__, "dtype": "float64", "cases": cases}
path = pathlib.Path(__file__).with_name("optim_paths.json")
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}: {len(cases)} cases with torch {torch.__version__}")
for c in cases:
    print(f'  {c["optimizer"]:9s} {c["surface"]:30s} {c["schedule"]:32s} end {c["points"][-1]} loss {c["loss"][-1]:.4g}')
