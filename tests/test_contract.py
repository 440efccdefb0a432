"""The analysis contract: the registry finds the four analyses, ``bm.analyse`` checks the inputs before it
starts Hail and starts it once, a result writes its summary and shows itself in JupyterLab."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import bigmed_utils as bm
from bigmed_utils.contract import Analysis, Result, analyses, base, get_analysis
from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.params import ANALYSES, ColorectalCohortParams, RareDiseaseParams

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_the_registry_finds_each_analysis_package_and_its_notebook():
    found = analyses()
    assert sorted(found) == ["colorectal_cancer", "colorectal_cohort", "rare_disease", "sudden_cardiac_death"]
    for name, analysis in found.items():
        assert type(analysis).__module__ == f"bigmed_utils.{name}.contract"  # packages named after the ids
        assert (NOTEBOOKS / f"{analysis.spec.notebook}.ipynb").is_file()
        assert ANALYSES[name] == analysis.spec  # params.ANALYSES is the registry
    assert ANALYSES["sudden_cardiac_death"].id_key == "family_id"
    assert bm.analyses().keys() == found.keys()


def test_an_unknown_analysis_names_the_known_ones():
    with pytest.raises(ParameterError) as err:
        get_analysis("nosuch")
    assert str(err.value) == ("unknown analysis 'nosuch' (known: colorectal_cancer, colorectal_cohort, rare_disease, "
                              "sudden_cardiac_death)")


@pytest.fixture
def no_hail(monkeypatch):
    """Record start_hail calls (the parameters; ``bounded`` in ``no_hail.bounded``) instead of starting Hail."""
    class Calls(list):
        bounded: list[bool] = []

    calls = Calls()
    calls.bounded = []

    def record(params, *, bounded=False):
        calls.append(params)
        calls.bounded.append(bounded)

    monkeypatch.setattr(base, "start_hail", record)
    return calls


def test_a_bad_phenotype_fails_before_hail_starts(tmp_path, no_hail):
    (tmp_path / "x.vcf").write_text("##fileformat=VCFv4.2\n")
    (tmp_path / "x.ped").write_text("F1\tP\t0\t0\t1\t2\n")
    params = RareDiseaseParams(case_id="X", vcf=tmp_path / "x.vcf", ped=tmp_path / "x.ped", proband="P",
                               hpo_terms=["HP:9999999"])
    with pytest.raises(InputDataError, match="HP:9999999"):
        bm.analyse("rare_disease", params)
    assert no_hail == []


class _Toy(Analysis):
    id = "colorectal_cohort"  # borrows a registered id so that its summary keys are checked
    title = "toy"
    params_model = ColorectalCohortParams
    uses: list[str] = []

    def check(self, params):
        self.uses.append("check")

    def analyse(self, params):
        self.uses.append("analyse")
        return _ToyResult(pd.DataFrame({"gene": ["KRAS", "BRAF"], "n": [3, 1]}), params=params)


class _ToyResult(Result):
    analysis = "colorectal_cohort"

    def summary(self):
        return {"case_id": self.params.case_id, "n_patients": 4, "km": {}, "cox": {}, "log_rank": [],
                "headline": self.headline}

    @property
    def headline(self):
        return "4 patients <KRAS & BRAF>"

    @property
    def tables(self):
        return {"genes": self.data}


def test_run_checks_then_starts_hail_once_then_analyses(tmp_path, no_hail):
    (tmp_path / "c.maf").write_text("x")
    (tmp_path / "clin.csv").write_text("x")
    toy = _Toy()
    params = {"maf": str(tmp_path / "c.maf"), "clinical": str(tmp_path / "clin.csv")}
    result = toy.run(params)
    assert toy.uses == ["check", "analyse"]
    assert len(no_hail) == 1 and isinstance(no_hail[0], ColorectalCohortParams)  # validated before Hail
    assert no_hail.bounded == [False]  # an analysis's Hail work is not known to be bounded unless it says so
    assert result.columns.tolist() == ["gene", "n"]  # the wrapped object's attributes read through


def test_a_result_writes_its_summary_and_shows_headline_and_tables(tmp_path):
    params = ColorectalCohortParams(maf=Path(__file__), clinical=Path(__file__))
    result = _ToyResult(pd.DataFrame({"gene": ["KRAS"], "n": [3]}), params=params)
    path = result.write_summary(tmp_path)
    written = json.loads(path.read_text())
    assert written["analysis"] == "colorectal_cohort" and written["n_patients"] == 4
    assert {k: v for k, v in written.items() if k not in ("analysis", "bigmed_utils_version")} == result.summary()
    shown = result._repr_html_()
    assert "4 patients &lt;KRAS &amp; BRAF&gt;" in shown  # escaped
    assert "<h4>genes</h4>" in shown and "<td>KRAS</td>" in shown


@pytest.mark.parametrize(("source", "bounded"), [("cache", True), ("first pass", True), ("whole VCF", False)])
def test_rare_disease_work_is_bounded_unless_it_imports_the_whole_vcf(demo_data, monkeypatch, source, bounded):
    from types import SimpleNamespace

    from bigmed_utils.io.first_pass import FamilyTables

    monkeypatch.setattr(FamilyTables, "start", classmethod(lambda cls, **kw: SimpleNamespace(source=source)))
    case = demo_data / "rare_disease"
    params = RareDiseaseParams(case_id="RD001", vcf=case / "RD001.vcf.gz", ped=case / "RD001.ped", proband="RD001-P",
                               hpo_terms=["HP:0001250"])
    assert get_analysis("rare_disease").bounded_hail_work(params) is bounded


@pytest.mark.parametrize(("bounded", "one_case", "c1_only"), [(True, "1", True), (True, None, False), (False, "1", False)])
def test_only_a_one_case_kernel_starts_the_jvm_with_c1_only(monkeypatch, bounded, one_case, c1_only):
    """C1 only (no optimising compiler) for bounded work in a `bigmed run` kernel, never in a session that may
    go on to long work (JupyterLab, a script)."""
    from bigmed_utils import hail_session

    seen: list[dict] = []
    monkeypatch.setattr(hail_session, "init_hail", lambda **kw: seen.append(kw))
    if one_case is None:
        monkeypatch.delenv(hail_session.ENV_ONE_CASE, raising=False)
    else:
        monkeypatch.setenv(hail_session.ENV_ONE_CASE, one_case)
    params = ColorectalCohortParams(maf=Path(__file__), clinical=Path(__file__), driver_memory="3g")
    base.start_hail(params, bounded=bounded)
    assert seen == [{"spark_master": None, "driver_memory": "3g", "c1_only": c1_only}]
