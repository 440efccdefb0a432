"""Tables and figures of the rare-disease report (display only; the numbers come from analysis.py)."""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

#: QC table columns shown in the report, with readable names
QC_COLUMNS = {
    "sample": "sample",
    "role": "role",
    "ped_sex": "sex (PED)",
    "imputed_sex": "sex (chrX)",
    "call_rate": "call rate",
    "het_hom_ratio": "het/hom-alt",
    "ti_tv": "Ti/Tv",
    "n_called": "variants called",
}


def _flag_text(flags: Any) -> str:
    return "; ".join(flags) if isinstance(flags, (list, tuple)) and flags else "—"


def qc_table(samples: pd.DataFrame) -> pd.DataFrame:
    """Per-sample QC with readable columns and the flags as text (``—`` = nothing to report)."""
    t = samples[[c for c in QC_COLUMNS if c in samples]].rename(columns=QC_COLUMNS).copy()
    for col in ("call rate", "het/hom-alt", "Ti/Tv"):
        if col in t:
            t[col] = t[col].astype(float).round(3)
    t["flags"] = [_flag_text(f) for f in samples["flags"]]
    return t.set_index("sample")


def family_qc_table(trios: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Mendelian error rate per trio and KING kinship per pair against the PED, in one small table."""
    rows = []
    for r in trios.to_dict("records"):
        rows.append({"check": "Mendelian errors", "samples": f"{r['proband']} / {r['father']} / {r['mother']}",
                     "observed": f"{r['mendel_errors']} of {r['n_informative']} ({r['mendel_error_rate']:.4f})",
                     "expected (PED)": "trio", "flags": _flag_text(r["flags"])})
    for r in pairs.to_dict("records"):
        kin = r["kinship"]
        rows.append({"check": "relatedness (KING)", "samples": f"{r['sample_1']} – {r['sample_2']}",
                     "observed": f"{kin:.3f} ({r['observed_degree']})" if kin == kin else "n/a",
                     "expected (PED)": f"{r['expected_kinship']:.3f} ({r['expected_degree']})",
                     "flags": _flag_text(r["flags"])})
    return pd.DataFrame(rows, columns=["check", "samples", "observed", "expected (PED)", "flags"])


def phenotype_table(table: pd.DataFrame) -> pd.DataFrame:
    """The patient's HPO terms with status and source (observed first)."""
    t = table.copy()
    t["matched text"] = t["matched_text"].fillna("")
    t = t.drop(columns=["matched_text"]).rename(columns={"hpo_id": "HPO id"})
    t["_o"] = (t["status"] != "observed").astype(int)
    return t.sort_values(["_o"], kind="mergesort").drop(columns="_o").set_index("HPO id")


def funnel_figure(funnel: Sequence[tuple[str, int]]):
    """Horizontal bars: variants left after each filtering step (log scale), candidates per mode in orange.

    The figure is closed after creation (display it with ``display(fig)``), so notebooks do not show it twice.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    steps = [s for s, _ in funnel]
    counts = [max(int(n), 0) for _, n in funnel]
    per_mode = [s.startswith("  ") for s in steps]
    labels = [("mode: " + s.strip().replace("_", " ").replace("x linked", "X-linked")) if m else s
              for s, m in zip(steps, per_mode)]
    colours = [sns.color_palette("muted")[1] if m else sns.color_palette("muted")[0] for m in per_mode]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(steps) + 1.0))
    y = list(range(len(steps)))
    ax.barh(y, [c if c > 0 else 0 for c in counts], left=0.7, color=colours)  # nothing drawn for 0
    ax.set_xscale("log")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    for yi, c in zip(y, counts):
        ax.text((0.7 + c) * 1.1, yi, f"{c:,}", va="center", fontsize=9)
    ax.set_xlabel("variants left (log scale)")
    ax.set_xlim(0.7, max(counts + [1]) * 4)
    ax.set_title("Filtering funnel (orange: candidates per inheritance mode)", fontsize=10, loc="left")
    sns.despine(fig=fig)
    fig.tight_layout()
    plt.close(fig)
    return fig


def similar_table(similar: pd.DataFrame) -> pd.DataFrame:
    """Similar earlier patients for display."""
    t = similar.copy()
    if t.empty:
        return t
    t["shared candidate genes"] = t["shared_genes"].map(lambda g: ", ".join(g) if g else "—")
    t = t.rename(columns={"case_id": "earlier case", "similarity": "phenotype similarity", "headline": "their main finding"})
    t["phenotype similarity"] = t["phenotype similarity"].astype(float).round(3)
    t["match"] = t["match"].astype(float).round(3)
    return t[["earlier case", "match", "phenotype similarity", "shared candidate genes", "their main finding"]].set_index("earlier case")


def thresholds_text(genotype_filters: dict[str, Any], thresholds: dict[str, Any]) -> str:
    """The thresholds used, as Markdown bullet points."""
    g = genotype_filters
    t = thresholds
    extra = []
    if "consequence_gate" in t:
        extra.append("* Consequence gate: " + ("on" if t["consequence_gate"] else
                                                "**off** (every rare variant may become a candidate)") + ".")
    if "reduced_penetrance" in t:
        extra.append("* Reduced-penetrance dominant candidates (a heterozygous variant inherited from an unaffected "
                     "parent): " + ("**listed**" if t["reduced_penetrance"] else "not listed (default)") + ".")
    return "\n".join(extra + [
        f"* Genotype filters (slivar-like defaults): GQ ≥ {g['min_gq']}, depth ≥ {g['min_dp']}, heterozygous allele "
        f"balance {g['het_ab_min']:g}–{g['het_ab_max']:g}, hom-ref AB < {g['hom_ref_ab_max']:g}, hom-alt AB > "
        f"{g['hom_alt_ab_min']:g}; FILTER = PASS {'required' if g['require_pass'] else 'not required'}. A failing call "
        "counts as not genotyped.",
        f"* Population allele-frequency ceilings (Exomiser/slivar-like defaults): de novo {t['max_af_de_novo']:g}, "
        f"dominant {t['max_af_dominant']:g}, homozygous recessive and X-linked {t['max_af_recessive']:g}, "
        f"compound heterozygous {t['max_af_compound_het']:g}.",
    ])


__all__ = ["family_qc_table", "funnel_figure", "gate_text", "interpretation_text", "phenotype_table", "qc_table",
           "similar_table", "thresholds_text"]


def gate_text() -> str:
    """What the consequence gate lets through, as Markdown (for the funnel section)."""
    from ..genomics.gate import GATE_DESCRIPTION

    lines = ["**Consequence gate.** Before any inheritance mode is tried, a variant must plausibly change the "
             "protein or its splicing. It passes for one of these reasons (the *gate* column of the candidates):"]
    lines += [f"* *{reason.replace('_', ' ')}*: {text}." for reason, text in GATE_DESCRIPTION.items()]
    lines.append("")
    lines.append("Synonymous, intronic, UTR and intergenic variants without a splice prediction or a ClinVar "
                 "assertion are set aside, and both variants of a compound heterozygote must pass the gate (as in "
                 "slivar's `impactful` rule). A de novo deep-intronic or synonymous variant therefore never becomes a "
                 "candidate on its de novo status alone.")
    return "\n".join(lines)


def interpretation_text(*, parentage: Any = None) -> str:
    """How the ACMG/AMP criteria are applied (ClinGen SVI), population frequency and inheritance, as Markdown."""
    if parentage is None:
        de_novo = "the family QC was not run, so a de novo variant counts as *assumed* (PM6)"
    elif parentage.confirmed:
        de_novo = ("the family QC confirms maternity and paternity (Mendelian error rate and KING kinship), so a de "
                   "novo variant counts as *confirmed* (PS2)")
    else:
        de_novo = (f"the family QC does **not** confirm parentage ({parentage.note}), so a de novo variant counts "
                   "only as *assumed* (PM6), never as confirmed (PS2)")
    return "\n".join([
        "**How the variant evidence is weighed** (ACMG/AMP with the ClinGen SVI recommendations):",
        "* *PVS1* follows the SVI decision tree (Abou Tayoun et al. 2018): a stop or frameshift in the last exon "
        "escapes nonsense-mediated decay and counts at most as *PVS1_Strong* (more than 10 % of the protein lost) or "
        "*PVS1_Moderate*; in the penultimate exon the last 50 nucleotides cannot be located from the VCF, so it is "
        "also held at *PVS1_Strong* unless the VEP NMD plugin decided. A canonical splice variant counts fully, "
        "but whether exon skipping keeps the reading frame is not in the VCF: check it with RNA or a splice "
        "prediction.",
        f"* *De novo* (PS2/PM6): {de_novo}. A variant that fails the consequence gate gets neither.",
        "* *PM3* (in trans with a pathogenic variant) uses the SVI point table: a (likely) pathogenic partner in "
        "trans, phased by the parents, is moderate; with unknown phase (one side de novo, or no parents) "
        "supporting; a homozygous variant with both parents heterozygous supporting; a partner of uncertain "
        "significance adds nothing.",
        "* *PP5 and BP6* (a database's assertion without its evidence) are retired by ClinGen SVI and never "
        "applied; a ClinVar assertion only lets a variant through the gate.",
        "* *BP7* marks a synonymous (or deep intronic, beyond +6/-20) variant with no predicted splicing impact "
        "(SpliceAI 0.1 or less; without SpliceAI, a synonymous variant outside the splice region). *PP3* also "
        "comes from a SpliceAI score of 0.2 or more.",
        "* *PP4* (phenotype specific for the gene) is shown in the class, as a laboratory would apply it; the "
        "ranking weighs the phenotype itself and takes the variant evidence without PP4 "
        "(`acmg_points_without_pp4`), so the phenotype counts once.",
        "",
        "**Population frequency.** The frequency used is the highest over gnomAD's genetic-ancestry groups that are "
        "not bottlenecked (gnomAD *grpmax*: Amish, Ashkenazi Jewish, Finnish, Middle Eastern and \"remaining\" "
        "left out); then gnomAD's filtering allele frequency (FAF95); then gnomAD's overall frequency; VEP's "
        "MAX_AF, which includes the founder populations, only when nothing else is there. The *AF source* column "
        "names the source for each variant. A variant common only in a founder population (say 8 % in Finland) is "
        "therefore neither filtered out nor called benign (BA1) for that reason.",
        "",
        "**Inheritance of the gene's diseases.** Each candidate's mode is compared with the inheritance modes of "
        "the gene's diseases in the HPO annotations: *consistent*, *inconsistent* (e.g. a compound heterozygote in "
        "a gene known only for dominant disorders) or *unknown* (no annotated inheritance). An inconsistent "
        "candidate stays in the table, flagged.",
    ])



def evidence_table(candidates: pd.DataFrame, *, n: int) -> pd.DataFrame:
    """Every ACMG/AMP criterion that fired for the ``n`` best candidates, with its points and reason."""
    rows = []
    for r in candidates.head(n).to_dict("records"):
        for c in r["acmg_criteria"]:
            rows.append({"rank": r["rank"], "gene": r["gene"], "variant": r["variant_id"], "criterion": c["code"],
                         "strength": c["strength"], "points": c["points"], "reason": c["reason"]})
    return pd.DataFrame(rows, columns=["rank", "gene", "variant", "criterion", "strength", "points", "reason"])


__all__ += ["evidence_table"]
