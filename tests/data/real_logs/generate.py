"""Write the corpus's ``gen-*`` folders: logs that real frameworks wrote on CPU, with the true design.

    python -m tests.data.real_logs.generate            # every case, about a minute on two cores
    python -m tests.data.real_logs.generate gen-keras  # the cases whose folder starts so

Each case trains a tiny model on data made in code, seeded, for a few dozen optimizer steps, and
writes into ``gen-<name>/`` the log as the framework wrote it, ``provenance.json`` (versions and the
exact arguments), ``design.json`` (the v1 document of the schedule the run truly followed) and
``expected.json`` (what a correct verifier concludes: ``verdict`` ``match`` or ``mismatch``, the
``convention`` — which step each logged lr belongs to — and, for a mismatch, the ``defect``).
Before writing, every case checks its own claim: the logged values against the design's ``lr()``
under the stated convention, to float precision.

The test suite reads the committed files and never runs this. Besides requirements-peers.txt it
needs accelerate (the Trainer's dependency), tensorboard, TensorFlow with Keras 3 and lightning;
each case records the versions it ran with.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from schedules import loads, make_document

CORPUS = Path(__file__).resolve().parent
GENERATOR = "tests/data/real_logs/generate.py"
BASE_LR = 1e-3
CONVENTION_USED = "lr used by the step: the value logged at optimizer step k (1-based) is lr(k − 1)"
CASES: dict[str, Callable[[Path], dict]] = {}


def case(name: str):
    def register(function):
        CASES[name] = function
        return function

    return register


def design(kind: str, total_steps: int, steps_per_epoch: int = 1, **fields) -> dict:
    schedule = {"kind": kind, "base_lr": BASE_LR, "total_epochs": total_steps / steps_per_epoch, **fields}
    doc = make_document(schedule, steps_per_epoch)
    loads(json.dumps(doc))
    return doc


def lr_of(doc: dict, steps) -> np.ndarray:
    return np.asarray(loads(json.dumps(doc)).lr(np.asarray(steps)), float)


def check(logged_steps, logged_lr, doc: dict, scheduler_steps, rtol: float = 1e-6) -> None:
    """The generator's own claim: the logged lr equals the design at the stated scheduler steps."""
    np.testing.assert_allclose(logged_lr, lr_of(doc, scheduler_steps), rtol=rtol, atol=1e-12, err_msg=str(logged_steps))


def versions(*names: str) -> dict[str, str]:
    return {"python": sys.version.split()[0], **{name: version(name) for name in names}}


# --- Hugging Face Trainer ------------------------------------------------------------------------

TRAINER_VERSIONS = ("transformers", "torch", "accelerate", "tensorboard")


def tiny_gpt2():
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    return GPT2LMHeadModel(
        GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=64, n_positions=8, bos_token_id=0, eos_token_id=0)
    )


def token_data(rows: int = 512):
    import torch

    tokens = torch.randint(0, 64, (rows, 8), generator=torch.Generator().manual_seed(0))
    return [{"input_ids": row, "labels": row} for row in tokens]


def trainer_arguments(max_steps: int, scheduler: str, warmup_steps: int, logging_steps: int, **more) -> dict:
    return (
        dict(
            max_steps=max_steps,
            learning_rate=BASE_LR,
            lr_scheduler_type=scheduler,
            warmup_steps=warmup_steps,
            logging_steps=logging_steps,
            per_device_train_batch_size=2,
            gradient_accumulation_steps=1,
            use_cpu=True,
            seed=0,
            save_strategy="no",
            report_to=["tensorboard"],
            disable_tqdm=True,
        )
        | more
    )


