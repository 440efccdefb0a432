"""Bad input gives one clear error naming the file, sample or term -- from analyse_case directly and through
``run_analysis``, which then leaves no output folder, only ``DIR.failed/error.txt``. Every one of these
fails before Hail starts (phenotypes, PED and the VCF header are checked first)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from bigmed_utils.errors import BigMedError, InputDataError
from bigmed_utils.params import validate_params
from bigmed_utils.rare_disease.analysis import analyse_case
from bigmed_utils.runner import run_analysis


@pytest.fixture(scope="module")
def rd(demo_data) -> Path:
    return demo_data / "rare_disease"


def _vcf_lines(rd: Path, n_records: int = 300) -> list[str]:
    out = []
    with gzip.open(rd / "RD001.vcf.gz", "rt") as fh:
        for line in fh:
            out.append(line)
            if not line.startswith("#"):
                n_records -= 1
                if n_records == 0:
                    break
    return out


@pytest.fixture(scope="module")
def bad_inputs(rd, tmp_path_factory) -> dict[str, tuple[dict, str]]:
    """name -> (parameters, regex the one-line error must match)."""
    d = tmp_path_factory.mktemp("bad_rd")
    base = {"case_id": "RD001", "vcf": str(rd / "RD001.vcf.gz"), "ped": str(rd / "RD001.ped"), "proband": "RD001-P",
            "phenopacket": str(rd / "RD001.phenopacket.json")}
    lines = _vcf_lines(rd)

    no_proband = d / "no_proband.vcf"
    no_proband.write_text("".join(l.replace("RD001-P", "RD001-X") if l.startswith("#CHROM") else l for l in lines))

    extra_ped = d / "extra_member.ped"
    extra_ped.write_text((rd / "RD001.ped").read_text() + "RD001\tRD001-S\tRD001-F\tRD001-M\t1\t1\n")

    no_csq = d / "no_csq.vcf"
    no_csq.write_text("".join(l for l in lines if not l.startswith("##INFO=<ID=CSQ")))

    truncated = d / "truncated.vcf.gz"
    data = (rd / "RD001.vcf.gz").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])

    return {
        "vcf_without_proband": ({**base, "vcf": str(no_proband)},
                                r"no_proband\.vcf: proband 'RD001-P' is not a sample of the VCF"),
        "ped_sample_absent": ({**base, "ped": str(extra_ped)},
                              r"extra_member\.ped: samples 'RD001-S' of the PED are absent from the VCF"),
        "vcf_without_csq": ({**base, "vcf": str(no_csq)}, r"no_csq\.vcf: no VEP CSQ annotation"),
        "unknown_hpo_term": ({**base, "phenopacket": None, "hpo_terms": ["HP:0001250", "HP:9999999"]},
                             r"parameter hpo_terms: unknown HPO term HP:9999999"),
        "truncated_vcf": ({**base, "vcf": str(truncated)}, r"truncated\.vcf\.gz: truncated bgzip file"),
    }


CASES = ["vcf_without_proband", "ped_sample_absent", "vcf_without_csq", "unknown_hpo_term", "truncated_vcf"]


@pytest.mark.parametrize("name", CASES)
def test_analyse_case_names_the_fault(bad_inputs, name):
    values, pattern = bad_inputs[name]
    params = validate_params("rare_disease", values)
    with pytest.raises(InputDataError) as err:
        analyse_case(params)
    message = str(err.value)
    assert re.search(pattern, message), message
    assert "\n" not in message


@pytest.mark.parametrize("name", CASES)
def test_runner_leaves_no_output_folder(bad_inputs, name, tmp_path):
    values, pattern = bad_inputs[name]
    out = tmp_path / "run"
    with pytest.raises(BigMedError) as err:
        run_analysis("rare_disease", out=out, params={k: v for k, v in values.items() if v is not None})
    assert re.search(pattern, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)
    assert not out.exists()
    assert not out.with_name("run.partial").exists()
    first_line = (out.with_name("run.failed") / "error.txt").read_text().splitlines()[0]
    assert re.search(pattern, first_line), first_line
    assert "InputDataError" in first_line
