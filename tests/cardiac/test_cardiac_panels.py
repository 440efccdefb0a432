"""Gene panels (ClinGen curations) and maximum credible allele frequencies (Whiffin et al. 2017)."""

import pytest
from scipy.stats import poisson

from bigmed_utils.cardiac import max_credible_af, max_tolerated_ac, panel, panel_genes
from bigmed_utils.cardiac.panels import allele_frequency_ceilings, whiffin_max_af
from bigmed_utils.errors import ParameterError


def test_long_qt_definitive_typical_genes_are_the_adler_three_plus_calmodulins():
    lqt = panel("long_qt", min_classification="definitive")
    typical = set(lqt.loc[lqt["scope"] == "typical LQTS", "gene"])
    assert typical == {"KCNQ1", "KCNH2", "SCN5A"}  # Adler et al. Circulation 2020;141:418
    assert {"CALM1", "CALM2", "CALM3"} <= set(lqt["gene"])
    trdn = panel("LQTS").set_index("gene").loc["TRDN"]
    assert (trdn["classification"], trdn["inheritance"]) == ("strong", "AR")


def test_brugada_panel_is_scn5a_only():
    assert panel_genes("brugada") == ["SCN5A"]  # Hosseini et al. Circulation 2018;138:1195


def test_hcm_definitive_genes_are_the_eight_sarcomere_genes():
    hcm = panel("hcm", min_classification="definitive")
    isolated = hcm[~hcm["scope"].str.startswith("HCM phenocopy")]
    assert set(isolated["gene"]) == {"MYBPC3", "MYH7", "TNNT2", "TNNI3", "TPM1", "ACTC1", "MYL2", "MYL3"}
    assert {"CSRP3", "TNNC1", "JPH2"} <= set(panel("hcm")["gene"])  # moderate (Ingles et al. 2019)
    from bigmed_utils.cardiac.risk import SARCOMERE_GENES

    assert set(isolated["gene"]) == SARCOMERE_GENES  # the ESC 2023 "sarcomeric pathogenic mutation" modifier


def test_hcm_panel_has_the_phenocopies_with_their_disease_and_inheritance():
    # Ingles et al. 2019 (ClinGen HCM GCEP): genes of syndromes and metabolic diseases presenting with LVH
    hcm = panel("hcm").set_index("gene")
    expected = {"GLA": ("XL", "Fabry disease"), "LAMP2": ("XL", "Danon disease"),
                "PRKAG2": ("AD", "PRKAG2 syndrome"), "TTR": ("AD", "transthyretin amyloidosis")}
    for gene, (moi, disease) in expected.items():
        row = hcm.loc[gene]
        assert row["inheritance"] == moi, gene
        assert row["scope"].startswith("HCM phenocopy:") and disease in row["scope"], gene
        assert "Ingles" in row["source"], gene
    assert {hcm.loc[g, "classification"] for g in ("GLA", "LAMP2", "PRKAG2")} == {"definitive"}


def test_dcm_panel_is_the_clingen_dcm_curation():
    # Jordan et al. Circulation 2021;144:7: definitive 11, strong DSP, moderate 7
    dcm = panel("dcm").set_index("gene")
    definitive = {"BAG3", "DES", "FLNC", "LMNA", "MYH7", "PLN", "RBM20", "SCN5A", "TNNC1", "TNNT2", "TTN"}
    moderate = {"ACTC1", "ACTN2", "JPH2", "NEXN", "TNNI3", "TPM1", "VCL"}
    assert set(dcm.index[dcm["classification"] == "definitive"]) == definitive
    assert set(dcm.index[dcm["classification"] == "strong"]) == {"DSP"}
    assert set(dcm.index[dcm["classification"] == "moderate"]) == moderate
    assert (dcm["inheritance"] == "AD").all()
    # TTN: truncating variants only; every other DCM gene: any variant type
    assert dcm.loc["TTN", "mechanism"] == "truncating"
    assert set(dcm.index[dcm["mechanism"] == "truncating"]) == {"TTN"}
    assert dcm["source"].str.contains("Jordan E et al. Circulation 2021;144:7").all()
    assert panel("dilated cardiomyopathy").equals(panel("dcm"))


