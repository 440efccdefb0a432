"""A fourth analysis added by the README recipe ("Add an analysis") needs only its own package, its
notebook and its parameter file: the registry finds it, ``bigmed params`` lists its parameters, ``bigmed
run`` validates them and writes a complete output folder. The recipe is followed in a copy of the
package, so the test can show that nothing else in the copy changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # runs bigmed and a notebook kernel in subprocesses

#: the new analysis package: parameter model, result and analysis in contract.py (recipe step 1)
TOY_CONTRACT = '''"""Toy analysis: variants of a table at or above a quality."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import Field

from ..contract.base import Analysis, Result
from ..params import AnalysisParams, InputFile, SafeId


class VariantCountParams(AnalysisParams):
    """A table of variants (TSV with a ``qual`` column) and a quality threshold."""

    case_id: SafeId = Field(description="Case identifier.")
    table: InputFile = Field(description="Variants (TSV with columns variant, qual).")
    min_qual: int = Field(30, ge=0, description="Lowest quality counted.")


class VariantCountResult(Result):
    analysis = "variant_count"

    def summary(self) -> dict[str, Any]:
        return {"case_id": self.params.case_id, "n_variants": len(self.data),
                "n_passing": int((self.data["qual"] >= self.params.min_qual).sum()), "headline": self.headline}

    @property
    def headline(self) -> str:
        passing = int((self.data["qual"] >= self.params.min_qual).sum())
        return f"{passing} of {len(self.data)} variants have quality >= {self.params.min_qual}"

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"variants": self.data}


class VariantCount(Analysis):
    """Count the variants of a table that pass a quality threshold."""

    id = "variant_count"
    title = "Variant count: a toy analysis"
    params_model = VariantCountParams
    id_key = "case_id"
    summary_keys = ("n_variants", "n_passing")

    def needs_hail(self, params: VariantCountParams) -> bool:
        return False

    def analyse(self, params: VariantCountParams) -> VariantCountResult:
        return VariantCountResult(pd.read_csv(params.table, sep="\\t"), params=params)


ANALYSIS = VariantCount()
'''

#: the notebook (recipe step 2): parameters cell, validation, analyse, display, summary
TOY_CELLS = [
    ("parameters", 'case_id = "TOY1"\ntable = "variants.tsv"\nmin_qual = 30\ngenome_build = "GRCh38"\n'
                   "spark_master = None\ndriver_memory = None\npseudonymise = False"),
    ("report-hide", 'import bigmed_utils as bm\nfrom IPython.display import display\n\n'
                    'params = bm.params_from_namespace("variant_count", globals())'),
    (None, 'result = bm.analyse("variant_count", params)\ndisplay(result)'),
    ("report-hide", "_ = result.write_summary()"),
]


def _tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (compiled bytecode left out), by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for tag, source in TOY_CELLS:
        cell = nbformat.v4.new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A copy of the package and notebooks with the toy analysis added by the recipe; the file hashes of
    the copy before and after."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "bigmed_utils", root / "bigmed_utils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "parameters").mkdir()
    before = _tree(root)

    package = root / "bigmed_utils" / "variant_count"  # 1. the analysis package
    package.mkdir()
    (package / "__init__.py").write_text('"""The variant_count toy analysis."""\n')
    (package / "contract.py").write_text(TOY_CONTRACT)
    _notebook(root / "notebooks" / "variant_count.ipynb")  # 2. its notebook
    params = root / "parameters" / "variant_count"  # 3. its parameter file (and a small input)
    params.mkdir()
    (params / "variants.tsv").write_text("variant\tqual\n1:100:A:G\t50\n1:200:C:T\t12\n2:300:G:A\t30\n")
    (params / "demo.yaml").write_text("case_id: TOY1\ntable: variants.tsv\nmin_qual: 30\n")
    return root, before, _tree(root)


def _python(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "BIGMED_NOTEBOOKS_DIR": str(root / "notebooks")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=root, timeout=600)


def test_the_recipe_adds_only_the_package_the_notebook_and_the_parameter_file(project):
    _, before, after = project
    assert {k: v for k, v in after.items() if k in before} == before  # nothing existing was edited
    assert sorted(set(after) - set(before)) == [
        "bigmed_utils/variant_count/__init__.py",
        "bigmed_utils/variant_count/contract.py",
        "notebooks/variant_count.ipynb",
        "parameters/variant_count/demo.yaml",
        "parameters/variant_count/variants.tsv",
    ]


def test_the_registry_finds_and_validates_the_new_analysis(project):
    root, _, _ = project
    code = ("import bigmed_utils, json; from bigmed_utils.contract import analyses; "
            "from bigmed_utils.params import ANALYSES, validate_params; "
            "from bigmed_utils.errors import ParameterError\n"
            "try:\n    validate_params('variant_count', {'case_id': 'X', 'table': 'missing.tsv'})\n"
            "except ParameterError as err:\n    message = str(err)\n"
            "print(json.dumps([bigmed_utils.__file__, sorted(analyses()), 'variant_count' in ANALYSES, message]))")
    res = _python(root, "-c", code)
    assert res.returncode == 0, res.stderr
    where, found, in_params, message = json.loads(res.stdout)
    assert where == str(root / "bigmed_utils" / "__init__.py")  # the copy is the package imported
    assert found == ["colorectal_cancer", "colorectal_cohort", "rare_disease", "sudden_cardiac_death", "variant_count"]
    assert in_params
    assert message == "variant_count: parameter 'table': file not found: missing.tsv"


def test_bigmed_params_lists_the_new_parameters(project):
    root, _, _ = project
    res = _python(root, "-m", "bigmed_utils.cli", "params", "variant_count")
    assert res.returncode == 0, res.stderr
    assert re.search(r"^min_qual\s+int\s+\[default: 30\]$", res.stdout, re.M)
    assert "Lowest quality counted." in res.stdout


def test_bigmed_run_refuses_an_unknown_parameter_of_the_new_analysis(project, tmp_path):
    root, _, _ = project
    res = _python(root, "-m", "bigmed_utils.cli", "run", "variant_count", "--params",
                  str(root / "parameters" / "variant_count" / "demo.yaml"), "-p", "colour=red", "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert res.stderr.strip() == "bigmed: error: variant_count: unknown parameter 'colour'"


def test_bigmed_run_writes_a_complete_folder_for_the_new_analysis(project, tmp_path):
    root, _, _ = project
    out = tmp_path / "TOY1"
    res = _python(root, "-m", "bigmed_utils.cli", "run", "variant_count", "--params",
                  str(root / "parameters" / "variant_count" / "demo.yaml"), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"done: {out}/report.html"
    steps = [re.sub(r" [0-9.]+ s$", "", line) for line in res.stderr.strip().splitlines()]
    assert steps == [f"bigmed: variant_count: [{k}/7] {name}" for k, name in enumerate(
        ["validate parameters", "check inputs", "execute notebook", "check summary", "export report",
         "write provenance", "publish"], start=1)]
    assert {"notebook.ipynb", "report.html", "summary.json", "provenance.json"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["analysis"] == "variant_count"
    assert (summary["case_id"], summary["n_variants"], summary["n_passing"]) == ("TOY1", 3, 2)  # quals 50 and 30
    assert "2 of 3 variants have quality &gt;= 30" in (out / "report.html").read_text()
    assert not out.with_name("TOY1.failed").exists()
