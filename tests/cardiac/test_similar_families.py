"""Similar earlier families: same variant before same gene before same condition, with phenotypes and
segregation from the earlier family's summary."""

from __future__ import annotations

from bigmed_utils.cardiac.similar_families import record_from_summary, similar_families
from bigmed_utils.case_store import add_records


def summary(fid, findings, *, affected=0, deceased=0, lod=None, meioses=0, qtc=None, flag=None):
    cascade = [{"person": f"{fid}-{i}", "phenotype_status": "affected" if i < affected else "unaffected",
                "deceased": i < deceased} for i in range(6)]
    seg = None if lod is None else {"variant": findings[0]["variant"], "informative_meioses": meioses, "lod": lod,
                                     "evidence": "PP1" if lod >= 0.9 else None, "bs4": False,
                                     "affected_carriers": [f"{fid}-{i}" for i in range(meioses)],
                                     "affected_non_carriers": [], "unaffected_carriers": [], "obligate_carriers": []}
    return {"family_id": fid, "proband": f"{fid}-P", "findings": findings, "cascade": cascade, "segregation": seg,
            "qtc": {f"{fid}-P": {"bazett": qtc, "flag": flag}} if qtc else {},
            "hcm_risk_scd": {"percent": None}, "headline": f"{fid} headline"}


def f(gene, variant, cls="Likely pathogenic", cond="long_qt", familial=True):
    return {"gene": gene, "variant": variant, "hgvsc": None, "hgvsp": None, "acmg_class": cls, "condition": cond,
            "familial": familial}


def test_best_match_first_with_phenotypes_and_segregation(tmp_path):
    store = tmp_path / "scd"
    add_records(store, "sudden_cardiac_death", [record_from_summary(s) for s in [
        summary("F1", [f("KCNQ1", "chr11:100:C:T")], affected=3, deceased=1, lod=0.9, meioses=3, qtc=492.4,
                flag="prolonged"),
        summary("F2", [f("KCNQ1", "chr11:555:G:A")], affected=1),
        summary("F3", [f("KCNH2", "chr7:1:G:C")]),
        summary("F4", [f("MYH7", "chr14:9:C:T", cond="hcm")]),
        summary("F5", [f("KCNQ1", "chr11:100:C:T", "Uncertain significance", familial=False),
                       f("SCN5A", "chr3:7:A:T", cond="brugada")]),
        summary("NEW", [f("KCNQ1", "chr11:100:C:T")]),  # the family being reported, already in the store
    ]])
    out = similar_families(store, [f("KCNQ1", "chr11:100:C:T")], exclude="NEW")
    assert out[["family", "match"]].values.tolist() == [
        ["F1", "same variant"], ["F5", "same variant"], ["F2", "same gene"], ["F3", "same condition"]]
    assert out.attrs == {"store_version": "v000001", "n_earlier": 5}
    row = out.iloc[0]
    assert row["phenotypes"] == "long QT syndrome; 3 of 6 relatives affected; 1 deceased; proband QTc 492 ms (prolonged)"
    assert row["segregation"] == "3 informative meioses, LOD 0.90; 3 affected carrier(s), 0 affected non-carrier(s) (PP1)"
    assert out.iloc[1]["ACMG class then"] == "Uncertain significance"
    assert out.iloc[2]["segregation"] == "not assessed"
    # no finding: families with a finding in a screened condition
    none = similar_families(store, [], conditions=["hcm"], exclude="NEW")
    assert none["family"].tolist() == ["F4"] and none["match"].tolist() == ["same condition"]
    empty = similar_families(tmp_path / "absent", [f("KCNQ1", "x")])
    assert empty.empty and empty.attrs["n_earlier"] == 0

