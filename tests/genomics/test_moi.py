"""Mode of inheritance of a gene's diseases (HPO annotations) against the candidate's mode."""

from __future__ import annotations

import pandas as pd
import pytest

from bigmed_utils.genomics.acmg import MODES
from bigmed_utils.genomics.moi import MODE_FITS, MOI_TERMS, annotate_moi, gene_moi, moi_match
from bigmed_utils.phenotype.ontology import term_name


def test_inheritance_terms_are_the_hpo_terms_named():
    names = {code: term_name(term) for code, (term, _) in MOI_TERMS.items()}
    assert names == {
        "AD": "Autosomal dominant inheritance", "AR": "Autosomal recessive inheritance",
        "XLD": "X-linked dominant inheritance", "XLR": "X-linked recessive inheritance",
        "XL": "X-linked inheritance", "SD": "Semidominant inheritance", "MT": "Mitochondrial inheritance",
        "YL": "Y-linked inheritance", "PAR": "Pseudoautosomal inheritance", "DN": "Sporadic",
    }
    assert set(MODE_FITS) == set(MODES)


@pytest.mark.parametrize(
    ("gene", "codes"),
    [("SCN1A", ["AD"]), ("PAH", ["AR"]), ("DMD", ["XLR"]), ("PHEX", ["XLD"]), ("FBN1", ["AD"]),
     ("MECP2", ["XLD", "XLR"]), ("NOT_A_GENE", [])],
)
def test_gene_moi_from_hpo_annotations(gene, codes):
    # OMIM: Dravet syndrome AD; phenylketonuria AR; Duchenne XLR; X-linked hypophosphatemia XLD; Marfan AD;
    # MECP2: Rett syndrome XLD and MECP2-related intellectual disability XLR (the generic X-linked term is dropped)
    assert gene_moi(gene) == codes


@pytest.mark.parametrize(
    ("mode", "codes", "kw", "expected"),
    [
        ("compound_heterozygous", ["AD"], {}, "inconsistent"),
        ("compound_heterozygous", ["AD", "AR"], {}, "consistent"),
        ("autosomal_recessive", ["AR"], {}, "consistent"),
        ("de_novo", ["AR"], {}, "inconsistent"),
        ("de_novo", ["DN"], {}, "consistent"),  # sporadic
        ("autosomal_dominant", ["SD"], {}, "consistent"),  # semidominant
        ("x_linked", ["XLD"], {}, "consistent"),  # hemizygous male in an X-linked dominant gene
        ("x_linked_dominant", ["XLR"], {}, "inconsistent"),
        ("de_novo", ["XLR"], {"on_x": True, "proband_sex": "male"}, "consistent"),
        ("de_novo", ["XLR"], {"on_x": True, "proband_sex": "female"}, "inconsistent"),
        ("de_novo", ["XLD"], {"on_x": True, "proband_sex": "female"}, "consistent"),
        ("autosomal_dominant", [], {}, "unknown"),
    ],
)
def test_moi_match(mode, codes, kw, expected):
    assert moi_match(mode, codes, **kw) == expected


def test_annotate_moi_reads_chrx_outside_the_pars():
    cands = pd.DataFrame({
        "variant_id": ["chrX:31000000:G:A", "chrX:100000:G:A", "chr2:166000000:C:T"],
        "gene": ["DMD", "DMD", "SCN1A"],
        "mode": ["de_novo", "de_novo", "compound_heterozygous"],
    })
    out = annotate_moi(cands, proband_sex="female")
    # female de novo het in an X-linked recessive gene: a carrier; in PAR1 it is judged as autosomal
    assert list(out["moi_match"]) == ["inconsistent", "inconsistent", "inconsistent"]
    assert annotate_moi(cands, proband_sex="male")["moi_match"].iloc[0] == "consistent"
    assert out["gene_moi"].iloc[2] == ["AD"]