def run_trainer(work: Path, arguments: dict, resume_from: str | None = None, stop_at: int | None = None):
    from transformers import Trainer, TrainerCallback, TrainingArguments

    class StopAt(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if stop_at is not None and state.global_step >= stop_at:
                control.should_training_stop = True

    args = TrainingArguments(output_dir=str(work), **arguments)
    trainer = Trainer(model=tiny_gpt2(), args=args, train_dataset=token_data(), callbacks=[StopAt()])
    trainer.train(resume_from_checkpoint=resume_from)
    trainer.state.save_to_json(str(work / "trainer_state.json"))
    return trainer


def logged(trainer) -> tuple[np.ndarray, np.ndarray]:
    entries = [e for e in trainer.state.log_history if "learning_rate" in e]
    return np.array([e["step"] for e in entries]), np.array([e["learning_rate"] for e in entries], float)


def trainer_provenance(file: str, arguments: dict, notes: str, **extra) -> dict:
    return {
        "repository": "this repository",
        "path": f"{{output_dir}}/{file}",
        "generated_by": GENERATOR,
        "writer": f"transformers.Trainer {version('transformers')}",
        "versions": versions(*TRAINER_VERSIONS),
        "arguments": {
            "TrainingArguments": arguments,
            "model": "GPT2LMHeadModel(GPT2Config(n_layer=1, "
            "n_embd=16, n_head=2, vocab_size=64, n_positions=8)), torch.manual_seed(0)",
            "train_dataset": "512 rows of 8 tokens, torch.randint(0, 64) seeded 0, labels = input_ids",
        }
        | extra,
        "notes": notes,
    }


TRAINER_CONVENTION = (
    "lr used by the step: transformers 5.17's Trainer reads the lr after optimizer.step() and before "
    "lr_scheduler.step(), so `step: k` carries lr(k − 1), the lr optimizer step k trained with "
    "(transformers#36973; Trainers before it logged lr(k))"
)


def trainer_case(
    name: str,
    scheduler: str,
    max_steps: int,
    warmup_steps: int,
    logging_steps: int,
    doc: dict,
    accumulation: int = 1,
    kwargs: dict | None = None,
    tensorboard: bool = False,
):
    """One Trainer run per scheduler type; its trainer_state.json (and event file) with the true design."""

    def generate(work: Path) -> dict:
        arguments = trainer_arguments(
            max_steps,
            scheduler,
            warmup_steps,
            logging_steps,
            gradient_accumulation_steps=accumulation,
            lr_scheduler_kwargs=kwargs or {},
        )
        trainer = run_trainer(work, arguments)
        steps, lrs = logged(trainer)
        check(steps, lrs, doc, steps - 1)
        verify_with_get_scheduler(scheduler, warmup_steps, max_steps, kwargs or {}, steps, lrs)
        notes = (
            f"{scheduler} over max_steps {max_steps} with {warmup_steps} warm-up steps, logging_steps "
            f"{logging_steps}, gradient_accumulation_steps {accumulation}: the logged lr at `step: k` equals "
            f"transformers.get_scheduler('{scheduler}', …) after k − 1 scheduler steps, exactly."
        )
        expected = {"verdict": "match", "convention": TRAINER_CONVENTION}
        out = {
            name: (
                {"trainer_state.json": work / "trainer_state.json"},
                trainer_provenance("trainer_state.json", arguments, notes),
                doc,
                expected,
            )
        }
        if tensorboard:
            event = next(work.glob("runs/*/events.out.tfevents.*"))
            tb_notes = notes + (
                f" The TensorBoardCallback's file, renamed from {event.name}: "
                "`train/learning_rate` at the same steps as trainer_state.json, as float32."
            )
            provenance = trainer_provenance(EVENT_FILE, arguments, tb_notes)
            provenance["writer"] = f"transformers TensorBoardCallback {version('transformers')}"
            out[name.replace("gen-trainer-", "gen-tb-trainer-")] = ({EVENT_FILE: event}, provenance, doc, expected)
        return out

    CASES[name] = generate


EVENT_FILE = "events.out.tfevents.generated"


def verify_with_get_scheduler(scheduler, warmup_steps, max_steps, kwargs, steps, lrs) -> None:
    """The same values from transformers' own scheduler, stepped k − 1 times."""
    import torch
    from transformers import get_scheduler

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR)
    lr_scheduler = get_scheduler(scheduler, optimizer, warmup_steps, max_steps, scheduler_specific_kwargs=kwargs)
    theirs = []
    for _ in range(max_steps + 1):
        theirs.append(lr_scheduler.get_last_lr()[0])
        optimizer.step()
        lr_scheduler.step()
    assert list(lrs) == [theirs[k - 1] for k in steps], (scheduler, list(lrs))


