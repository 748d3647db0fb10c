"""The PyTorch adapter sets the engine's own lr at every step: exact, per group, resumable, compiled."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules
from schedules import ConfigError
from schedules.schedule import MAX_TOTAL_STEPS
from tests import ROOT
from tests.strategies import broken_documents, documents, json_scalars, json_values

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -r requirements-peers.txt)")
from frameworks.torch import ScheduleLR, to_torch  # noqa: E402  (after the skip: it imports torch)


def make(kind="cosine", steps_per_epoch=5, **fields):
    schedule = {"kind": kind, "base_lr": 0.1, "total_epochs": 6, "warmup_epochs": 1, "hold_epochs": 1, **fields}
    return schedules.from_config(
        {"format": "lr-schedule", "version": 1, "steps_per_epoch": steps_per_epoch, "schedule": schedule}
    )


def optimizer(groups=1, lr=0.5, cls=None):
    layers = [torch.nn.Linear(2, 2) for _ in range(groups)]
    return (cls or torch.optim.SGD)([{"params": layer.parameters()} for layer in layers], lr=lr)


def run(scheduler, steps):
    """Every group's lr before each of ``steps`` optimizer steps, as a (steps, groups) array."""
    lrs = []
    for _ in range(steps):
        lrs.append([float(group["lr"]) for group in scheduler.optimizer.param_groups])
        scheduler.optimizer.step()
        scheduler.step()
    return np.array(lrs)


def test_is_a_genuine_lr_scheduler():
    scheduler = to_torch(make(), optimizer())
    assert isinstance(scheduler, ScheduleLR)
    assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)


def test_the_engine_reaches_it_by_name():
    s = make()
    scheduler = s.to_torch(optimizer(groups=2), lr_multipliers=[1.0, 0.5])
    assert isinstance(scheduler, ScheduleLR)
    assert scheduler.lr_multipliers == [1.0, 0.5]


@pytest.mark.parametrize("kind", sorted(schedules.KINDS))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_lr_after_t_steps_is_lr_of_t_exactly(kind, data):
    s = schedules.from_config(data.draw(documents(kinds=(kind,), max_steps=400)))
    steps = s.total_steps + 3  # past the end it stays at lr(T)
    lrs = run(to_torch(s, optimizer(lr=123.0)), steps)  # the optimizer's own lr plays no part
    np.testing.assert_array_equal(lrs[:, 0], s.lr(np.arange(steps)))


def test_each_group_gets_its_multiplier():
    s = make()
    lrs = run(to_torch(s, optimizer(groups=3), lr_multipliers=[1.0, 0.1, 0]), s.total_steps)
    expected = s.lr(np.arange(s.total_steps))
    np.testing.assert_array_equal(lrs, np.stack([expected, expected * 0.1, expected * 0.0], axis=1))


def test_get_last_lr_and_a_jump_with_step_epoch_agree_with_the_engine():
    s = make()
    scheduler = to_torch(s, optimizer())
    run(scheduler, 7)
    assert scheduler.get_last_lr() == [float(s.lr(7))]
    with pytest.warns(UserWarning):  # PyTorch's deprecation of step(epoch)
        scheduler.step(20)
    assert scheduler.optimizer.param_groups[0]["lr"] == float(s.lr(20))


@pytest.mark.parametrize(
    ("multipliers", "message"),
    [
        ([1.0], "lr_multipliers: must give one factor per parameter group (2), got 1"),
        ([1.0, -0.5], "lr_multipliers[1]: must be a number ≥ 0, got -0.5"),
        ([1.0, float("inf")], "lr_multipliers[1]: must be a number ≥ 0, got inf"),
        ([True, 1.0], "lr_multipliers[0]: must be a number ≥ 0, got true"),
        ([1.0, 10**400], "lr_multipliers[1]: must be a number ≥ 0, got 100000000000…"),
        ([1.0, 1e31], "lr_multipliers[1]: must be 0 or between 1e-30 and 1e+30 in size, got 1e+31"),
        ("11", "lr_multipliers: must be a list of numbers, one per parameter group, got '11'"),
    ],
)
def test_bad_multipliers_are_one_sentence(multipliers, message):
    with pytest.raises(ConfigError) as error:
        to_torch(make(), optimizer(groups=2), lr_multipliers=multipliers)
    assert str(error.value) == message


def test_tensor_lr_is_filled_in_place():
    s = make()
    opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=torch.tensor(0.0, dtype=torch.float64))
    lr_tensor = opt.param_groups[0]["lr"]
    lrs = run(to_torch(s, opt), s.total_steps)
    assert opt.param_groups[0]["lr"] is lr_tensor
    np.testing.assert_array_equal(lrs[:, 0], s.lr(np.arange(s.total_steps)))