def test_recessive_forms_are_separate_rows_with_their_disease():
    lqt = panel("long_qt")
    kcnq1 = lqt[lqt["gene"] == "KCNQ1"].set_index("inheritance")["scope"]
    assert kcnq1["AD"] == "typical LQTS" and "Jervell and Lange-Nielsen" in kcnq1["AR"]
    kcne1 = lqt[lqt["gene"] == "KCNE1"]
    # KCNE1: only the recessive JLNS2 row; dominant KCNE1-LQTS is limited/disputed (Adler et al. 2020)
    assert list(kcne1["inheritance"]) == ["AR"] and "JLNS2" in kcne1.iloc[0]["scope"]
    acm = panel("acm")
    ar = acm[acm["inheritance"] == "AR"].set_index("gene")["scope"]
    assert "Carvajal" in ar["DSP"] and "Naxos" in ar["JUP"]
    assert panel("cpvt").set_index("gene").loc["CASQ2", "inheritance"] == "AR"


def test_every_panel_row_is_cited_and_dated():
    every = panel("all", min_classification="refuted")
    assert every["source"].str.len().gt(20).all()
    assert every["source_date"].str.fullmatch(r"(19|20)\d\d-[01]\d-[0-3]\d").all()
    assert set(every["inheritance"]) <= {"AD", "AR", "XL"}
    assert not every.duplicated(["condition", "gene", "inheritance"]).any()


def test_acm_panel_definitive_and_moderate_genes():
    acm = panel("ARVC").set_index("gene")["classification"]
    assert set(acm[acm == "definitive"].index) == {"PKP2", "DSP", "DSG2", "DSC2", "JUP", "TMEM43"}
    assert acm["DES"] == "moderate" and acm["PLN"] == "moderate"  # James et al. 2021


def test_cpvt_panel_and_recessive_genes():
    cpvt = panel("cpvt").set_index("gene")
    assert set(cpvt.index) == {"RYR2", "CASQ2", "TRDN", "CALM1", "CALM2", "CALM3", "TECRL"}
    assert set(cpvt.index[cpvt["inheritance"] == "AR"]) == {"CASQ2", "TRDN", "TECRL"}


def test_multi_condition_panel_keeps_one_row_per_condition_and_sources():
    both = panel(["long_qt", "brugada"])
    assert (both["gene"] == "SCN5A").sum() == 2
    assert both["source"].str.len().gt(10).all() and both["source_date"].str.match(r"\d{4}-\d\d-\d\d").all()
    assert set(panel("all")["condition"]) == {"long_qt", "brugada", "hcm", "acm", "cpvt", "dcm"}


def test_unknown_condition_is_a_parameter_error():
    with pytest.raises(ParameterError, match="unknown condition 'DCMX'"):
        panel("DCMX")


def test_hcm_maximum_credible_af_is_the_published_4e_5():
    # Whiffin et al. Genet Med 2017;19:1151: HCM prevalence 1/500, allelic contribution 0.02, penetrance 0.5
    assert max_credible_af("hcm") == pytest.approx(4.0e-5, rel=1e-12)
    assert whiffin_max_af(prevalence=1 / 500, allelic_heterogeneity=0.02, penetrance=0.5) == pytest.approx(4e-5)


def test_every_ceiling_is_far_below_one_percent_and_overridable():
    table = allele_frequency_ceilings()
    assert (table["max_credible_af"] < 1e-3).all()
    assert max_credible_af("long_qt", allelic_heterogeneity=0.1) == pytest.approx(2 * max_credible_af("long_qt"))
    with pytest.raises(ParameterError, match="unknown parameter"):
        max_credible_af("hcm", prevalance=0.1)


def test_biallelic_formula():
    # q = allelic * sqrt(prevalence * genetic / penetrance)
    assert whiffin_max_af(prevalence=1e-4, allelic_heterogeneity=0.5, penetrance=1.0,
                          inheritance="biallelic") == pytest.approx(0.005)


def test_max_tolerated_allele_count_is_the_one_sided_poisson_quantile():
    ac = max_tolerated_ac(4e-5, allele_number=121_412)
    lam = 121_412 * 4e-5
    assert poisson.cdf(ac, lam) >= 0.95 > poisson.cdf(ac - 1, lam)
    assert ac == 9


def test_bs1_thresholds_feed_the_acmg_engine():
    from bigmed_utils.cardiac import bs1_thresholds

    th = bs1_thresholds("hcm")
    assert th == {"autosomal_dominant": pytest.approx(4e-5), "de_novo": pytest.approx(4e-5)}
    assert th["autosomal_dominant"] < 0.01  # far below the generic 1 % default
