"""The `bigmed` command is a thin, discoverable layer: help texts, parameter listing, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIGMED = str(Path(sys.executable).with_name("bigmed"))


def bigmed(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([BIGMED, *args], capture_output=True, text=True, timeout=timeout)


def test_help_lists_every_command():
    res = bigmed("--help")
    assert res.returncode == 0
    for command in ("run", "batch", "params", "synth", "demo", "lab", "export", "audit", "inhouse"):
        assert f"  {command} " in res.stdout


def test_run_help_documents_the_contract():
    res = bigmed("run", "--help")
    assert res.returncode == 0
    for option in ("--params", "--out", "--force", "-p, --param"):
        assert option in res.stdout


def test_params_lists_types_defaults_and_help():
    res = bigmed("params", "rare_disease")
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    vcf = next(l for l in lines if l.startswith("vcf "))
    assert "file" in vcf and "(required)" in vcf
    min_gq = next(l for l in lines if l.startswith("min_gq "))
    assert "int" in min_gq and "[default: 20]" in min_gq
    assert lines.index(vcf) < lines.index(next(l for l in lines if l.startswith("spark_master ")))


def test_unknown_analysis_is_one_line_exit_2():
    res = bigmed("params", "nosuch")
    assert res.returncode == 2
    assert res.stderr.strip().startswith("bigmed: error: unknown analysis 'nosuch' (known: colorectal_cancer,")


def test_run_without_parameters_is_a_usage_error(tmp_path):
    res = bigmed("run", "rare_disease", "--out", str(tmp_path / "x"))
    assert res.returncode == 2
    assert "give --params FILE or at least one -p key=value" in res.stderr
    assert not (tmp_path / "x").exists()


def test_version():
    from bigmed_utils import __version__

    res = bigmed("--version")
    assert res.stdout.strip() == f"bigmed, version {__version__}"


@pytest.mark.parametrize("first", ["bigmed_utils.cli, bigmed_utils.runner", "bigmed_utils"])
def test_the_command_does_not_build_the_iri_grammar_of_jsonschema(first):
    """`bigmed` (papermill's runner) and a kernel that imports bigmed_utils and then hail (whose plotly imports
    nbformat under IPython) import jsonschema without rfc3987-syntax's Lark grammar (1-2 s each), and
    jsonschema still validates a notebook (its iri format checker is simply absent)."""
    code = (f"import sys, {first}, nbformat, jsonschema; "
            "nbformat.validate(nbformat.v4.new_notebook()); "
            "print(sys.modules['rfc3987_syntax'] is None, 'iri' in jsonschema.FormatChecker().checkers)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["True", "False"]
