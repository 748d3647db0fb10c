"""The v1 format's field tables, generated from the catalog so the docs never drift from the rules."""

from __future__ import annotations

import inspect
from pathlib import Path

from schedules import COMMON_FIELDS, KINDS
from schedules.budget import RUN_FIELDS
from schedules.fields import Field

WARMUP_TEXT = (
    "The warm-up rises from `warmup_start_lr` to `base_lr`: along a straight line "
    '(`warmup_shape` "linear", the default), along half a cosine, gentle at both ends '
    '("cosine": warmup_start_lr + (base_lr − warmup_start_lr) · ½(1 − cos(π t / W))), or along a '
    'logarithm, steep at first ("log", DeepSpeed\'s: warmup_start_lr + (base_lr − warmup_start_lr) · '
    "log(max(t, 1)) / log(W)). The hold "
    "keeps `base_lr`; then the kind's decay runs over the remaining steps, with `e` the steps since "
    "the decay began, `D` its length and `p = clamp(e / D, 0, 1)`. After the last step the lr stays "
    "where it ended."
)


class _Reads(dict):
    """A mapping that remembers which keys a default asked for (and answers each with its name)."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def __getitem__(self, key):
        self.asked.append(key)
        return key


def default_text(field: Field) -> str:
    """A field's default as a person reads it: "required", the value, or — for a default computed
    from another field — "as <that field>".

    >>> default_text(KINDS["cyclic"].fields[2]), default_text(KINDS["cyclic"].fields[4])
    ('as cycle_up_epochs', '1.0')
    """
    if field.required:
        return "required"
    if callable(field.default):
        reads = _Reads()
        field.default(reads)
        return "as " + " and ".join(reads.asked) if reads.asked else "computed"
    return str(field.default)


def field_rows(fields: tuple[Field, ...]) -> list[dict[str, str]]:
    """One row per field: name, rule, default, unit and meaning."""
    return [
        {
            "field": field.name,
            "rule": field.rule.describe,
            "default": default_text(field),
            "unit": "epochs" if field.duration else "",
            "meaning": field.help,
        }
        for field in fields
    ]


def kind_sections() -> list[tuple[str, str, list[dict[str, str]]]]:
    """(kind name, title, rows of its own fields) for every kind, and its formula's docstring summary."""
    return [(kind.name, kind.title, field_rows(kind.fields)) for kind in KINDS.values()]


def formula(kind_name: str) -> str:
    """The formula of a kind, from its docstring: the text after the summary, up to the peers it
    matches (or its example), without the docstring's reStructuredText quoting (````name````)."""
    lines = inspect.cleandoc(KINDS[kind_name].build_decay.__doc__ or "").splitlines()
    body = []
    for line in lines[2:]:
        if line.startswith(("Matches", ">>>")):
            break
        body.append(line)
    return "\n".join(body).strip().replace("``", "")


COMMON_ROWS = field_rows(COMMON_FIELDS)
RUN_ROWS = field_rows(RUN_FIELDS)
RUN_TEXT = (
    "The optional `run` object says how the run consumes its data. One optimizer step takes the global "
    "batch B = `micro_batch` × `gradient_accumulation` × `devices` samples, so `steps_per_epoch` must be "
    "⌊samples / B⌋ with `drop_last`, ⌈samples / B⌉ without (a token dataset counts ⌊tokens / "
    "`sequence_length`⌋ samples)."
)


FRAMEWORK_NAMES = {
    "keras": "Keras",
    "pytorch": "PyTorch",
    "optax": "optax",
    "huggingface": "Hugging Face",
    "deepspeed": "DeepSpeed",
}
CATALOG_START, CATALOG_END = "<!-- catalog:start -->", "<!-- catalog:end -->"


def equals_text(kind_name: str) -> str:
    """The frameworks' own classes a kind equals (tested step for step), with when.

    >>> equals_text("multistep")
    'Keras `PiecewiseConstantDecay` (no warm-up or hold); PyTorch `MultiStepLR` (no warm-up, hold or ε)'
    """
    return "; ".join(
        f"{FRAMEWORK_NAMES[peer.framework]} `{peer.short_name}`" + (f" ({peer.when})" if peer.when else "")
        for peer in KINDS[kind_name].peers
    )


def kinds_rows() -> list[dict[str, str]]:
    """The reference page's overview of the kinds: each one's name and the classes it equals."""
    return [
        {"kind": f"{kind.title} (`{kind.name}`)", "equals (tested step for step)": equals_text(kind.name) or "—"}
        for kind in KINDS.values()
    ]


def catalog_markdown() -> str:
    """The documentation's catalog table (``docs/catalog.md``), one row per kind, written from the
    registry: its fields and their rules, the decay's formula (the first line of its docstring's),
    and the frameworks' own classes it equals, with when."""
    rows = ["| kind | fields | decay | equals (tested step for step) |", "|---|---|---|---|"]
    for kind in KINDS.values():
        fields = ", ".join(
            f"`{field.name}` {field.rule.describe}" + ("" if field.required else f" (default {default_text(field)})")
            for field in kind.fields
        )
        decay = formula(kind.name).splitlines()[0].removeprefix("lr(e) = ").strip()
        equals = equals_text(kind.name)
        rows.append(f"| `{kind.name}` | {fields or '—'} | {decay} | {equals} |")
    return "\n".join(rows)


def rewrite_catalog(page_path: str) -> None:
    """Put :func:`catalog_markdown` between the catalog markers of a page (``tasks.py docs``)."""
    page = Path(page_path)
    before, rest = page.read_text().split(CATALOG_START)
    page.write_text(f"{before}{CATALOG_START}\n{catalog_markdown()}\n{CATALOG_END}{rest.split(CATALOG_END)[1]}")