trainer_case(
    "gen-trainer-linear-accum2",
    "linear",
    40,
    5,
    5,
    design("linear", 40, warmup_epochs=5),
    accumulation=2,
    tensorboard=True,
)
trainer_case(
    "gen-trainer-cosine-every-step", "cosine", 30, 4, 1, design("cosine", 30, warmup_epochs=4), tensorboard=True
)
trainer_case(
    "gen-trainer-cosine-with-restarts",
    "cosine_with_restarts",
    48,
    6,
    2,
    design("cosine_restarts", 48, warmup_epochs=6, first_cycle_epochs=14),
    kwargs={"num_cycles": 3},
)
trainer_case(
    "gen-trainer-polynomial-accum4",
    "polynomial",
    32,
    4,
    4,
    design("polynomial", 32, warmup_epochs=4, power=2.0, epsilon=1e-5),
    accumulation=4,
    kwargs={"power": 2.0, "lr_end": 1e-5},
)
trainer_case(
    "gen-trainer-constant-with-warmup", "constant_with_warmup", 30, 10, 3, design("constant", 30, warmup_epochs=10)
)
trainer_case(
    "gen-trainer-inverse-sqrt",
    "inverse_sqrt",
    40,
    8,
    4,
    design("inverse_sqrt", 40, warmup_epochs=8, timescale_epochs=8),
)
trainer_case(
    "gen-trainer-cosine-with-min-lr-accum2",
    "cosine_with_min_lr",
    40,
    5,
    5,
    design("cosine", 40, warmup_epochs=5, epsilon=1e-4),
    accumulation=2,
    kwargs={"min_lr": 1e-4},
)
trainer_case(
    "gen-trainer-warmup-stable-decay",
    "warmup_stable_decay",
    40,
    5,
    5,
    design("one_minus_sqrt", 40, warmup_epochs=5, hold_epochs=20, epsilon=1e-4, warmup_start_lr=1e-4),
    kwargs={"num_decay_steps": 15, "decay_type": "1-sqrt", "min_lr_ratio": 0.1},
)


def resume_case(name: str, lose_scheduler: bool):
    """40 steps interrupted after the checkpoint at step 20, then resumed from it."""
    doc = design("linear", 40, warmup_epochs=5)

    def generate(work: Path) -> dict:
        arguments = trainer_arguments(40, "linear", 5, 5, save_strategy="steps", save_steps=20)
        run_trainer(work, arguments, stop_at=20)
        checkpoint = work / "checkpoint-20"
        if lose_scheduler:
            (checkpoint / "scheduler.pt").unlink()
        trainer = run_trainer(work, arguments, resume_from=str(checkpoint))
        steps, lrs = logged(trainer)
        first, resumed = steps <= 20, steps > 20
        check(steps[first], lrs[first], doc, steps[first] - 1)
        extra = {
            "interruption": "a callback stops training at global_step 20, right after checkpoint-20 is saved",
            "resume": "a new Trainer with the same arguments, trainer.train(resume_from_checkpoint="
            "'checkpoint-20')" + (" after deleting checkpoint-20/scheduler.pt" if lose_scheduler else ""),
        }
        if lose_scheduler:
            check(steps[resumed], lrs[resumed], doc, steps[resumed] - 21)
            notes = (
                "checkpoint-20 without scheduler.pt: the Trainer loads neither the optimizer nor the scheduler "
                "(it loads both only when both files exist) and says nothing; a new scheduler starts at its "
                "step 0 while global_step continues at 20, so steps 21–40 repeat the warm-up and the first "
                "20 steps of the schedule."
            )
            expected = {
                "verdict": "mismatch",
                "defect": "restarted_schedule",
                "finding": {"type": "restart", "step": 20},
                "convention": TRAINER_CONVENTION,
                "detail": "steps 1–20 follow the design (lr(k − 1) at step k); from step 21 the schedule "
                "restarts: step k logs lr(k − 21), i.e. 20 steps behind, warm-up repeated",
            }
        else:
            check(steps[resumed], lrs[resumed], doc, steps[resumed] - 1)
            notes = (
                "Resumed from a complete checkpoint-20: the scheduler state is restored and the schedule "
                "continues; the log (the first run's entries from checkpoint-20's trainer_state.json and the "
                "resumed ones) equals an uninterrupted run's."
            )
            expected = {"verdict": "match", "convention": TRAINER_CONVENTION}
        provenance = trainer_provenance("trainer_state.json", arguments, notes, **extra)
        return {name: ({"trainer_state.json": work / "trainer_state.json"}, provenance, doc, expected)}

    CASES[name] = generate


resume_case("gen-trainer-resume", lose_scheduler=False)
resume_case("gen-trainer-resume-lost-scheduler", lose_scheduler=True)


# --- plain PyTorch loops -------------------------------------------------------------------------

TORCH_VERSIONS = ("torch", "transformers", "tensorboard")


