"""tools/compare_summaries.py: the normaliser drops only run-specific keys, and the diff names every changed,
missing and added key of hand-made summaries (the runs themselves are the lead's: docs/developing.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("compare_summaries", REPO / "tools" / "compare_summaries.py")
cs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cs)


def _summary(**changes):
    summary = {
        "analysis": "sudden_cardiac_death", "bigmed_utils_version": "0.1.0", "family_id": "SCD02",
        "headline": "MYBPC3 frameshift, report in /tmp/run-1/SCD02/report.html",
        "qtc": {"SCD02-201": {"date": "2017-01-19", "bazett": 452.1, "n_visits": 3}},
        "candidates": [{"gene": "MYBPC3", "acmg_class": "Pathogenic"}, {"gene": "MYH7", "acmg_class": "VUS"}],
        "provenance": {"versions": {"hail": "0.2.139"}, "host": "lab-07", "duration_s": 12.5,
                       "started_at": "2026-12-06T04:00:00"},
        "similar_families": [],
    }
    summary.update(changes)
    return summary


def test_normalise_drops_versions_times_and_host_and_keeps_clinical_dates():
    out = cs.normalise(_summary(), roots={"<out>": "/tmp/run-1", "<tmp>": "/tmp"})
    assert "bigmed_utils_version" not in out
    assert out["provenance"] == {}  # versions, host, duration_s, started_at: all run-specific
    assert out["qtc"]["SCD02-201"] == {"date": "2017-01-19", "bazett": 452.1, "n_visits": 3}  # an ECG date
    assert out["headline"] == "MYBPC3 frameshift, report in <out>/SCD02/report.html"  # longest root first
    assert out["similar_families"] == []


def test_normalised_runs_from_other_folders_and_versions_are_identical():
    a = cs.normalise(_summary(), roots={"<out>": "/tmp/run-1"})
    b = cs.normalise(_summary(bigmed_utils_version="0.2.0",
                              headline="MYBPC3 frameshift, report in /scratch/x/SCD02/report.html"),
                     roots={"<out>": "/scratch/x"})
    assert cs.diff(a, b) == []


def test_diff_names_each_changed_missing_and_added_key():
    before = _summary()
    after = _summary(candidates=[{"gene": "MYBPC3", "acmg_class": "Likely pathogenic"}], new_key=[1, 2])
    after["qtc"]["SCD02-201"]["bazett"] = 452.2
    lines = cs.diff(before, after)
    assert lines == [
        'qtc.SCD02-201.bazett: 452.1 -> 452.2',
        'candidates[0].acmg_class: "Pathogenic" -> "Likely pathogenic"',
        'candidates[1].gene: missing (was "MYH7")',
        'candidates[1].acmg_class: missing (was "VUS")',
        'new_key[0]: added (1)',
        'new_key[1]: added (2)',
    ]


def test_diff_is_exact_unless_a_float_tolerance_is_given():
    assert cs.diff({"p": 1}, {"p": 1.0}) == ["p: 1 -> 1.0"]  # an int turned float is a change in JSON
    assert cs.diff({"kinship": 0.2112676056}, {"kinship": 0.21126760560000002}) != []
    assert cs.diff({"kinship": 0.2112676056}, {"kinship": 0.21126760560000002}, rtol=1e-9) == []
    assert cs.diff({"kinship": 0.21}, {"kinship": 0.22}, rtol=1e-9) == ["kinship: 0.21 -> 0.22"]
    assert cs.diff({"flags": []}, {"flags": ["low call rate"]}) == [
        "flags: missing (was [])", 'flags[0]: added ("low call rate")']


def _write(folder: Path, **summaries) -> Path:
    folder.mkdir()
    (folder / cs.MANIFEST).write_text(json.dumps({"git_commit": "x"}))  # not compared
    for name, summary in summaries.items():
        (folder / f"{name}.json").write_text(json.dumps(summary))
    return folder


def test_diff_folders_counts_changed_missing_and_new_summaries(tmp_path):
    base = _write(tmp_path / "base", sudden_cardiac_death=_summary(), rare_disease={"case_id": "RD001"},
                  colorectal_cancer={"patient_id": "CRC0040"})
    other = _write(tmp_path / "other", sudden_cardiac_death=_summary(family_id="SCD03"),
                   rare_disease={"case_id": "RD001"}, colorectal_cohort={"case_id": "crc_cohort"})
    total, report = cs.diff_folders(base, other)
    assert total == 3
    assert report == [
        "colorectal_cancer.json: no summary (the run failed or the case is gone)",
        "rare_disease.json: identical",
        "sudden_cardiac_death.json: 1 difference(s)",
        '  family_id: "SCD02" -> "SCD03"',
        "colorectal_cohort.json: not in the baseline",
    ]


@pytest.mark.parametrize(("family", "code"), [("SCD02", 0), ("SCD03", 1)])
def test_diff_command_exits_1_on_any_difference(tmp_path, capsys, family, code):
    base = _write(tmp_path / "base", sudden_cardiac_death=_summary())
    other = _write(tmp_path / "other", sudden_cardiac_death=_summary(family_id=family))
    assert cs.main(["diff", str(base), str(other)]) == code
    assert capsys.readouterr().out.endswith(f"{code} difference(s)\n")


def test_extra_cases_exist_and_differ_from_the_demo():
    extras = cs.extra_cases()
    assert sorted(extras) == ["rare_disease-RD003", "sudden_cardiac_death-SCD01"]
    for analysis, path in extras.values():
        assert path.is_file()
        assert path.read_text() != (path.parent / "demo.yaml").read_text()
