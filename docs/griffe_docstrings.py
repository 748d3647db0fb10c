"""A griffe extension for the API reference: the docstrings are written for ``help()`` and the
doctests (reStructuredText roles, bare ``>>>`` examples), and read as Markdown here.

- a doctest (``>>>`` lines, their ``...`` continuations and their output, up to a blank line)
  becomes a ``pycon`` code block, so its output is not read as Markdown (``[0.0, 0.5]`` is no link);
- a role (``:func:`name```, ``:class:`~a.b```) becomes the code span of its name.

mkdocs.yml loads it (the python handler's ``extensions`` option).
"""

from __future__ import annotations

import re

import griffe

ROLE = re.compile(r":(?:func|class|meth|data|attr|mod|exc|obj):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    """Wrap every doctest of ``text`` in a ``pycon`` fence at its own indentation.

    >>> fence_doctests("Adds.\\n\\n>>> 1 + 1\\n2\\n\\nDone.").splitlines()
    ['Adds.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    indent = None  # the open doctest's indentation, or None outside one
    for line in text.splitlines():
        stripped = line.lstrip()
        if indent is None and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
        elif indent is not None and not stripped:
            out.append(f"{indent}```")
            indent = None
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DocstringsAsMarkdown(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(ROLE.sub(r"`\1`", obj.docstring.value))
