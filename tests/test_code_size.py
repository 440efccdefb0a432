"""Modules a newcomer can read: every module of bigmed_utils has at most 600 lines and every function at most
120 lines, unless the line before its ``def`` (or its first decorator) is a ``# size: <reason>`` comment."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bigmed_utils"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def long_functions(path: Path, *, limit: int = MAX_FUNCTION_LINES) -> list[tuple[int, str, int]]:
    """``(line, name, length)`` of every function of ``path`` longer than ``limit`` lines without a
    ``# size:`` comment on the line before it (decorators count as part of the function)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for node in ast.walk(ast.parse("\n".join(lines), filename=str(path))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        length = node.end_lineno - start + 1
        before = lines[start - 2].strip() if start >= 2 else ""
        if length > limit and not before.startswith("# size:"):
            out.append((node.lineno, node.name, length))
    return out


def test_every_module_has_at_most_600_lines():
    offenders = []
    for path in _modules():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES:
            offenders.append(f"{path.relative_to(PACKAGE.parent)}: {n} lines")
    assert not offenders, "modules over 600 lines (split them by concern):\n" + "\n".join(offenders)


def test_every_function_has_at_most_120_lines_or_says_why():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line} {name}: {length} lines"
                 for path in _modules() for line, name, length in long_functions(path)]
    assert not offenders, ("functions over 120 lines (split into named steps, or put a '# size: <reason>' "
                           "comment on the line before the def):\n" + "\n".join(offenders))


def test_the_size_check_sees_a_long_function_and_its_reason(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(125))
    plain = tmp_path / "plain.py"
    plain.write_text(f"import os\n\n\ndef long():\n{body}\n")
    reasoned = tmp_path / "reasoned.py"
    reasoned.write_text(f"import os\n\n\n# size: one table of constants\n@staticmethod\ndef long():\n{body}\n")
    assert long_functions(plain) == [(4, "long", 126)]
    assert long_functions(reasoned) == []