def tiny_mlp_and_data():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    x = torch.randn(256, 8, generator=torch.Generator().manual_seed(1))
    y = x.sum(dim=1, keepdim=True)
    return model, x, y


def write_lr(work: Path, rows: list[tuple[int, float]], tag: str = "lr") -> None:
    from torch.utils.tensorboard import SummaryWriter

    with (work / "lr.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "lr"])
        writer.writerows((step, repr(lr)) for step, lr in rows)
    with SummaryWriter(str(work / "tb")) as tb:
        for step, lr in rows:
            tb.add_scalar(tag, lr, step)


def loop_provenance(file: str, writer: str, arguments: dict, notes: str) -> dict:
    return {
        "repository": "this repository",
        "path": file,
        "generated_by": GENERATOR,
        "writer": writer,
        "versions": versions(*TORCH_VERSIONS),
        "arguments": {
            "model": "Linear(8, 16) → ReLU → Linear(16, 1), torch.manual_seed(0); 256 rows of "
            "torch.randn(8) seeded 1, target their sum, MSE",
            **arguments,
        },
        "notes": notes,
    }


def loop_outputs(name: str, work: Path, arguments: dict, notes: str, doc: dict, expected: dict) -> dict:
    csv_writer = "a plain PyTorch loop writing csv.writer rows (step, lr)"
    tb_writer = f"torch.utils.tensorboard.SummaryWriter (torch {version('torch')})"
    event = next((work / "tb").glob("events.out.tfevents.*"))
    tb_notes = notes + f" The same points through SummaryWriter.add_scalar('lr', …), renamed from {event.name}."
    return {
        name: ({"lr.csv": work / "lr.csv"}, loop_provenance("lr.csv", csv_writer, arguments, notes), doc, expected),
        name.replace("gen-torch-", "gen-tb-torch-"): (
            {EVENT_FILE: event},
            loop_provenance(EVENT_FILE, tb_writer, arguments, tb_notes),
            doc,
            expected,
        ),
    }


@case("gen-torch-gradscaler-skipped-steps")
def gradscaler_skipped_steps(work: Path) -> dict:
    import torch
    from transformers import get_cosine_schedule_with_warmup

    total, warmup, poisoned = 40, 5, (12, 30)
    doc = design("cosine", total, warmup_epochs=warmup)
    model, x, y = tiny_mlp_and_data()
    optimizer = torch.optim.AdamW(model.parameters(), lr=BASE_LR)
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup, total)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10)
    rows, skipped, scheduler_steps = [], [], []
    for step in range(1, total + 1):
        batch = slice((step * 8) % 256, (step * 8) % 256 + 8)
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x[batch]), y[batch])
        scaler.scale(loss).backward()
        if step in poisoned:
            model[0].weight.grad[0, 0] = float("inf")
        rows.append((step, optimizer.param_groups[0]["lr"]))
        scheduler_steps.append(scheduler.last_epoch)
        scale_before = scaler.get_scale()
        scaler.step(optimizer)
        scaler.update()
        if scaler.get_scale() < scale_before:  # the step was skipped: the Trainer then leaves the scheduler
            skipped.append(step)
        else:
            scheduler.step()
    assert skipped == list(poisoned), skipped
    write_lr(work, rows)
    steps, lrs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    lag = np.searchsorted(poisoned, steps, side="left")  # skips strictly before step k
    check(steps, lrs, doc, steps - 1 - lag)
    arguments = {
        "optimizer": f"AdamW(lr={BASE_LR})",
        "scheduler": f"get_cosine_schedule_with_warmup(optimizer, "
        f"num_warmup_steps={warmup}, num_training_steps={total})",
        "scaler": "torch.amp.GradScaler('cpu', init_scale=1024.0)",
        "batch": "8 rows",
        "inf_gradient_at_steps": list(poisoned),
        "loop": "scaler.scale(loss).backward(); log lr; scaler.step(optimizer); scaler.update(); "
        "scheduler.step() only when the scale did not drop (the step was not skipped)",
    }
    notes = (
        f"{total} optimizer-step attempts; an inf written into one gradient at steps {list(poisoned)} makes "
        "GradScaler skip optimizer.step() and halve its scale. The scheduler is stepped only after a step "
        "that ran (as the Trainer does through accelerate's optimizer_step_was_skipped), so it falls one "
        "step behind the step count at each skip. Logged at step k: the lr step k used."
    )
    expected = {
        "verdict": "mismatch",
        "defect": "skipped_steps",
        "skipped_steps": list(poisoned),
        "lag_from_step": {str(step + 1): lag for lag, step in enumerate(poisoned, 1)},
        "convention": CONVENTION_USED,
        "detail": "GradScaler skipped optimizer steps 12 and 30; the scheduler lags the step count by 1 from "
        "step 13 (lr(k − 2)) and by 2 from step 31 (lr(k − 3)); steps 12 and 30 themselves log the lr "
        "of the skipped attempt, equal to step 13's and step 31's",
    }
    return loop_outputs("gen-torch-gradscaler-skipped-steps", work, arguments, notes, doc, expected)


