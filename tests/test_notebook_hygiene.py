"""Analysis notebooks are committed without outputs or execution counts (patient data must never reach git),
start with a cell tagged ``parameters`` and validate their parameters in the next cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ANALYSIS_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def stored_output_cells(path: Path) -> list[int]:
    nb = nbformat.read(str(path), as_version=4)
    return [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def test_hygiene_check_catches_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    nbformat.write(nb, str(tmp_path / "dirty.ipynb"))
    assert stored_output_cells(tmp_path / "dirty.ipynb") == [1]


@pytest.mark.parametrize("path", ANALYSIS_NOTEBOOKS, ids=lambda p: p.name)
def test_analysis_notebook_is_committed_clean(path):
    assert stored_output_cells(path) == [], f"{path.name}: strip outputs (nbstripout) before committing"


@pytest.mark.parametrize("path", ANALYSIS_NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_tagged_parameters_and_next_validates(path):
    from bigmed_utils.params import ANALYSES

    code = [c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    if path.stem in ANALYSES:
        assert f'params_from_namespace("{path.stem}", globals())' in code[1].source
