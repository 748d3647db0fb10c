"""A small PyTorch training run driven by ``to_torch()``, for the resume and DDP tests.

    python -m tests.frameworks.torch_worker --document doc.json --out lrs.json \
        [--stop S] [--checkpoint ckpt.pt] [--resume]

Trains a linear model with SGD (momentum, two parameter groups at multipliers 1 and 0.5) from
step 0, or from the checkpoint's step with ``--resume``, up to ``--stop`` (default: the schedule's
end). Before each optimizer step it records every group's lr. Stopping early saves model,
optimizer and scheduler to ``--checkpoint``. With RANK and WORLD_SIZE set (and MASTER_ADDR,
MASTER_PORT), the model runs under DistributedDataParallel with the gloo backend; rank 0 saves
the checkpoint and every rank loads it. Each batch depends only on the step and the rank, so a
resumed run sees the batches an unbroken one would. Writes JSON: start step, lrs, final weights.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from pathlib import Path

import torch
import torch.distributed as dist

import schedules
from frameworks.torch import to_torch

MULTIPLIERS = [1.0, 0.5]


def batch(step: int, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1000 * step + rank)
    x = torch.randn(16, 4, generator=generator)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--document", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stop", type=int)
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world_size > 1:  # MASTER_ADDR / MASTER_PORT come from the environment
        dist.init_process_group("gloo", rank=rank, world_size=world_size, timeout=datetime.timedelta(seconds=60))

    schedule = schedules.loads(args.document.read_text())
    torch.manual_seed(0)  # the same initial weights on every rank and in every run
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 1))
    model = torch.nn.parallel.DistributedDataParallel(net) if world_size > 1 else net
    optimizer = torch.optim.SGD(
        [{"params": net[0].parameters()}, {"params": net[1].parameters()}], lr=schedule.peak_lr, momentum=0.9
    )
    scheduler = to_torch(schedule, optimizer, lr_multipliers=MULTIPLIERS)

    start = 0
    if args.resume:
        state = torch.load(args.checkpoint)  # weights_only: the scheduler's state is plain data
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start = state["scheduler"]["step"]

    stop = schedule.total_steps if args.stop is None else args.stop
    lrs = []
    for step in range(start, stop):
        lrs.append([group["lr"] for group in optimizer.param_groups])
        x, y = batch(step, rank)
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()

    if stop < schedule.total_steps and rank == 0:
        state = {"model": net.state_dict(), "optimizer": optimizer.state_dict()}
        torch.save(state | {"scheduler": scheduler.state_dict()}, args.checkpoint)
    weights = torch.cat([p.detach().flatten() for p in net.parameters()]).tolist()
    args.out.write_text(json.dumps({"rank": rank, "start": start, "lrs": lrs, "weights": weights}))
    if world_size > 1:
        # No rank leaves before the checkpoint is whole, nor tears down its connections while
        # another still uses them (gloo then aborts the other process at exit).
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
