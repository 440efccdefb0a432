"""In-house variant database on two synthetic cases: add (versioned, atomic), lookup, similar cases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bigmed_utils.genomics import inhouse_db
from bigmed_utils.errors import InputDataError


def _run_dir(root: Path, rd: Path, case: str, truth: pd.DataFrame, *, acmg_class: str) -> Path:
    """A minimal finished run folder of ``bigmed run rare_disease`` for ``case`` (summary + provenance)."""
    t = truth.set_index("case").loc[case]
    run = root / f"run_{case}"
    run.mkdir()
    variants = t["variants"].split(",")
    summary = {
        "analysis": "rare_disease",
        "case_id": case,
        "proband": f"{case}-P",
        "headline": f"{t['gene']} {variants[0]} — {acmg_class}",
        "phenotypes": {"observed": t["hpo_terms"].split(","), "excluded": []},
        "candidates": [
            {"rank": i + 1, "gene": t["gene"], "variant": v, "mode": t["mode"], "acmg_class": acmg_class}
            for i, v in enumerate(variants)
        ],
    }
    (run / "summary.json").write_text(json.dumps(summary))
    params = {"vcf": str(rd / f"{case}.vcf.gz"), "proband": f"{case}-P", "genome_build": "GRCh38"}
    (run / "provenance.json").write_text(json.dumps({"analysis": "rare_disease", "parameters": params}))  # as the runner writes it
    return run


@pytest.fixture(scope="module")
def db(demo_data, hail_session, tmp_path_factory):
    rd = demo_data / "rare_disease"
    truth = pd.read_csv(rd / "truth.tsv", sep="\t", comment="#")
    root = tmp_path_factory.mktemp("inhouse")
    path = root / "db"
    first = inhouse_db.add_case(path, _run_dir(root, rd, "RD001", truth, acmg_class="Likely pathogenic"))
    second = inhouse_db.add_case(path, _run_dir(root, rd, "RD011", truth, acmg_class="Pathogenic"))
    return {"path": path, "first": first, "second": second, "truth": truth, "rd": rd, "root": root}


def test_versions_and_case_table(db):
    assert db["first"].version == "v000001" and db["second"].version == "v000002"
    assert db["second"].n_cases == 2 and not db["second"].replaced
    assert db["second"].n_variants > 10_000  # every non-reference call of the proband, not only candidates
    assert (db["path"] / "CURRENT").read_text().strip() == "v000002"
    cases = inhouse_db.read_cases(db["path"])
    assert list(cases["case_id"]) == ["RD001", "RD011"]
    assert cases.set_index("case_id").at["RD001", "candidate_genes"] == ["SCN1A"]
    assert db["second"].message.startswith("added case RD011 (")


def test_lookup_counts_and_previous_class(db):
    scn1a = "chr2:165987183:C:T"  # RD001's planted de novo variant (truth.tsv)
    hits = inhouse_db.lookup(db["path"], [scn1a, "chr1:1:A:G"]).set_index("variant_id")
    assert hits.at[scn1a, "inhouse_count"] == 1
    assert hits.at[scn1a, "inhouse_het"] == 1 and hits.at[scn1a, "inhouse_hom"] == 0
    assert hits.at[scn1a, "inhouse_classes"] == ["Likely pathogenic (RD001)"]
    assert hits.at["chr1:1:A:G", "inhouse_count"] == 0
    # the case under analysis is left out of its own lookup
    again = inhouse_db.lookup(db["path"], [scn1a], exclude_case="RD001")
    assert int(again["inhouse_count"].iloc[0]) == 0


def test_shared_population_variant_counts_both_cases(db):
    import hail as hl

    folder = inhouse_db.current_version(db["path"])
    variants = hl.read_table(str(folder / "variants.ht"))
    both = variants.filter(variants.n_cases == 2).head(1).collect()
    assert both, "the two synthetic families share common population variants"
    vid = both[0].variant_id
    hit = inhouse_db.lookup(db["path"], [vid])
    assert int(hit["inhouse_count"].iloc[0]) == 2


def test_similar_cases_by_phenotype_and_gene(db):
    truth = db["truth"].set_index("case")
    # an epilepsy patient (RD001's phenotypes) with SCN1A among their candidates: RD001 first, with the bonus
    sim = inhouse_db.similar_cases(db["path"], truth.at["RD001", "hpo_terms"].split(","), ["SCN1A", "TTN"])
    assert list(sim["case_id"]) == ["RD001", "RD011"]
    top = sim.iloc[0]
    assert top["shared_genes"] == ["SCN1A"]
    assert top["match"] == pytest.approx(top["similarity"] + inhouse_db.SHARED_GENE_BONUS)
    assert sim.iloc[1]["n_shared_genes"] == 0
    assert inhouse_db.similar_cases(db["path"], ["HP:0001250"], [], exclude_case="RD001")["case_id"].tolist() == ["RD011"]


def test_re_adding_a_case_replaces_it(db, tmp_path):
    run = _run_dir(tmp_path, db["rd"], "RD001", db["truth"], acmg_class="Pathogenic")
    res = inhouse_db.add_case(db["path"], run)
    assert res.replaced and res.n_cases == 2 and res.version == "v000003"
    hits = inhouse_db.lookup(db["path"], ["chr2:165987183:C:T"])
    assert int(hits["inhouse_count"].iloc[0]) == 1
    assert hits["inhouse_classes"].iloc[0] == ["Pathogenic (RD001)"]
    # two versions kept: the current one and the one before
    assert sorted(p.name for p in db["path"].iterdir() if p.name.startswith("v")) == ["v000002", "v000003"]


def test_not_a_run_folder(tmp_path, hail_session):
    with pytest.raises(InputDataError, match="not a finished run folder"):
        inhouse_db.add_case(tmp_path / "db", tmp_path)
