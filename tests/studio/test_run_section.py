"""The run section: the run read from the controls, exact unit conversions, what derive() sets
before the controls are drawn, the controls it arranges, and the batch-size scaling sentence."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedules
from schedules.budget import Run
from schedules.schedule import epochs_to_steps
from studio import design, run_section

IMAGENET = {
    "run_enabled": True,
    "run_dataset_size": 1_281_167,
    "run_micro_batch": 64,
    "run_gradient_accumulation": 4,
    "run_devices": 8,
}
TOKENS = {
    "run_enabled": True,
    "run_dataset_size": 10_000_000,
    "run_unit": "tokens",
    "run_sequence_length": 2048,
    "run_micro_batch": 8,
}


def state(**changes):
    """The page's control values: the designer's and the run section's defaults, then ``changes``."""
    return design.DEFAULTS | run_section.DEFAULTS | changes


def settle(values, rounds=3):
    """derive() applied as the page applies it, rerun after rerun (it must reach a fixed point)."""
    for _ in range(rounds):
        derived = run_section.derive(values)
        values = values | derived.updates
    return values, derived


class TestCheckedRun:
    def test_a_valid_run_gives_its_steps_per_epoch(self):
        run = run_section.checked_run(state(**IMAGENET))
        assert (run.global_batch, run.steps_per_epoch) == (2048, 625)

    def test_a_dataset_smaller_than_one_global_batch_is_the_engines_sentence(self):
        with pytest.raises(schedules.ConfigError) as raised:
            run_section.checked_run(state(**IMAGENET | {"run_dataset_size": 1000}))
        assert str(raised.value) == (
            "run.dataset_size: 1,000 samples are fewer than one global batch (2,048): with drop_last no step would run"
        )

    def test_a_bad_field_is_named(self):
        with pytest.raises(schedules.ConfigError) as raised:
            run_section.checked_run(state(**IMAGENET | {"run_devices": 0}))
        assert raised.value.field == "run.devices"

    def test_the_run_object_is_the_documents(self):
        values = state(**TOKENS)
        assert run_section.run_config(values) == design.document(values)["run"]
        assert "sequence_length" not in run_section.run_config(state(**IMAGENET))


class TestConversions:
    RUN = Run(dataset_size=1_281_167, micro_batch=64, gradient_accumulation=4, devices=8)

    def test_one_epoch_in_each_unit(self):
        tokens = Run(10_000_000, 8, unit="tokens", sequence_length=2048)
        assert [run_section.per_epoch(unit, 625, self.RUN) for unit in ("epochs", "steps", "samples")] == [
            1,
            625,
            625 * 2048,
        ]
        assert run_section.per_epoch("tokens", 610, tokens) == 610 * 8 * 2048

    def test_samples_and_tokens_need_a_run(self):
        with pytest.raises(ValueError, match="unit: samples needs a run"):
            run_section.per_epoch("samples", 10)

    @given(steps=st.integers(0, 10**9), steps_per_epoch=st.integers(1, 10**6))
    def test_steps_become_exactly_those_steps_in_the_engine(self, steps, steps_per_epoch):
        epochs = run_section.to_epochs(steps, "steps", steps_per_epoch)
        assert epochs_to_steps(epochs, steps_per_epoch) == steps
        assert run_section.from_epochs(epochs, "steps", steps_per_epoch) == steps

    @given(
        amount=st.integers(0, 10**15),
        steps_per_epoch=st.integers(1, 10**5),
        batch=st.integers(1, 10**4),
        unit=st.sampled_from(["samples", "tokens"]),
        length=st.integers(1, 4096),
    )
    def test_samples_and_tokens_are_one_correctly_rounded_division_and_come_back(
        self, amount, steps_per_epoch, batch, unit, length
    ):
        run = Run(10**12, batch, unit="tokens", sequence_length=length)
        epochs = run_section.to_epochs(amount, unit, steps_per_epoch, run)
        assert epochs == float(Fraction(amount, run_section.per_epoch(unit, steps_per_epoch, run)))
        assert run_section.from_epochs(epochs, unit, steps_per_epoch, run) == amount
        if unit == "tokens":  # the engine's own token budget, at the run's own steps per epoch
            assert run_section.to_epochs(amount, unit, run.steps_per_epoch, run) == run.epochs_for_tokens(amount)

    @given(samples=st.integers(0, 10**12), steps_per_epoch=st.integers(1, 10**5), batch=st.integers(1, 10**4))
    def test_the_engine_steps_of_an_amount_in_samples_are_within_half_a_step(self, samples, steps_per_epoch, batch):
        run = Run(10**12, batch)
        epochs = run_section.to_epochs(samples, "samples", steps_per_epoch, run)
        assert abs(epochs_to_steps(epochs, steps_per_epoch) - Fraction(samples, batch)) <= Fraction(1, 2) + Fraction(
            1, 10**6
        )