def test_state_dict_is_the_document_and_the_step(tmp_path):
    s = make()
    scheduler = to_torch(s, optimizer(groups=2), lr_multipliers=[1.0, 0.5])
    run(scheduler, 9)
    torch.save(scheduler.state_dict(), tmp_path / "sched.pt")
    state = torch.load(tmp_path / "sched.pt")  # weights_only=True: plain data only
    assert state == {"schedule": s.to_config(), "step": 9, "lr_multipliers": [1.0, 0.5]}

    again = to_torch(s, optimizer(groups=2), lr_multipliers=[1.0, 0.5])
    again.load_state_dict(state)
    assert [group["lr"] for group in again.optimizer.param_groups] == [float(s.lr(9)), float(s.lr(9)) * 0.5]
    assert again.get_last_lr() == scheduler.get_last_lr()
    np.testing.assert_array_equal(run(again, 5), run(scheduler, 5))


def observed(scheduler):
    """All a user can see of a scheduler: its state, its groups' lrs and its last lrs."""
    return scheduler.state_dict(), [group["lr"] for group in scheduler.optimizer.param_groups], scheduler.get_last_lr()


def assert_refused_and_unchanged(scheduler, state, field) -> str:
    """Loading ``state`` raises one ConfigError sentence naming ``field`` (returned), and the
    scheduler stays as it was."""
    before = observed(scheduler)
    with pytest.raises(ConfigError) as error:
        scheduler.load_state_dict(state)
    assert str(error.value).startswith(f"{field}: ")
    assert "\n" not in str(error.value)
    assert observed(scheduler) == before
    return str(error.value)


def stepped(s, steps=4, groups=1):
    """A scheduler ``steps`` steps into ``s``: a refused load must leave it there, not at step 0."""
    scheduler = to_torch(s, optimizer(groups=groups))
    run(scheduler, steps)
    return scheduler


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda state: state["schedule"]["schedule"].update(base_lr=0.2), "state_dict.schedule"),
        (lambda state: state.update(step=-1), "state_dict.step"),
        (lambda state: state.update(lr_multipliers=[0.5]), "state_dict.lr_multipliers"),
        (lambda state: state.update(lr_multipliers=[1.0, 1.0]), "state_dict.lr_multipliers"),
        (lambda state: state.pop("step"), "state_dict.step"),
        (lambda state: state["schedule"].update(version=2), "state_dict.schedule"),
    ],
)
def test_a_state_of_another_schedule_is_refused(change, field):
    s = make()
    state = to_torch(s, optimizer()).state_dict()
    change(state)
    assert_refused_and_unchanged(stepped(s), state, field)


def test_a_state_of_another_schedule_names_both():
    state = to_torch(make(base_lr=0.2), optimizer()).state_dict()
    with pytest.raises(ValueError, match=r"^state_dict.schedule: was saved for Schedule\(cosine: base_lr=0.2"):
        to_torch(make(), optimizer()).load_state_dict(state)


OPTIMIZERS = [torch.optim.SGD, torch.optim.AdamW]


