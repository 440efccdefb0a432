"""Population frequency: grpmax over non-bottlenecked gnomAD groups, then FAF95, gnomAD AF, MAX_AF; the
source recorded per variant; the cheap prefilter agrees with the full parse."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.genomics.acmg import classify_variants
from bigmed_utils.genomics.csq import (
    AF_SOURCE_LABELS,
    GRPMAX_EXCLUDED_GROUPS,
    GRPMAX_GROUPS,
    af_field_kind,
    may_be_rare,
)
from bigmed_utils.io.vcf import read_vcf

GROUPS = ["AFR", "AMR", "ASJ", "EAS", "FIN", "MID", "NFE", "REMAINING", "SAS"]
FIELDS = (["Allele", "Consequence", "SYMBOL", "Feature", "CANONICAL", "MAX_AF", "gnomADe_AF"]
          + [f"gnomADe_{g}_AF" for g in GROUPS] + ["gnomADg_AF", "gnomADg_AMI_AF", "gnomADg_NFE_AF", "gnomAD_faf95_popmax"])


def test_grpmax_groups_are_gnomads():
    # gnomad_methods gnomad/resources/grch38/gnomad.py: POPS_TO_REMOVE_FOR_POPMAX
    assert set(GRPMAX_EXCLUDED_GROUPS) == {"asj", "fin", "oth", "ami", "mid", "remaining"}
    assert set(GRPMAX_GROUPS) == {"afr", "amr", "eas", "nfe", "sas"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [("gnomADe_AFR_AF", "grpmax"), ("gnomADg_NFE_AF", "grpmax"), ("gnomAD_SAS_AF", "grpmax"),
     ("gnomAD_exomes_EAS_AF", "grpmax"), ("GNOMADAF_popmax", "grpmax"), ("gnomad_popmax_af", "grpmax"),
     ("gnomADe_FIN_AF", "bottlenecked"), ("gnomADg_AMI_AF", "bottlenecked"), ("gnomADe_ASJ_AF", "bottlenecked"),
     ("gnomADe_MID_AF", "bottlenecked"), ("gnomADe_REMAINING_AF", "bottlenecked"), ("gnomAD_OTH_AF", "bottlenecked"),
     ("gnomAD_faf95_popmax", "faf95"), ("fafmax_faf95_max", "faf95"), ("gnomADe_AF", "gnomad"),
     ("gnomAD_exomes_AF", "gnomad"), ("GNOMADAF", "gnomad"), ("MAX_AF", "max_af"), ("EXACMAX_AF", "max_af"),
     ("AFR_AF", None), ("SYMBOL", None)],
)
def test_af_field_kind(name, kind):
    assert af_field_kind(name) == kind


def _entry(alt: str, *, max_af="", e="", groups=None, g="", ami="", g_nfe="", faf="") -> str:
    groups = groups or {}
    vals = [alt, "missense_variant", "GENE1", "ENST1", "YES", max_af, e] + [groups.get(x, "") for x in GROUPS]
    return "|".join(vals + [g, ami, g_nfe, faf])


ROWS = {
    # Finnish founder: FIN 0.08 (and "remaining" 0.002) left out; grpmax = NFE 1e-4
    "chr1:1000:A:G": _entry("G", max_af="0.08", e="0.004", groups={"AFR": "2e-05", "FIN": "0.08", "NFE": "0.0001",
                                                                  "REMAINING": "0.002", "SAS": "3e-05"}),
    # common in a non-bottlenecked group (and genome NFE higher than exome): grpmax = 0.09
    "chr1:2000:C:T": _entry("T", max_af="0.09", e="0.03", groups={"AFR": "0.06", "NFE": "0.01"}, g="0.04",
                            g_nfe="0.09"),
    # Amish only (bottlenecked): no grpmax value; FAF95 present
    "chr1:3000:G:A": _entry("A", max_af="0.2", g="0.001", ami="0.2", faf="0.0004"),
    # only the overall gnomAD AF
    "chr1:4000:T:C": _entry("C", max_af="0.3", e="0.0002"),
    # only VEP's MAX_AF (e.g. from 1000 Genomes)
    "chr1:5000:A:C": _entry("C", max_af="0.004"),
    # absent everywhere
    "chr1:6000:C:G": _entry("G"),
}


@pytest.fixture(scope="module")
def af_rows(tmp_path_factory, hail_session):
    path = tmp_path_factory.mktemp("af") / "af.vcf"
    header = ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=248956422>",
              '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: '
              + "|".join(FIELDS) + '">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1"]
    lines = ["\t".join([v.split(":")[0], v.split(":")[1], ".", v.split(":")[2], v.split(":")[3], "50", "PASS",
                        f"CSQ={csq}", "GT", "0/1"]) for v, csq in ROWS.items()]
    path.write_text("\n".join(header + lines) + "\n")
    mt = read_vcf(path)
    return mt, {r.variant_id: r for r in mt.rows().collect()}


def test_source_order_and_values(af_rows):
    _, r = af_rows
    grpmax, faf, gnomad, max_af = (AF_SOURCE_LABELS[k] for k in ("grpmax", "faf95", "gnomad", "max_af"))
    expected = {
        "chr1:1000:A:G": (1e-4, grpmax, 1e-4, False),
        "chr1:2000:C:T": (0.09, grpmax, 0.09, False),
        "chr1:3000:G:A": (4e-4, faf, None, False),
        "chr1:4000:T:C": (2e-4, gnomad, None, False),
        "chr1:5000:A:C": (4e-3, max_af, None, False),
        "chr1:6000:C:G": (0.0, grpmax, None, True),  # absent: the best source the file offers is named
    }
    got = {v: (row.max_af, row.af_source, row.popmax_af, row.af_missing) for v, row in r.items()}
    assert got.keys() == expected.keys()
    for v, (af, source, popmax, missing) in expected.items():
        assert got[v][0] == pytest.approx(af), v
        assert got[v][1:] == (source, popmax if popmax is None else pytest.approx(popmax), missing), v
    assert r["chr1:3000:G:A"].faf95 == pytest.approx(4e-4)


def test_prefilter_keeps_exactly_the_rare_rows(af_rows):
    mt, r = af_rows
    for ceiling in (0.001, 0.005, 0.05):
        kept = set(mt.filter_rows(may_be_rare(mt, fields=FIELDS, max_af=ceiling)).variant_id.collect())
        assert kept == {v for v, row in r.items() if row.max_af <= ceiling}, ceiling


def test_a_founder_variant_is_not_ba1_while_the_max_af_reading_would_be(af_rows):
    _, r = af_rows
    row = r["chr1:1000:A:G"]
    base = {"variant_id": row.variant_id, "gene": "GENE1", "consequence": "missense_variant",
            "mode": "autosomal_recessive"}
    by_grpmax = classify_variants(pd.DataFrame([{**base, "max_af": row.max_af}])).iloc[0]
    by_max_af = classify_variants(pd.DataFrame([{**base, "max_af": 0.08}])).iloc[0]  # VEP's MAX_AF (Finnish)
    assert [c["code"] for c in by_grpmax["acmg_criteria"]] == ["PM2_Supporting"]
    assert by_max_af["acmg_class"] == "Benign" and by_max_af["acmg_codes"] == "BA1"