@case("gen-torch-scheduler-per-micro-batch")
def scheduler_per_micro_batch(work: Path) -> dict:
    import torch
    from transformers import get_linear_schedule_with_warmup

    total, warmup, accumulation = 40, 8, 4
    doc = design("linear", total, warmup_epochs=warmup)
    model, x, y = tiny_mlp_and_data()
    optimizer = torch.optim.AdamW(model.parameters(), lr=BASE_LR)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup, total)
    rows, micro = [], 0
    for step in range(1, total + 1):
        for _ in range(accumulation):
            batch = slice((micro * 4) % 256, (micro * 4) % 256 + 4)
            loss = torch.nn.functional.mse_loss(model(x[batch]), y[batch]) / accumulation
            loss.backward()
            scheduler.step()  # the defect: once per micro-batch, not per optimizer step
            micro += 1
        lr_used = optimizer.param_groups[0]["lr"]
        optimizer.step()
        optimizer.zero_grad()
        rows.append((step, lr_used))
    write_lr(work, rows)
    steps, lrs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    check(steps, lrs, doc, np.minimum(accumulation * steps, total))
    arguments = {
        "optimizer": f"AdamW(lr={BASE_LR})",
        "scheduler": f"get_linear_schedule_with_warmup(optimizer, "
        f"num_warmup_steps={warmup}, num_training_steps={total})",
        "micro_batch": "4 rows",
        "gradient_accumulation_steps": accumulation,
        "loop": "per micro-batch: backward(); scheduler.step(); every 4th: log lr; optimizer.step()",
    }
    notes = (
        f"The schedule is designed over {total} optimizer steps, but scheduler.step() runs after every "
        f"micro-batch under gradient accumulation {accumulation}: optimizer step k trains with lr(4k), the "
        f"warm-up ends at step 2 and the linear decay reaches 0 at step {total // accumulation}, then stays "
        "there (a cosine would not: transformers' cosine lambda does not clamp its progress, so past "
        "num_training_steps it rises again)."
    )
    expected = {
        "verdict": "mismatch",
        "defect": "scheduler_per_micro_batch",
        "factor": accumulation,
        "finding": {"type": "stretch", "factor": float(accumulation)},
        "convention": CONVENTION_USED,
        "detail": f"the scheduler runs {accumulation}× fast: step k logs lr(min(4k, {total})) instead of lr(k − 1); "
        f"the schedule ends at step {total // accumulation} and the lr is 0 for the remaining steps",
    }
    return loop_outputs("gen-torch-scheduler-per-micro-batch", work, arguments, notes, doc, expected)


@case("gen-torch-lr-logged-after-scheduler-step")
def lr_logged_after_scheduler_step(work: Path) -> dict:
    import torch
    from transformers import get_linear_schedule_with_warmup

    total, warmup = 40, 6
    doc = design("linear", total, warmup_epochs=warmup)
    model, x, y = tiny_mlp_and_data()
    optimizer = torch.optim.AdamW(model.parameters(), lr=BASE_LR)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup, total)
    rows = []
    for step in range(1, total + 1):
        batch = slice((step * 8) % 256, (step * 8) % 256 + 8)
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x[batch]), y[batch]).backward()
        optimizer.step()
        scheduler.step()
        rows.append((step, scheduler.get_last_lr()[0]))  # the defect: read after scheduler.step()
    write_lr(work, rows)
    steps, lrs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    check(steps, lrs, doc, steps)
    arguments = {
        "optimizer": f"AdamW(lr={BASE_LR})",
        "scheduler": f"get_linear_schedule_with_warmup(optimizer, "
        f"num_warmup_steps={warmup}, num_training_steps={total})",
        "batch": "8 rows",
        "loop": "optimizer.step(); scheduler.step(); log scheduler.get_last_lr()[0]",
    }
    notes = (
        "The lr is read after scheduler.step(), so step k logs lr(k), the lr step k + 1 will use, while step "
        "k trained with lr(k − 1). The last point, step 40, is lr(40) = 0, a value no step trained with."
    )
    expected = {
        "verdict": "mismatch",
        "defect": "off_by_one",
        "shift_steps": 1,
        "finding": {"type": "offset", "steps_ahead": 1},
        "convention": CONVENTION_USED,
        "detail": "every point is one scheduler step ahead of the lr its step used: step k logs lr(k), not "
        "lr(k − 1). The convention taken as correct is the lr the step trained with (what the Trainer "
        "logs since transformers#36973, and what Lightning's LearningRateMonitor logs at batch start): "
        "it is the value that moved the weights. The same file also matches the design exactly under "
        "the older Trainer convention lr(k), so a verifier that accepts both should report the shift "
        "of one step, not a different schedule",
    }
    return loop_outputs("gen-torch-lr-logged-after-scheduler-step", work, arguments, notes, doc, expected)