class TestDerive:
    def test_with_the_section_off_nothing_changes_but_units_no_longer_offered(self):
        values = state(x_unit="samples", phase_unit="tokens", run_total_unit="tokens")
        derived = run_section.derive(values)
        assert derived.updates == {
            "x_unit": "epochs",
            "phase_unit": "epochs",
            "run_total_unit": "epochs",
            "mirror_seen_warmup_epochs": None,
            "mirror_seen_hold_epochs": None,
            "mirror_seen_total_epochs": None,
        }
        assert derived.run is None and derived.problem is None and derived.units == ("epochs", "steps")

    def test_a_run_sets_and_locks_the_steps_per_epoch(self):
        derived = run_section.derive(state(**IMAGENET))
        assert derived.updates["steps_per_epoch"] == 625 and derived.units == ("epochs", "steps", "samples")
        assert "1,281,167 samples ÷ (64 × 4 accumulation × 8 devices) = 625" in derived.locked["steps_per_epoch"]

    def test_a_bad_run_is_its_problem_and_sets_nothing(self):
        derived = run_section.derive(state(**IMAGENET | {"run_micro_batch": 10**6}))
        assert derived.problem.field == "run.dataset_size" and derived.run is None
        assert "steps_per_epoch" not in derived.updates and "steps_per_epoch" not in derived.locked

    def test_warmup_in_steps_starts_from_the_epochs_then_leads(self):
        values, derived = settle(state(phase_unit="steps"))  # 5 and 10 epochs at 100 steps per epoch
        assert (values["warmup_amount"], values["hold_amount"]) == (500, 1000)
        assert values["warmup_epochs"] == 5.0 and derived.notes["warmup_amount"] == "500 steps = 5 epochs."
        values, _ = settle(values | {"warmup_amount": 250})
        assert values["warmup_epochs"] == 2.5
        values, _ = settle(values | {"steps_per_epoch": 1000})  # the amount stays in its unit
        assert (values["warmup_amount"], values["warmup_epochs"]) == (250, 0.25)

    def test_epochs_set_elsewhere_carry_into_the_amount(self):
        values, _ = settle(state(phase_unit="steps"))
        values, _ = settle(values | {"warmup_epochs": 7.0})  # a preset, an import or a link
        assert (values["warmup_amount"], values["warmup_epochs"]) == (700, 7.0)

    def test_a_unit_chosen_again_starts_from_the_current_epochs(self):
        values, _ = settle(state(phase_unit="steps"))
        values, _ = settle(values | {"phase_unit": "epochs"})
        values, _ = settle(values | {"steps_per_epoch": 200})
        values, _ = settle(values | {"phase_unit": "steps"})
        assert (values["warmup_amount"], values["warmup_epochs"]) == (1000, 5.0)

    def test_warmup_in_samples_stays_fixed_when_the_devices_change(self):
        values, derived = settle(state(**IMAGENET, phase_unit="samples"))
        values, derived = settle(values | {"warmup_amount": 2_048_000})  # 1,000 steps of 2,048
        assert values["warmup_epochs"] == 1.6 and derived.notes["warmup_amount"].endswith("(1,000 steps).")
        values, derived = settle(values | {"run_devices": 16})  # batch 4,096, 312 steps per epoch
        assert values["warmup_amount"] == 2_048_000
        assert values["warmup_epochs"] == 2_048_000 / (312 * 4096)
        doc = schedules.from_config(design.document(values))
        assert doc.warmup_steps == 500

    def test_an_amount_waits_while_the_run_does_not_read(self):
        values, _ = settle(state(**IMAGENET, phase_unit="samples"))
        broken, derived = settle(values | {"run_dataset_size": 10, "warmup_amount": 1})
        assert derived.problem is not None and broken["warmup_epochs"] == values["warmup_epochs"]

    def test_a_token_budget_sets_and_locks_the_total_epochs(self):
        values, derived = settle(state(**TOKENS, run_total_unit="tokens"))
        assert values["run_token_budget"] == 100 * 610 * 8 * 2048  # the 100 epochs it started from
        values, derived = settle(values | {"run_token_budget": 20_000_000_000})
        run = run_section.checked_run(values)
        assert values["total_epochs"] == run.epochs_for_tokens(20_000_000_000)
        assert derived.locked["total_epochs"] == "Set by the token budget in the run section."
        assert derived.notes["run_token_budget"] == (
            f"20,000,000,000 tokens = {values['total_epochs']:.6g} epochs (1,220,703 steps): "
            "the total epochs follow the budget."
        )
        assert derived.units == ("epochs", "steps", "samples", "tokens")

    def test_tokens_are_not_offered_for_a_dataset_in_samples(self):
        derived = run_section.derive(state(**IMAGENET, x_unit="tokens", run_total_unit="tokens"))
        assert derived.updates["x_unit"] == "epochs" and derived.updates["run_total_unit"] == "epochs"


