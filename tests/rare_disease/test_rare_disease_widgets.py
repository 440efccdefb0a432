"""The candidate explorer's filters (pure pandas) and its widget (built without a kernel)."""

from __future__ import annotations

import pandas as pd

from bigmed_utils.rare_disease.widgets import candidate_explorer, filter_candidates, show_explorer

CANDS = pd.DataFrame(
    [
        {"rank": 1, "gene": "SCN1A", "variant_id": "chr2:1:C:T", "mode": "de_novo", "max_af": 0.0,
         "consequence": "missense_variant", "acmg_class": "Likely pathogenic", "score": 0.8},
        {"rank": 2, "gene": "SCN2A", "variant_id": "chr2:2:C:T", "mode": "autosomal_dominant", "max_af": 0.0005,
         "consequence": "synonymous_variant", "acmg_class": "Uncertain significance", "score": 0.4},
        {"rank": 3, "gene": "CFTR", "variant_id": "chr7:3:T:C", "mode": "autosomal_recessive", "max_af": 0.008,
         "consequence": "missense_variant", "acmg_class": "Uncertain significance", "score": 0.3},
    ]
)


def test_filters():
    assert list(filter_candidates(CANDS)["rank"]) == [1, 2, 3]
    assert list(filter_candidates(CANDS, modes=["de_novo"])["gene"]) == ["SCN1A"]
    assert list(filter_candidates(CANDS, max_af=0.001)["rank"]) == [1, 2]
    assert list(filter_candidates(CANDS, consequences=["missense_variant"], classes=["Uncertain significance"])["gene"]) == ["CFTR"]
    assert list(filter_candidates(CANDS, gene="scn")["gene"]) == ["SCN1A", "SCN2A"]


def test_widget_and_batch_note(monkeypatch):
    monkeypatch.delenv("BIGMED_OUTPUT_DIR", raising=False)
    box = candidate_explorer(CANDS)
    assert type(box).__name__ == "VBox"
    monkeypatch.setenv("BIGMED_OUTPUT_DIR", "/tmp/x")
    note = show_explorer(CANDS)
    assert "3 candidate rows" in note.data