# --- Lightning -----------------------------------------------------------------------------------


@case("gen-lightning-onecycle-every-5-steps")
def lightning_onecycle(work: Path) -> dict:
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger

    total, log_every = 40, 5
    doc = design("one_cycle", total, pct_start=0.25, div_factor=10.0, final_div_factor=100.0, anneal="cos")

    class Regression(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = tiny_mlp_and_data()[0]

        def training_step(self, batch, batch_index):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.net(x), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=BASE_LR)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimizer,
                max_lr=BASE_LR,
                total_steps=total,
                pct_start=0.25,
                div_factor=10.0,
                final_div_factor=100.0,
                anneal_strategy="cos",
                cycle_momentum=False,
            )
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    _, x, y = tiny_mlp_and_data()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=False)
    L.seed_everything(0, verbose=False)
    trainer = L.Trainer(
        max_steps=total,
        accelerator="cpu",
        devices=1,
        log_every_n_steps=log_every,
        logger=CSVLogger(str(work), name="lightning_logs", version=0),
        callbacks=[LearningRateMonitor(logging_interval="step")],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Regression(), loader)
    metrics = work / "lightning_logs" / "version_0" / "metrics.csv"
    with metrics.open() as f:
        rows = [(int(r["step"]), float(r["lr-AdamW"])) for r in csv.DictReader(f) if r.get("lr-AdamW")]
    steps, lrs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    check(steps, lrs, doc, steps)
    arguments = {
        "LightningModule": "the MLP, AdamW(lr=0.001), OneCycleLR(max_lr=0.001, total_steps=40, "
        "pct_start=0.25, div_factor=10.0, final_div_factor=100.0, anneal_strategy='cos', "
        "cycle_momentum=False), interval 'step'",
        "DataLoader": "the 256 rows, batch_size 8, no shuffle",
        "Trainer": {
            "max_steps": total,
            "accelerator": "cpu",
            "devices": 1,
            "log_every_n_steps": log_every,
            "logger": "CSVLogger(name='lightning_logs', version=0)",
            "callbacks": "LearningRateMonitor(logging_interval='step')",
        },
        "seed_everything": 0,
    }
    provenance = loop_provenance(
        "lightning_logs/version_0/metrics.csv",
        f"lightning {version('lightning')} CSVLogger + LearningRateMonitor",
        arguments,
        "LearningRateMonitor logs at on_train_batch_start, on rows of its own, when "
        "(batches stepped + 1) is a multiple of log_every_n_steps: `step` s (0-based, 4, "
        "9, …, 39) carries the lr batch s is about to train with, lr(s). The design "
        "is OneCycleLR stepped once per batch, exactly.",
    )
    provenance["versions"] = versions("lightning", "torch")
    expected = {
        "verdict": "match",
        "convention": "lr used by the step, 0-based: Lightning's LearningRateMonitor "
        "writes at `step` s (its global_step before the batch) the lr batch s trains with, lr(s); with "
        "log_every_n_steps 5 the points are 4, 9, …, 39",
    }
    return {"gen-lightning-onecycle-every-5-steps": ({"metrics.csv": metrics}, provenance, doc, expected)}


# --- Keras ---------------------------------------------------------------------------------------


