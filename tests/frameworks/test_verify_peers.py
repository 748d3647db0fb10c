"""Verification against real PyTorch and Hugging Face runs: torch.optim.lr_scheduler chains logged
by torch's own SummaryWriter, and Hugging Face schedulers stepped as its Trainer steps them, logged
as its trainer_state.json. Each: a clean run matches; gradient accumulation stepping the scheduler
per micro-batch, an off-by-one log and a resume that rebuilt the scheduler are each diagnosed.
Skips, saying why, without torch or transformers (requirements-peers.txt installs them)."""

import json

import pytest

from schedules import from_config
from schedules.diagnose import diagnose
from schedules.fit import fit
from schedules.logs import choose, read_path

torch = pytest.importorskip("torch", reason="PyTorch is not installed (requirements-peers.txt)")

STEPS, WARMUP, BASE, FLOOR = 600, 60, 0.1, 1e-4
DESIGN = from_config(
    {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 30,
        "schedule": {
            "kind": "cosine",
            "base_lr": BASE,
            "total_epochs": STEPS / 30,
            "warmup_epochs": WARMUP / 30,
            "warmup_start_lr": 0.01 * BASE,
            "epsilon": FLOOR,
        },
    }
)
MULTISTEP = from_config(
    {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 30,
        "schedule": {
            "kind": "multistep",
            "base_lr": BASE,
            "total_epochs": 20,
            "milestones_epochs": [5, 12],
            "gamma": 0.2,
        },
    }
)


def cosine_chain(optimizer):
    lr = torch.optim.lr_scheduler
    warmup = lr.LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=WARMUP)
    decay = lr.CosineAnnealingLR(optimizer, T_max=STEPS - WARMUP, eta_min=FLOOR)
    return lr.SequentialLR(optimizer, [warmup, decay], milestones=[WARMUP])


def multistep_chain(optimizer):
    return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[150, 360], gamma=0.2)


def torch_run(log_dir, make_scheduler, accumulation=1, log_after_step=False, resume_at=None):
    """A training loop as people write it, the lr logged with SummaryWriter at every optimizer step.

    accumulation > 1 steps the scheduler after every micro-batch (the bug); log_after_step logs the
    lr once the scheduler has moved on (the next step's); resume_at rebuilds optimizer and scheduler
    there without loading their state.
    """
    from torch.utils.tensorboard import SummaryWriter

    weights = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([weights], lr=BASE)
    scheduler = make_scheduler(optimizer)
    writer = SummaryWriter(str(log_dir))
    for step in range(STEPS):
        if step == resume_at:
            optimizer = torch.optim.SGD([weights], lr=BASE)
            scheduler = make_scheduler(optimizer)
        for _ in range(accumulation):
            (weights**2).sum().backward()
            if accumulation > 1:
                scheduler.step()
        if not log_after_step:
            writer.add_scalar("lr-SGD", optimizer.param_groups[0]["lr"], step)
        optimizer.step()
        optimizer.zero_grad()
        if accumulation == 1:
            scheduler.step()
        if log_after_step:
            writer.add_scalar("lr-SGD", optimizer.param_groups[0]["lr"], step)
        writer.add_scalar("loss", float((weights**2).sum()), step)
    writer.close()
    return choose(read_path(log_dir))


def findings(series, design):
    diagnosis = diagnose(series.steps, series.lr, design, series.unit)
    return diagnosis, [(f["type"], f.get("steps", f.get("factor", f.get("step")))) for f in diagnosis.findings]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("make", "design"), [(cosine_chain, DESIGN), (multistep_chain, MULTISTEP)])