def add_group(opt, lr=9.0):
    opt.add_param_group({"params": torch.nn.Linear(2, 2).parameters(), "lr": lr})


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_a_group_added_later_follows_the_schedule_from_the_next_step(cls):
    s = make()
    scheduler = to_torch(s, optimizer(groups=2, cls=cls), lr_multipliers=[1.0, 0.5])
    run(scheduler, 6)
    add_group(scheduler.optimizer, lr=9.0)
    assert scheduler.lr_multipliers == [1.0, 0.5, 1.0]

    lrs = run(scheduler, s.total_steps - 6 + 3)  # to past the end
    assert lrs[0].tolist() == [float(s.lr(6)), float(s.lr(6)) * 0.5, 9.0]  # as with any scheduler: until step()
    expected = s.lr(np.arange(7, s.total_steps + 3))
    np.testing.assert_array_equal(lrs[1:], np.stack([expected, expected * 0.5, expected], axis=1))
    assert scheduler.get_last_lr() == [float(s.lr(s.total_steps + 3)) * m for m in (1.0, 0.5, 1.0)]


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_a_state_with_a_group_added_later_round_trips(cls, tmp_path):
    s = make()
    scheduler = to_torch(s, optimizer(groups=2, cls=cls), lr_multipliers=[1.0, 0.5])
    run(scheduler, 4)
    add_group(scheduler.optimizer)
    run(scheduler, 5)
    torch.save({"optimizer": scheduler.optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "c.pt")
    checkpoint = torch.load(tmp_path / "c.pt")
    assert checkpoint["scheduler"]["lr_multipliers"] == [1.0, 0.5, 1.0]
    assert checkpoint["scheduler"]["step"] == 9

    again = to_torch(s, optimizer(groups=2, cls=cls), lr_multipliers=[1.0, 0.5])
    add_group(again.optimizer)  # the resumed run adds it before loading, as the optimizer's own state requires
    again.optimizer.load_state_dict(checkpoint["optimizer"])
    again.load_state_dict(checkpoint["scheduler"])
    assert again.state_dict() == scheduler.state_dict()
    assert again.get_last_lr() == scheduler.get_last_lr()
    np.testing.assert_array_equal(run(again, 5), run(scheduler, 5))


@pytest.mark.parametrize(
    ("saved_groups", "loading_groups", "message"),
    [
        (2, 3, "the state has 2 multipliers but the optimizer has 3 parameter groups"),
        (2, 1, "the state has 2 multipliers but the optimizer has 1 parameter group"),
    ],
)
def test_a_state_of_another_number_of_groups_is_refused_naming_add_param_group(saved_groups, loading_groups, message):
    s = make()
    state = to_torch(s, optimizer(groups=saved_groups)).state_dict()
    scheduler = stepped(s, groups=min(saved_groups, loading_groups))
    if loading_groups > saved_groups:
        add_group(scheduler.optimizer)
    assert assert_refused_and_unchanged(scheduler, state, "state_dict.lr_multipliers") == (
        f"state_dict.lr_multipliers: {message} (a group added with add_param_group on one side only?)"
    )


def replace(key, value):
    return lambda state: state.update({key: value})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (replace("step", 10**400), "state_dict.step"),
        (replace("step", MAX_TOTAL_STEPS + 1), "state_dict.step"),
        (replace("step", -1), "state_dict.step"),
        (replace("step", 1.5), "state_dict.step"),
        (replace("step", 3.0), "state_dict.step"),
        (replace("step", True), "state_dict.step"),
        (replace("step", "3"), "state_dict.step"),
        (replace("step", None), "state_dict.step"),
        (replace("lr_multipliers", [10**400]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", [-1]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", [float("nan")]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", [float("inf")]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", [1e31]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", [True]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", ["1"]), "state_dict.lr_multipliers[0]"),
        (replace("lr_multipliers", 1.0), "state_dict.lr_multipliers"),
        (replace("lr_multipliers", "1"), "state_dict.lr_multipliers"),
        (replace("lr_multipliers", {"0": 1.0}), "state_dict.lr_multipliers"),
        (replace("schedule", "cosine"), "state_dict.schedule"),
        (replace("schedule", None), "state_dict.schedule"),
        (lambda state: state.pop("schedule"), "state_dict.schedule"),
        (lambda state: state.pop("lr_multipliers"), "state_dict.lr_multipliers"),
        (replace("last_epoch", 3), "state_dict.last_epoch"),  # PyTorch's own key: not ours
        (replace(7, 3), "state_dict"),  # a key that is no name
        (lambda state: state.clear(), "state_dict.schedule"),
    ],
)
def test_a_tampered_state_is_one_sentence_and_changes_nothing(change, field):
    s = make()
    state = to_torch(s, optimizer()).state_dict()
    change(state)
    assert_refused_and_unchanged(stepped(s), state, field)


@pytest.mark.parametrize("state", [None, [], "state", 3, [("step", 3)]], ids=repr)
def test_a_state_that_is_not_an_object_is_one_sentence(state):
    assert_refused_and_unchanged(stepped(make()), state, "state_dict")


@pytest.mark.parametrize("step", [60, 61, 10_000, MAX_TOTAL_STEPS])
def test_a_step_past_the_schedule_end_resumes_at_the_final_lr(step):
    s = make()  # 30 steps
    scheduler = to_torch(s, optimizer())
    scheduler.load_state_dict(scheduler.state_dict() | {"step": step})
    assert scheduler.get_last_lr() == [float(s.lr(s.total_steps))]
    assert run(scheduler, 2).tolist() == [[float(s.lr(s.total_steps))]] * 2


# A valid state with one thing changed: a value replaced by any JSON-like value, a key dropped or
# added, or the whole state replaced.
@st.composite
def tampered_states(draw, valid_state):
    state = dict(valid_state)
    action = draw(st.sampled_from(["replace", "drop", "add", "whole", "broken schedule", "multiplier list"]))
    if action == "replace":
        state[draw(st.sampled_from(sorted(state)))] = draw(json_values)
    elif action == "drop":
        state.pop(draw(st.sampled_from(sorted(state))))
    elif action == "add":
        state[draw(st.text(max_size=12))] = draw(json_values)
    elif action == "whole":
        return draw(json_values)
    elif action == "broken schedule":
        state["schedule"] = draw(broken_documents())
    else:
        state["lr_multipliers"] = draw(st.lists(json_scalars, max_size=3))
    return state


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_tampered_state_loads_or_is_one_sentence(data):
    s = make()
    scheduler = stepped(s)
    state = data.draw(tampered_states(to_torch(s, optimizer()).state_dict()))
    before = observed(scheduler)
    try:
        scheduler.load_state_dict(state)
    except ConfigError as error:
        assert "\n" not in str(error)
        assert observed(scheduler) == before
    else:  # only a state this scheduler could have saved loads: a step of this schedule, multiplier 1
        assert scheduler.get_last_lr() == [float(s.lr(state["step"]))]


