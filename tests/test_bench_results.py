"""benchmarks/RESULTS.md keeps every part when it is rewritten: the generated tables, the hand-written findings
and the sections other scripts own (the phenopacket benchmark's, which once vanished when an edited
FINDINGS.md was pasted over the end of the file)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def run_all(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import run_all as module

    yield module
    sys.modules.pop("run_all", None)
    sys.modules.pop("measure", None)


PHENO = "<!-- phenopacket-decoys:begin -->\n## Published patients\n| all | 93 % |\n<!-- phenopacket-decoys:end -->"


def test_findings_edit_keeps_generated_part_and_other_sections(run_all, tmp_path):
    results, findings = tmp_path / "RESULTS.md", tmp_path / "FINDINGS.md"
    results.write_text("# Benchmarks\n\n| (a) | 12.8 |\n")
    findings.write_text("## Findings\n\nfirst version\n")
    run_all.splice_findings(results, findings, previous=f"# old\n\n{PHENO}\n")
    findings.write_text("## Findings\n\nsecond version\n")
    run_all.splice_findings(results, findings)
    run_all.splice_findings(results, findings)  # idempotent
    text = results.read_text()
    assert text == ("# Benchmarks\n\n| (a) | 12.8 |\n\n"
                    f"{run_all.FINDINGS_BEGIN}\n## Findings\n\nsecond version\n{run_all.FINDINGS_END}\n\n{PHENO}\n")


def test_a_new_bench_run_keeps_the_phenopacket_section_of_the_file_it_replaces(run_all, tmp_path):
    results, findings = tmp_path / "RESULTS.md", tmp_path / "FINDINGS.md"
    findings.write_text("## Findings\n\nnotes\n")
    old = f"# Benchmarks\n\n| (a) | 13.0 |\n\n{run_all.FINDINGS_BEGIN}\nold notes\n{run_all.FINDINGS_END}\n\n{PHENO}\n"
    results.write_text("# Benchmarks\n\n| (a) | 12.8 |\n")  # what make bench writes before splicing
    run_all.splice_findings(results, findings, previous=old)
    text = results.read_text()
    assert text.count(PHENO) == 1 and "old notes" not in text and "13.0" not in text
    assert text.index("| (a) | 12.8 |") < text.index("notes\n") < text.index(PHENO)


def test_committed_results_hold_every_section():
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    for marker in ("findings", "phenopacket-decoys"):
        assert text.count(f"<!-- {marker}:begin -->") == 1 == text.count(f"<!-- {marker}:end -->"), marker
    assert "## Compound heterozygotes of the WGS trio before and after the consequence gate" in text


def test_a_repeated_step_reports_the_median_run_and_the_largest_memory(run_all):
    from measure import Measurement, median_of

    runs = [Measurement("(c) x", 23.6, 30.0, 1200, 0, "slow"), Measurement("(c) x", 16.6, 20.0, 1300, 0, "fast"),
            Measurement("(c) x", 19.4, 25.0, 1250, 0, "middle")]
    m = median_of(runs)
    assert (m.wall_s, m.cpu_s, m.peak_rss_mb, m.stdout, m.walls) == (19.4, 25.0, 1300, "middle", (23.6, 16.6, 19.4))
    assert median_of(runs[:1]).walls == (23.6,)
    assert median_of([*runs[:2], Measurement("(c) x", 1.0, 1.0, 1, 1)]).returncode == 1  # a failed run shows
