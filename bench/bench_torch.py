"""What ``scheduler.step()`` costs per training step, as ratios measured in one process.

    python -m bench.bench_torch

Three schedulers step the same kind of optimizer through a cosine schedule, 1,000 steps a turn,
timed in turns (``bench.timing.interleaved_medians``):

- ``to_torch()``: this project's adapter, the engine's ``Schedule.lr`` at each step;
- ``LambdaLR`` over the engine (``lambda t: s.lr(t) / peak``), the usual way to plug in a formula;
- PyTorch's own ``CosineAnnealingLR`` (no warm-up: the cheapest native equivalent).

For scale, one training step of a small MLP (784-256-10, batch 64, SGD) is timed beside them.
"""

from __future__ import annotations

import re
import warnings

import torch

import schedules
from bench.timing import interleaved_medians
from frameworks.torch import to_torch

STEPS_PER_TURN = 1_000
DOC = schedules.make_document(
    {"kind": "cosine", "base_lr": 0.1, "total_epochs": 100, "warmup_epochs": 5, "epsilon": 1e-4},
    steps_per_epoch=1_000,
)


def optimizer(lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD(torch.nn.Linear(4, 4).parameters(), lr=lr, momentum=0.9)


def stepper(scheduler):
    def turn():
        for _ in range(STEPS_PER_TURN):
            scheduler.step()

    return turn


def training_step():
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 784), torch.randint(0, 10, (64,))

    def step():
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad()

    return step


def main() -> None:
    torch.set_num_threads(1)
    s = schedules.from_config(DOC)
    warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()`"))  # no optimizer here
    candidates = {
        "to_torch": stepper(to_torch(s, optimizer(s.peak_lr))),
        "LambdaLR(engine)": stepper(
            torch.optim.lr_scheduler.LambdaLR(optimizer(s.peak_lr), lambda t: float(s.lr(t)) / s.peak_lr)
        ),
        "CosineAnnealingLR": stepper(
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer(s.peak_lr), T_max=s.total_steps, eta_min=1e-4)
        ),
    }
    train = training_step()
    medians = interleaved_medians(candidates | {"train step": train}, rounds=15)
    per_step = {name: medians[name] / STEPS_PER_TURN for name in candidates}
    train_step = medians["train step"]
    for name, seconds in per_step.items():
        share = seconds / train_step
        print(f"{name:>18}: {seconds * 1e6:6.1f} µs per scheduler.step()  ({share:.1%} of a training step)")
    print(f"{'training step':>18}: {train_step * 1e6:6.1f} µs (MLP 784-256-10, batch 64, SGD, one thread)")
    native = per_step["CosineAnnealingLR"]
    print(
        f"to_torch / CosineAnnealingLR = {per_step['to_torch'] / native:.2f}x; "
        f"LambdaLR(engine) / CosineAnnealingLR = {per_step['LambdaLR(engine)'] / native:.2f}x; "
        f"to_torch / LambdaLR(engine) = {per_step['to_torch'] / per_step['LambdaLR(engine)']:.2f}x"
    )


if __name__ == "__main__":
    main()