def test_importing_the_adapter_loads_neither_keras_nor_tensorboard():
    """frameworks.private holds Keras's and TensorBoard's corners too: the torch extra has neither."""
    loaded = "sorted({m.split('.')[0] for m in sys.modules} & {'keras', 'tensorflow', 'tensorboard'})"
    probe = f"import sys, frameworks.torch; print({loaded})"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def worker(tmp_path, name, *args):
    out = tmp_path / f"{name}.json"
    command = [sys.executable, "-m", "tests.frameworks.torch_worker", "--document", str(tmp_path / "doc.json")]
    result = subprocess.run([*command, "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def test_resume_in_a_new_process_continues_exactly(tmp_path):
    s = make("one_minus_sqrt", steps_per_epoch=7, warmup_epochs=1.5, hold_epochs=0.5)  # 42 steps
    (tmp_path / "doc.json").write_text(schedules.dumps(s))
    checkpoint = str(tmp_path / "ckpt.pt")
    unbroken = worker(tmp_path, "unbroken")
    first = worker(tmp_path, "first", "--stop", "17", "--checkpoint", checkpoint)
    second = worker(tmp_path, "second", "--checkpoint", checkpoint, "--resume")

    assert (first["start"], second["start"]) == (0, 17)
    lrs = np.array(first["lrs"] + second["lrs"])
    expected = s.lr(np.arange(s.total_steps))
    np.testing.assert_array_equal(lrs, np.stack([expected, expected * 0.5], axis=1))
    assert lrs.tolist() == unbroken["lrs"]
    assert second["weights"] == unbroken["weights"]  # the same training, bit for bit


@pytest.mark.parametrize("lr", [0.0, "tensor"], ids=["float-lr", "tensor-lr"])
def test_compiled_training_step_captures_the_optimizer_and_follows_the_schedule(lr):
    s = make(steps_per_epoch=4)
    lr = torch.tensor(0.0, dtype=torch.float64) if lr == "tensor" else lr
    model, twin = torch.nn.Linear(4, 1), torch.nn.Linear(4, 1)
    twin.load_state_dict(model.state_dict())
    opt, twin_opt = torch.optim.SGD(model.parameters(), lr=lr), torch.optim.SGD(twin.parameters())
    scheduler, twin_scheduler = to_torch(s, opt), to_torch(s, twin_opt)
    graphs = []

    def recording_backend(graph_module, example_inputs):  # what Dynamo captured, run as captured
        graphs.append(graph_module)
        return graph_module.forward

    def train_step(model, opt, x, y):
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        opt.zero_grad()

    compiled_step = torch.compile(train_step, backend=recording_backend)
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    for _ in range(s.total_steps):
        compiled_step(model, opt, x, y)
        scheduler.step()
        train_step(twin, twin_opt, x, y)  # the same step, eager
        twin_scheduler.step()
        torch.testing.assert_close(model.weight, twin.weight)  # the compiled update used the lr of its step
    captured = "\n".join(str(graph.graph) for graph in graphs)
    assert "lr" in captured  # the optimizer's update is inside a compiled graph
    assert len(graphs) <= 4  # a changing lr does not recompile every step
    assert float(opt.param_groups[0]["lr"]) == float(s.lr(s.total_steps))


@pytest.mark.slow
def test_inductor_compiled_step_reuses_its_code_while_the_lr_changes():
    s = make(steps_per_epoch=3)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=torch.tensor(0.0, dtype=torch.float64))
    scheduler = to_torch(s, opt)

    @torch.compile  # the default backend: Inductor generates and builds C++ for the CPU
    def train_step(x, y):
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        opt.zero_grad()

    x, y = torch.randn(8, 4), torch.randn(8, 1)
    lrs = [float(opt.param_groups[0]["lr"])]
    train_step(x, y)
    scheduler.step()
    with torch.compiler.set_stance("fail_on_recompile"):  # from here on, compiled code only
        for _ in range(s.total_steps - 1):
            lrs.append(float(opt.param_groups[0]["lr"]))
            train_step(x, y)
            scheduler.step()
    np.testing.assert_array_equal(lrs, s.lr(np.arange(s.total_steps)))