def keras_case(name: str, update_freq):
    def generate(work: Path) -> dict:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras

        keras.utils.set_random_seed(0)
        epochs, batches, warmup = 5, 8, 8
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 4)).astype("float32")
        y = x.sum(axis=1, keepdims=True)
        schedule = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0,
            decay_steps=epochs * batches - warmup,
            alpha=0.1,
            warmup_target=BASE_LR,
            warmup_steps=warmup,
        )
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule), loss="mse")
        model.fit(
            x,
            y,
            batch_size=8,
            epochs=epochs,
            shuffle=False,
            verbose=0,
            callbacks=[keras.callbacks.TensorBoard(str(work / "logs"), update_freq=update_freq)],
        )
        doc = design("cosine", epochs * batches, steps_per_epoch=batches, warmup_epochs=1, epsilon=BASE_LR / 10)
        event = next((work / "logs" / "train").glob("events.out.tfevents.*"))
        from schedules.logs import read_path

        tags = {s.name: s for s in read_path(event)}
        series = tags["epoch_learning_rate"]
        check(series.steps, series.lr, doc, (series.steps + 1) * batches, rtol=1e-6)
        arguments = {
            "model": "Input(4) → Dense(8, relu) → Dense(1), keras.utils.set_random_seed(0)",
            "data": "64 rows of numpy normal(size=4) seeded 0, target their sum, mse",
            "schedule": f"CosineDecay(initial_learning_rate=0.0, decay_steps={epochs * batches - warmup}, "
            f"alpha=0.1, warmup_target={BASE_LR}, warmup_steps={warmup})",
            "optimizer": "Adam(learning_rate=schedule)",
            "fit": {"batch_size": 8, "epochs": epochs, "shuffle": False},
            "callbacks": f"TensorBoard(log_dir, update_freq={update_freq!r})",
        }
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        written = EventAccumulator(str(event)).Reload().Tags()["tensors"]
        assert not [t for t in written if t.startswith("batch_") and "learning_rate" in t], written
        notes = (
            f"{batches} steps per epoch, {epochs} epochs. The callback writes `epoch_learning_rate` at step e "
            "(the 0-based epoch) from optimizer.learning_rate at the epoch's end, i.e. the schedule at "
            f"iterations (e + 1)·{batches}: the lr the next epoch's first step will use, float32. "
            + (
                f"With update_freq=1 it also writes per batch {', '.join(t for t in written if t.startswith('batch_'))}"
                " but no per-batch learning rate: Keras 3's callback adds the lr only to the epoch logs "
                "(_collect_learning_rate in _log_epoch_metrics)."
                if update_freq != "epoch"
                else ""
            )
        )
        provenance = {
            "repository": "this repository",
            "path": f"logs/train/{EVENT_FILE}",
            "generated_by": GENERATOR,
            "writer": f"keras.callbacks.TensorBoard (Keras {version('keras')})",
            "versions": versions("keras", "tensorflow-cpu", "tensorboard"),
            "arguments": arguments,
            "notes": notes + f" Renamed from {event.name}.",
        }
        expected = {
            "verdict": "match",
            "convention": "Keras TensorBoard `epoch_learning_rate` at step e (0-based "
            f"epoch) is the schedule after the epoch's last step, lr((e + 1) × {batches}) in steps of the "
            "design (steps_per_epoch 8): the lr the next epoch starts with, not one the epoch used",
        }
        return {name: ({EVENT_FILE: event}, provenance, doc, expected)}

    CASES[name] = generate


keras_case("gen-keras-tensorboard-cosine-warmup", "epoch")
keras_case("gen-keras-tensorboard-cosine-warmup-update-freq-1", 1)


# --- writing -------------------------------------------------------------------------------------


def write(name: str, files: dict[str, Path], provenance: dict, doc: dict, expected: dict) -> None:
    folder = CORPUS / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for target, source in files.items():
        shutil.copyfile(source, folder / target)
        assert (folder / target).stat().st_size < 300_000, target
    for file, content in (("provenance.json", provenance), ("design.json", doc), ("expected.json", expected)):
        (folder / file).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")
    print(f"{name}: {', '.join(files)}")


def main(prefixes: list[str]) -> None:
    warnings.filterwarnings("ignore")
    chosen = [name for name in CASES if not prefixes or any(name.startswith(p) for p in prefixes)]
    for name in chosen:
        with tempfile.TemporaryDirectory() as work:
            for folder, outputs in CASES[name](Path(work)).items():
                write(folder, *outputs)


if __name__ == "__main__":
    main(sys.argv[1:])
