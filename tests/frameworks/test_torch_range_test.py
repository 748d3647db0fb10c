"""The PyTorch range test in real training: suggestions, accumulation, NaN and divergence, and the
model and optimizer left exactly as they were."""

import copy

import numpy as np
import pytest

from schedules import range_test as rt

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -r requirements-peers.txt)")
from frameworks.torch import lr_range_test  # noqa: E402  (after the skip: it imports torch)


def blobs(seed=0, points=512):
    """Four Gaussian blobs in 8 dimensions: a problem a small MLP learns in a few hundred steps."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 2, (4, 8))
    labels = rng.integers(0, 4, points)
    inputs = centers[labels] + rng.normal(0, 1, (points, 8))
    dataset = torch.utils.data.TensorDataset(torch.tensor(inputs, dtype=torch.float32), torch.tensor(labels))
    return torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True)


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))


class Counting:
    """A loader that counts the batches drawn from it."""

    def __init__(self, loader):
        self.loader, self.batches = loader, 0

    def __iter__(self):
        for batch in self.loader:
            self.batches += 1
            yield batch


def test_a_real_range_test_finds_an_lr_that_trains():
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    result = lr_range_test(model, optimizer, blobs(), torch.nn.functional.cross_entropy, steps=150)
    assert "stopped at lr" in result.curves[0].stopped  # the loss exploded before 10
    assert np.nanmin(result.losses) < 0.5 * result.losses[0]
    for name in rt.SUGGESTIONS:
        assert 1e-5 < result.suggestions[name] < 3.0, name
    assert result.to_json()["source"] == "torch"


def test_the_model_and_optimizer_are_left_as_they_were():
    model, loader = mlp(), blobs()
    optimizer = torch.optim.Adam([{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 3e-3}])
    for inputs, targets in list(loader)[:3]:  # a trained state: Adam's moments and step counts exist
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    weights, state = copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())
    rng = torch.random.get_rng_state()

    lr_range_test(model, optimizer, loader, torch.nn.functional.cross_entropy, steps=40, seeds=[0, 1])

    assert not model.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, weights[name]), name
    after = optimizer.state_dict()
    assert [group["lr"] for group in after["param_groups"]] == [1e-3, 3e-3]
    assert after["state"].keys() == state["state"].keys()
    for index, slots in state["state"].items():
        for slot, value in slots.items():
            assert torch.equal(after["state"][index][slot], value), (index, slot)
    assert torch.equal(torch.random.get_rng_state(), rng)


def test_accumulation_counts_optimizer_steps_not_batches():
    model, loader = mlp(), Counting(blobs())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    stepped_at = []
    optimizer.register_step_post_hook(lambda opt, *_: stepped_at.append(opt.param_groups[0]["lr"]))
    result = lr_range_test(
        model, optimizer, loader, torch.nn.functional.cross_entropy, end_lr=1e-2, steps=30, accumulation_steps=4
    )
    assert len(stepped_at) == 30 and loader.batches == 120  # 4 batches for each of 30 optimizer steps
    np.testing.assert_allclose(stepped_at, rt.sweep(1e-7, 1e-2, 30))
    assert result.lrs.size == 30 and result.settings.accumulation_steps == 4


def test_a_nan_loss_stops_the_test_and_is_left_out_of_the_suggestions():
    model, calls = mlp(), []

    def poisoned(outputs, targets):
        calls.append(1)
        loss = torch.nn.functional.cross_entropy(outputs, targets)
        return loss * float("nan") if len(calls) > 60 else loss

    result = lr_range_test(model, torch.optim.SGD(model.parameters(), lr=0.1), blobs(), poisoned, steps=100)
    assert result.losses.size == 61 and np.isnan(result.losses[-1])
    assert "not a finite number" in result.curves[0].stopped
    assert all(lr is None or np.isfinite(lr) for lr in result.suggestions.values())
    assert result.suggestions["minimum"] is not None
    assert rt.loads(result.dumps()).suggestions == result.suggestions  # NaN travels as null


def test_divergence_stops_the_test_and_the_file_reads_back(tmp_path):
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    path = tmp_path / "range.json"
    result = lr_range_test(
        model, optimizer, blobs(), torch.nn.functional.cross_entropy, end_lr=1e3, steps=120, path=path
    )
    assert result.lrs.size < 120 and "stopped at lr" in result.curves[0].stopped
    back = rt.loads(path.read_bytes())
    assert back.suggestions == result.suggestions and back.source == "torch"