class TestTorchSummaryWriter:
    def test_a_clean_run_matches(self, tmp_path, make, design):
        diagnosis, found = findings(torch_run(tmp_path, make), design)
        assert diagnosis.match and found == [], found

    def test_gradient_accumulation_stepping_per_micro_batch(self, tmp_path, make, design):
        diagnosis, found = findings(torch_run(tmp_path, make, accumulation=4), design)
        assert not diagnosis.match
        # Stepped 4 times before the first logged lr: the counter reads 4s + 4 at optimizer step s.
        assert found[0] == ("stretch", 4.0) or found[:2] == [("stretch", 4.0), ("restart", None)], found

    def test_logging_after_the_scheduler_step(self, tmp_path, make, design):
        diagnosis, found = findings(torch_run(tmp_path, make, log_after_step=True), design)
        assert found[0] == ("offset", 1), found

    def test_a_resume_that_rebuilt_the_scheduler(self, tmp_path, make, design):
        diagnosis, found = findings(torch_run(tmp_path, make, resume_at=400), design)
        assert diagnosis.first_mismatch == 400
        assert found == [("restart", 400)], found


# Hugging Face -------------------------------------------------------------------------------------
def trainer_state(path, accumulation=1, log_before_step=False, resume_at=None, logging_steps=5):
    """The scheduler stepped as Trainer steps it (once per optimizer step, after it) and its lr logged
    as Trainer logs it: ``scheduler.get_last_lr()`` at ``global_step`` into ``log_history``."""
    transformers = pytest.importorskip("transformers", reason="transformers is not installed (requirements-peers.txt)")
    weights = torch.nn.Parameter(torch.zeros(2))

    def build():
        optimizer = torch.optim.AdamW([weights], lr=BASE)
        return optimizer, transformers.get_cosine_schedule_with_warmup(optimizer, WARMUP, STEPS)

    optimizer, scheduler = build()
    history = []
    for global_step in range(1, STEPS + 1):
        if global_step - 1 == resume_at:
            optimizer, scheduler = build()
        before = scheduler.get_last_lr()[0]
        optimizer.step()
        for _ in range(accumulation):
            scheduler.step()
        if global_step % logging_steps == 0:
            lr = before if log_before_step else scheduler.get_last_lr()[0]
            history.append({"epoch": global_step / 30, "learning_rate": lr, "loss": 1.0, "step": global_step})
    path.write_text(json.dumps({"global_step": STEPS, "log_history": history}))
    return choose(read_path(path))


HF_DESIGN = from_config(
    DESIGN.to_config() | {"schedule": DESIGN.to_config()["schedule"] | {"warmup_start_lr": 0.0, "epsilon": 0.0}}
)


def test_hf_a_clean_run_matches(tmp_path):
    diagnosis, found = findings(trainer_state(tmp_path / "trainer_state.json"), HF_DESIGN)
    assert diagnosis.match and found == [], found


def test_hf_gradient_accumulation_stepping_per_micro_batch(tmp_path):
    _, found = findings(trainer_state(tmp_path / "trainer_state.json", accumulation=8), HF_DESIGN)
    assert found[0] == ("stretch", 8.0), found


def test_hf_lr_logged_before_the_scheduler_step(tmp_path):
    _, found = findings(trainer_state(tmp_path / "trainer_state.json", log_before_step=True), HF_DESIGN)
    assert found[0] == ("offset", -1), found


def test_hf_a_resume_without_the_scheduler_state(tmp_path):
    diagnosis, found = findings(trainer_state(tmp_path / "trainer_state.json", resume_at=300), HF_DESIGN)
    assert ("restart", 305) in found or ("restart", 300) in found, found
    assert diagnosis.first_mismatch in (300, 305)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("make", "kind"), [(cosine_chain, "cosine"), (multistep_chain, "multistep")])
def test_a_pytorch_chains_log_alone_is_recovered(tmp_path, make, kind):
    """No design given: the fit names the schedule PyTorch ran, exact at every logged step."""
    series = torch_run(tmp_path, make)
    fitted = fit(series.steps, series.lr, steps_per_epoch=30)
    assert fitted.matches and fitted.document["schedule"]["kind"] == kind, fitted.max_rel_error


def test_a_hugging_face_schedulers_log_alone_is_recovered(tmp_path):
    series = trainer_state(tmp_path / "trainer_state.json", logging_steps=1)
    fitted = fit(series.steps, series.lr, steps_per_epoch=30)
    assert fitted.matches and fitted.document["schedule"]["kind"] == "cosine", fitted.max_rel_error