class TestControls:
    def test_run_controls_follow_the_field_rules(self):
        made = {item.key: item for item in run_section.run_controls(state(**IMAGENET))}
        assert list(made) == [
            "run_dataset_size",
            "run_unit",
            "run_micro_batch",
            "run_gradient_accumulation",
            "run_devices",
            "run_drop_last",
        ]
        assert made["run_dataset_size"].label == "Dataset size (samples)"
        assert made["run_dataset_size"].options["max_value"] == 10**15  # billions of tokens fit
        assert (made["run_unit"].widget, made["run_drop_last"].widget) == ("radio", "checkbox")

    def test_the_sequence_length_only_for_tokens(self):
        keys = [item.key for item in run_section.run_controls(state(**TOKENS))]
        assert "run_sequence_length" in keys

    def test_derived_controls_are_disabled_with_the_reason(self):
        from studio import controls

        values = state(**IMAGENET)
        derived = run_section.derive(values)
        shown, _ = controls.split(controls.common_controls("cosine", values))
        (steps,) = [item for item in run_section.arrange(shown, values, derived) if item.key == "steps_per_epoch"]
        assert steps.options["disabled"] and steps.options["help"].startswith("Derived from the run section")

    def test_warmup_and_hold_as_amounts_behind_their_unit(self):
        from studio import controls

        values = state(phase_unit="steps")
        shown, _ = controls.split(controls.common_controls("cosine", values))
        arranged = run_section.arrange(shown, values, run_section.derive(values))
        assert [(item.key, item.label) for item in arranged][1:6] == [
            ("total_epochs", "Total epochs"),
            ("steps_per_epoch", "Steps per epoch"),
            ("phase_unit", "Warm-up and hold in"),
            ("warmup_amount", "Warm-up steps"),
            ("hold_amount", "Hold steps"),
        ]
        epochs = run_section.arrange(shown, state(), run_section.derive(state()))
        assert [item.key for item in epochs][4:6] == ["warmup_epochs", "hold_epochs"]

    def test_a_kind_without_warmup_disables_its_unit_too(self):
        from studio import controls

        values = state(kind="one_cycle", phase_unit="steps")
        shown, _ = controls.split(controls.common_controls("one_cycle", values))
        arranged = {item.key: item for item in run_section.arrange(shown, values, run_section.derive(values))}
        assert arranged["phase_unit"].options["disabled"] and arranged["warmup_amount"].options["disabled"]

    def test_total_in_tokens_only_for_a_dataset_in_tokens(self):
        assert run_section.total_controls(state(**IMAGENET), run_section.derive(state(**IMAGENET))) == []
        values = state(**TOKENS, run_total_unit="tokens")
        keys = [item.key for item in run_section.total_controls(values, run_section.derive(values))]
        assert keys == ["run_total_unit", "run_token_budget"]


class TestScaling:
    def test_the_linear_rule_with_its_numbers(self):
        assert run_section.scaling(0.1, 256, 2048, "linear") == (0.8, "linear rule: 0.1 × 2048 / 256 = 0.8")

    def test_the_square_root_rule_with_its_numbers(self):
        lr, sentence = run_section.scaling(0.1, 256, 2048, "sqrt")
        assert lr == pytest.approx(0.1 * 8**0.5) and sentence == "square-root rule: 0.1 × √(2048 / 256) = 0.282843"

    @given(reference=st.floats(1e-6, 1.0), batch=st.integers(1, 10**6), reference_batch=st.integers(1, 10**6))
    def test_the_same_batch_keeps_the_lr_and_the_rules_agree_on_it(self, reference, batch, reference_batch):
        assert run_section.scaling(reference, batch, batch, "linear")[0] == reference
        assert run_section.scaling(reference, batch, batch, "sqrt")[0] == reference
        linear, root = (run_section.scaling(reference, reference_batch, batch, rule)[0] for rule in ("linear", "sqrt"))
        assert root == pytest.approx((linear * reference) ** 0.5)  # √ of the linear factor


def test_the_chart_falls_back_to_epochs_without_the_run_it_needs():
    samples = Run(50_000, 128)
    assert run_section.chart_unit("steps", None) == "steps"
    assert run_section.chart_unit("samples", None) == "epochs"
    assert run_section.chart_unit("samples", samples) == "samples"
    assert run_section.chart_unit("tokens", samples) == "epochs"


def test_a_loaded_document_keeps_its_epochs_even_where_they_equal_the_old_ones():
    values, _ = settle(state(phase_unit="steps"))  # 5 epochs = 500 steps at 100 steps per epoch
    loaded = values | {"steps_per_epoch": 200, "warmup_epochs": 5.0}  # a preset at 200 steps per epoch
    unaware, _ = settle(loaded)
    assert unaware["warmup_epochs"] == 2.5  # the 500 steps would have won: why LOADED exists
    values, _ = settle(loaded | run_section.LOADED)
    assert (values["warmup_epochs"], values["warmup_amount"]) == (5.0, 1000)
