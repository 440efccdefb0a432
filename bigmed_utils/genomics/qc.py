"""Family QC in Hail with explicit flags: per-sample metrics, sex check, Mendelian errors, relatedness.

Run it on the calls as imported (before genotype filtering), restricted to the family. Every threshold is a
named constant with its source; each result is a small pandas DataFrame with one boolean ``flag_*`` column
per check and a ``flags`` column of human-readable reasons (empty list = nothing to report).

Rates computed from few variants are not flagged: a metric needs :data:`MIN_VARIANTS_FOR_FLAGS` variants
(sex: :data:`MIN_X_VARIANTS` on chrX outside the PARs) before its flag can fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..io.ped import FEMALE, MALE, UNKNOWN_SEX

#: minimum call rate per sample. Hail GWAS tutorial (hail.is/docs/0.2/tutorials/01-genome-wide-association-study)
#: keeps samples with ``sample_qc.call_rate >= 0.97``.
MIN_CALL_RATE = 0.97
#: plausible het/hom-alt ratio range. Wang, Raskin et al. 2015 (Bioinformatics 31:318, "Genome measures used
#: for quality control are dependent on gene function and ancestry"): ratios lie between ~1.3 and ~2.1 by
#: ancestry in WGS (up to ~2.3 in exomes); values far outside suggest contamination (high) or inbreeding/a
#: bad sample (low). We flag outside [1.0, 3.0] to leave room for ancestry and capture design.
HET_HOM_RANGE = (1.0, 3.0)
#: plausible Ti/Tv range. Whole genomes ~2.0-2.1, exomes ~2.8-3.3 (DePristo et al. 2011 Nat Genet 43:491;
#: GATK "Ti/Tv" documentation); random errors give ~0.5. We flag outside [1.8, 3.5].
TI_TV_RANGE = (1.8, 3.5)
#: Sex from the chrX inbreeding coefficient F: female below 0.2, male above 0.8, unknown between. The defaults of
#: PLINK 1.9 ``--check-sex`` (Chang et al. 2015 GigaScience 4:7; cog-genomics.org/plink/1.9/basic_stats#check_sex)
#: and of Hail's ``impute_sex`` (female_threshold=0.2, male_threshold=0.8; tested against Hail's signature).
IMPUTE_SEX_FEMALE_MAX_F = 0.2
IMPUTE_SEX_MALE_MIN_F = 0.8
#: Mendelian error rate (errors / variants called in all three) above which a trio is flagged. Project
#: choice: GIAB's Ashkenazi trio exome (slivar test file, raw GATK calls) gives 0.9 % (tested); a swapped or
#: unrelated parent gives tens of per cent.
MAX_MENDEL_ERROR_RATE = 0.05
#: KING kinship ranges per degree (Manichaikul et al. 2010 Bioinformatics 26:2867, Table 1): duplicate/MZ
#: > 0.354; first degree [0.177, 0.354]; second [0.0884, 0.177]; third [0.0442, 0.0884]; unrelated < 0.0442.
KING_BOUNDS = (0.0442, 0.0884, 0.177, 0.354)
#: minimum variants before a rate may be flagged
MIN_VARIANTS_FOR_FLAGS = 100
#: minimum chrX non-PAR variants before a sex mismatch may be flagged
MIN_X_VARIANTS = 20


@dataclass
class QcResult:
    """QC tables of :func:`run_qc`."""

    samples: pd.DataFrame
    trios: pd.DataFrame
    pairs: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for the QC cache); :meth:`from_dict` restores equal tables."""
        import json

        return {name: json.loads(getattr(self, name).to_json(orient="table", index=False))
                for name in ("samples", "trios", "pairs")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "QcResult":
        import io
        import json

        return cls(**{name: pd.read_json(io.StringIO(json.dumps(data[name])), orient="table")
                      for name in ("samples", "trios", "pairs")})

    @property
    def any_flag(self) -> bool:
        return bool(
            any(len(f) for f in self.samples["flags"])
            or any(len(f) for f in self.trios.get("flags", []))
            or any(len(f) for f in self.pairs.get("flags", []))
        )


def king_degree(phi: float) -> str:
    """Relationship degree of a KING kinship coefficient (:data:`KING_BOUNDS`)."""
    third, second, first, dup = KING_BOUNDS
    if phi > dup:
        return "duplicate"
    if phi >= first:
        return "first"
    if phi >= second:
        return "second"
    if phi >= third:
        return "third"
    return "unrelated"


def expected_kinship(pedigree_df: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Kinship coefficients implied by the PED (founders unrelated, non-inbred), for every pair.

    Standard recursion: phi(i, i) = 1/2 (1 + phi(father, mother)); phi(i, j) = 1/2 (phi(father_i, j) +
    phi(mother_i, j)) when j is not a descendant of i (process individuals parents first).
    """
    ped = pedigree_df.set_index("individual_id")
    order: list[str] = []
    seen: set[str] = set()

    def visit(x: str) -> None:
        if x in seen or x not in ped.index:
            return
        seen.add(x)
        for p in (ped.at[x, "paternal_id"], ped.at[x, "maternal_id"]):
            if p is not None:
                visit(p)
        order.append(x)

    for x in ped.index:
        visit(x)
    phi: dict[tuple[str, str], float] = {}

    def get(a: str | None, b: str | None) -> float:
        if a is None or b is None:
            return 0.0
        return phi.get((a, b), phi.get((b, a), 0.0))

    for i, x in enumerate(order):
        fx, mx = ped.at[x, "paternal_id"], ped.at[x, "maternal_id"]
        phi[(x, x)] = 0.5 * (1 + get(fx, mx))
        for y in order[:i]:
            phi[(x, y)] = phi[(y, x)] = 0.5 * (get(fx, y) + get(mx, y))
    return phi


def run_qc(mt: Any, pedigree_df: pd.DataFrame, *, family_id: str | None = None) -> QcResult:
    """Per-sample, per-trio and per-pair QC of the family's samples, from one pass over the calls.

    The metrics are those of Hail's ``hl.sample_qc``, ``hl.impute_sex`` and ``hl.mendel_errors`` and of
    KING-robust kinship (``hl.king``), computed as aggregations of one job (the same values, tested in
    ``tests/genomics/test_qc.py``): each of those methods is a job of its own, compiled on first use, and
    on a trio's few thousand QC sites the compilations, not the data, took the time.

    Parameters
    ----------
    mt
        MatrixTable from :func:`bigmed_utils.io.vcf.read_vcf` (calls as imported, split to biallelic rows).
    pedigree_df
        From :func:`bigmed_utils.io.ped.read_ped`.
    family_id
        Restrict to one family (default: every PED sample present in the VCF).

    Returns
    -------
    QcResult
        ``samples``: sample, call_rate, n_called, n_het, n_hom_var, het_hom_ratio, ti_tv, ped_sex,
        imputed_sex, chrx_f, n_chrx_variants, flag_call_rate, flag_het_hom, flag_ti_tv, flag_sex, flags.
        ``trios``: family_id, proband, father, mother, mendel_errors, n_informative, mendel_error_rate,
        flag_mendel, flags. ``pairs``: sample_1, sample_2, kinship (KING, autosomes), observed_degree,
        expected_kinship (from the PED), expected_degree, flag_relatedness, flags. A pair is flagged when a
        first-degree relation (or duplicate) is expected or observed and the degrees differ, or when
        other degrees differ by two steps or more (unrelated vs second degree).
    """
    import hail as hl

    ped = pedigree_df if family_id is None else pedigree_df[pedigree_df["family_id"] == family_id]
    in_vcf = mt.s.collect()
    ped = ped[ped["individual_id"].isin(set(in_vcf))].reset_index(drop=True)
    members = set(ped["individual_id"])
    names = [s for s in in_vcf if s in members]  # the column order of the filtered table
    mt = mt.filter_cols(hl.literal(members).contains(mt.s)).select_rows().select_entries("GT")
    ht = mt.localize_entries("g", "cols").select_globals()
    # keep rows where some family member is called non-ref: sites of other families would dilute rates
    ht = ht.filter(ht.g.any(lambda e: hl.or_else(e.GT.is_non_ref(), False)))
    present = set(names)
    trios = ped[ped["paternal_id"].isin(present) & ped["maternal_id"].isin(present)].to_dict("records")
    pairs = sorted((min(a, b), max(a, b)) for i, a in enumerate(names) for b in names[i + 1:])
    gt = {s: ht.g[i].GT for i, s in enumerate(names)}
    counts = ht.aggregate(hl.struct(
        n=hl.agg.count(), samples=_sample_aggregation(ht), sex=_sex_aggregation(ht),
        mendel=_mendel_aggregation(ht, gt, trios), king=_king_aggregation(ht, gt, pairs),
    ))
    return QcResult(samples=_sample_metrics(counts, names, ped), trios=_mendel(counts.mendel, trios),
                    pairs=_relatedness(counts.king, pairs, ped))


def _ratio(a: float, b: float) -> float:
    """a / b, NaN when b is 0 (Hail's ``divide_null``, missing in Hail, NaN in pandas)."""
    return a / b if b else float("nan")


def _sample_aggregation(ht: Any) -> Any:
    """Per sample, the counts ``hl.sample_qc`` gives: calls, no-calls, hom-ref, het, and the transitions and
    transversions among the ALT alleles of each call (a hom-alt SNV counts twice, as there)."""
    import hail as hl

    ref = ht.alleles[0]

    def alts_of(gt: Any) -> Any:
        return hl.range(0, gt.ploidy).map(lambda i: gt[i]).filter(lambda a: a > 0).map(lambda a: ht.alleles[a])

    return hl.agg.array_agg(lambda e: hl.struct(
        n_called=hl.agg.count_where(hl.is_defined(e.GT)),
        n_not_called=hl.agg.count_where(hl.is_missing(e.GT)),
        n_hom_ref=hl.agg.count_where(e.GT.is_hom_ref()),
        n_het=hl.agg.count_where(e.GT.is_het()),
        n_transition=hl.agg.sum(hl.or_else(alts_of(e.GT).filter(lambda a: hl.is_transition(ref, a)).length(), 0)),
        n_transversion=hl.agg.sum(hl.or_else(alts_of(e.GT).filter(lambda a: hl.is_transversion(ref, a)).length(), 0)),
    ), ht.g)


def _sex_aggregation(ht: Any) -> Any:
    """``hl.impute_sex`` as one aggregation: the inbreeding coefficient F of each sample on chrX outside the
    PARs, over biallelic sites polymorphic in these samples (alternate allele frequency from their calls,
    strictly between 0 and 1: ``aaf_threshold=0``).

    A haploid call (how many callers write a man's chrX) counts as homozygous, as in PLINK's sex check;
    ``hl.impute_sex`` refuses haploid calls, which left such families without a sex check."""
    import hail as hl

    x = ht.locus.in_x_nonpar() & (hl.len(ht.alleles) == 2)
    calls = ht.g.map(lambda e: hl.if_else(e.GT.ploidy == 1, hl.call(e.GT[0], e.GT[0]), e.GT))
    an = hl.sum(calls.map(lambda c: hl.or_else(c.ploidy, 0)))
    ac = hl.sum(calls.map(lambda c: hl.or_else(c.n_alt_alleles(), 0)))
    aaf = hl.or_missing(an > 0, hl.float64(ac) / an)
    polymorphic = x & hl.or_else((aaf > 0) & (aaf < 1), False)
    return hl.struct(
        n_x=hl.agg.count_where(x),
        ib=hl.agg.filter(polymorphic, hl.agg.array_agg(lambda c: hl.agg.inbreeding(c, aaf), calls)),
    )


def _sample_metrics(counts: Any, names: list[str], ped: pd.DataFrame) -> pd.DataFrame:
    n_rows, n_x = counts.n, counts.sex.n_x
    ped_sex = dict(zip(ped["individual_id"], ped["sex"]))
    sex_name = {MALE: "male", FEMALE: "female", UNKNOWN_SEX: None}
    records = []
    # (no polymorphic chrX site: no F, and no array of them at all)
    for s, q, ib in zip(names, counts.samples, counts.sex.ib or [None] * len(names)):
        n_hom_var = q.n_called - q.n_hom_ref - q.n_het
        f = float(ib.f_stat) if ib is not None and ib.f_stat is not None else float("nan")
        # hl.impute_sex's call: female below, male above, unknown between (and without polymorphic sites)
        imputed = "female" if f < IMPUTE_SEX_FEMALE_MAX_F else "male" if f > IMPUTE_SEX_MALE_MIN_F else None
        records.append({
            "sample": s, "call_rate": _ratio(q.n_called, q.n_called + q.n_not_called), "n_called": q.n_called,
            "n_het": q.n_het, "n_hom_var": n_hom_var, "n_snp": q.n_transition + q.n_transversion,
            "het_hom_ratio": _ratio(q.n_het, n_hom_var), "ti_tv": _ratio(q.n_transition, q.n_transversion),
            "ped_sex": sex_name[int(ped_sex[s])], "imputed_sex": imputed, "chrx_f": f, "n_chrx_variants": n_x,
        })
    records.sort(key=lambda r: r["sample"])  # by sample, as Hail's column table (and this table) always was
    df = pd.DataFrame(records, columns=["sample", "call_rate", "n_called", "n_het", "n_hom_var", "n_snp",
                                        "het_hom_ratio", "ti_tv", "ped_sex", "imputed_sex", "chrx_f",
                                        "n_chrx_variants"])
    enough = n_rows >= MIN_VARIANTS_FOR_FLAGS
    enough_snp = df["n_snp"] >= MIN_VARIANTS_FOR_FLAGS
    df["flag_call_rate"] = enough & (df["call_rate"] < MIN_CALL_RATE)
    hh = df["het_hom_ratio"]
    df["flag_het_hom"] = enough & hh.notna() & ((hh < HET_HOM_RANGE[0]) | (hh > HET_HOM_RANGE[1]))
    tt = df["ti_tv"]
    df["flag_ti_tv"] = enough_snp & tt.notna() & ((tt < TI_TV_RANGE[0]) | (tt > TI_TV_RANGE[1]))
    df["flag_sex"] = (
        (n_x >= MIN_X_VARIANTS)
        & df["ped_sex"].notna()
        & df["imputed_sex"].notna()
        & (df["ped_sex"] != df["imputed_sex"])
    )
    flags = []
    for r in df.to_dict("records"):
        f = []
        if r["flag_call_rate"]:
            f.append(f"call rate {r['call_rate']:.3f} < {MIN_CALL_RATE}")
        if r["flag_het_hom"]:
            f.append(f"het/hom-alt ratio {r['het_hom_ratio']:.2f} outside {HET_HOM_RANGE}")
        if r["flag_ti_tv"]:
            f.append(f"Ti/Tv {r['ti_tv']:.2f} outside {TI_TV_RANGE}")
        if r["flag_sex"]:
            f.append(f"PED sex {r['ped_sex']} but chrX looks {r['imputed_sex']} (F = {r['chrx_f']:.2f})")
        flags.append(f)
    df["flags"] = flags
    cols = [
        "sample", "call_rate", "n_called", "n_het", "n_hom_var", "n_snp", "het_hom_ratio", "ti_tv", "ped_sex",
        "imputed_sex", "chrx_f", "n_chrx_variants", "flag_call_rate", "flag_het_hom", "flag_ti_tv", "flag_sex",
        "flags",
    ]
    return df[cols].reset_index(drop=True)


def _mendel_aggregation(ht: Any, gt: dict[str, Any], trios: list[dict[str, Any]]) -> Any:
    """Per complete trio, the rows with a Mendelian error (``hl.mendel_error_code``, the code
    ``hl.mendel_errors`` assigns, with the child's sex from the PED) and the rows called in all three."""
    import hail as hl

    out = {}
    for k, t in enumerate(trios):
        kid, dad, mom = gt[t["individual_id"]], gt[t["paternal_id"]], gt[t["maternal_id"]]
        is_female = hl.missing(hl.tbool) if t["sex"] == UNKNOWN_SEX else hl.bool(t["sex"] == FEMALE)
        out[f"t{k}"] = hl.struct(
            errors=hl.agg.count_where(hl.is_defined(hl.mendel_error_code(ht.locus, is_female, dad, mom, kid))),
            informative=hl.agg.count_where(hl.is_defined(kid) & hl.is_defined(dad) & hl.is_defined(mom)),
        )
    return hl.struct(**out)


def _mendel(counts: Any, trios: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["family_id", "proband", "father", "mother", "mendel_errors", "n_informative", "mendel_error_rate",
            "flag_mendel", "flags"]
    rows = []
    for k, r in enumerate(trios):
        # errors of this child as the child of its trio (a member's own children's errors are theirs)
        e, n = int(counts[f"t{k}"].errors), int(counts[f"t{k}"].informative)
        rate = e / n if n else float("nan")
        flag = bool(n >= MIN_VARIANTS_FOR_FLAGS and rate > MAX_MENDEL_ERROR_RATE)
        rows.append(
            {
                "family_id": r["family_id"],
                "proband": r["individual_id"],
                "father": r["paternal_id"],
                "mother": r["maternal_id"],
                "mendel_errors": e,
                "n_informative": n,
                "mendel_error_rate": rate,
                "flag_mendel": flag,
                "flags": [f"Mendelian error rate {rate:.3f} > {MAX_MENDEL_ERROR_RATE}: sample swap or wrong parent?"]
                if flag
                else [],
            }
        )
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True)
class Parentage:
    """Whether the family QC confirms that the PED's father and mother are the proband's biological parents."""

    confirmed: bool
    #: why not (empty when confirmed), e.g. "Mendelian error rate 0.214 > 0.05 ..."
    note: str


def parentage(qc: QcResult | None, *, proband: str, father: str | None, mother: str | None) -> Parentage:
    """Confirm maternity and paternity from the trio's Mendelian error rate and the KING kinship of each parent.

    ClinGen SVI: a de novo variant is *confirmed* (PS2) only when maternity and paternity are confirmed;
    otherwise it is *assumed* (PM6) (Richards et al. 2015; ClinGen SVI recommendation for de novo criteria
    PS2/PM6). Confirmation here needs all of: the trio's Mendelian error rate measured over at least
    :data:`MIN_VARIANTS_FOR_FLAGS` informative sites and at most :data:`MAX_MENDEL_ERROR_RATE`, and the KING
    kinship of proband-father and proband-mother in the first-degree range (:data:`KING_BOUNDS`), computed over
    the same family sites. Without QC, a parent, or enough sites, the parentage is not confirmed and ``note``
    says why.
    """
    if father is None or mother is None:
        return Parentage(False, "parents not both in the PED")
    if qc is None or qc.trios is None or len(qc.trios) == 0 or "proband" not in qc.trios:
        return Parentage(False, "parentage not checked (no family QC)")
    trio = qc.trios[qc.trios["proband"] == proband]
    if trio.empty:
        return Parentage(False, "parentage not checked (the trio is not in the family QC)")
    t = trio.iloc[0]
    n = int(t["n_informative"])
    rate = float(t["mendel_error_rate"])
    if n < MIN_VARIANTS_FOR_FLAGS:
        return Parentage(False, f"parentage not confirmed: only {n} informative sites (< {MIN_VARIANTS_FOR_FLAGS}) "
                                "for the Mendelian error rate")
    if not rate <= MAX_MENDEL_ERROR_RATE:
        return Parentage(False, f"parentage not confirmed: Mendelian error rate {rate:.3f} > {MAX_MENDEL_ERROR_RATE}")
    problems = []
    for role, parent in (("father", father), ("mother", mother)):
        pair = qc.pairs[((qc.pairs["sample_1"] == proband) & (qc.pairs["sample_2"] == parent))
                        | ((qc.pairs["sample_1"] == parent) & (qc.pairs["sample_2"] == proband))] \
            if qc.pairs is not None and len(qc.pairs) else pd.DataFrame()
        if pair.empty or pd.isna(pair.iloc[0]["kinship"]):
            problems.append(f"no KING kinship for proband-{role}")
            continue
        kin = float(pair.iloc[0]["kinship"])
        if king_degree(kin) != "first":
            problems.append(f"KING kinship proband-{role} {kin:.3f} ({king_degree(kin)}, expected first degree)")
    if problems:
        return Parentage(False, "parentage not confirmed: " + "; ".join(problems))
    return Parentage(True, "")


_DEGREE_ORDER = ("unrelated", "third", "second", "first", "duplicate")


def _degrees_disagree(observed: str, expected: str) -> bool:
    """First-degree (and duplicate) pairs must match exactly; others may be one degree off, because KING
    separates third degree from unrelated poorly (Manichaikul et al. 2010) and small panels are noisy."""
    if expected in ("first", "duplicate") or observed in ("first", "duplicate"):
        return observed != expected
    return abs(_DEGREE_ORDER.index(observed) - _DEGREE_ORDER.index(expected)) >= 2


def _king_aggregation(ht: Any, gt: dict[str, Any], pairs: list[tuple[str, str]]) -> Any:
    """KING-robust kinship's counts for every pair, over autosomal biallelic sites called in both.

    phi_ij = 1/2 + (2 (N_Aa,Aa - 2 N_AA,aa) - N_Aa_i - N_Aa_j) / (4 min(N_Aa_i, N_Aa_j)) (Manichaikul et al.
    2010, the "between-family" estimator robust to population structure). This is exactly what ``hl.king``
    computes (same values, tested), without its block-matrix jobs that take ~10 s even for a trio. Autosomes
    only: a son shares no chrX with his father, which would pull father-son kinship down.
    """
    import hail as hl

    aggs = {}
    for k, (a, b) in enumerate(pairs):
        x, y = gt[a].n_alt_alleles(), gt[b].n_alt_alleles()
        both = hl.is_defined(x) & hl.is_defined(y)
        aggs[f"p{k}"] = hl.struct(
            hethet=hl.agg.count_where(both & (x == 1) & (y == 1)),
            opposite=hl.agg.count_where(both & (hl.abs(x - y) == 2)),
            het_a=hl.agg.count_where(both & (x == 1)),
            het_b=hl.agg.count_where(both & (y == 1)),
        )
    return hl.agg.filter(ht.locus.in_autosome() & (hl.len(ht.alleles) == 2), hl.struct(n=hl.agg.count(), **aggs))


def _relatedness(counts: Any, pairs: list[tuple[str, str]], ped: pd.DataFrame) -> pd.DataFrame:
    cols = ["sample_1", "sample_2", "kinship", "observed_degree", "expected_kinship", "expected_degree",
            "flag_relatedness", "flags"]
    if not pairs:
        return pd.DataFrame(columns=cols)
    n_rows = counts.n
    expected = expected_kinship(ped)
    rows = []
    for k, (a, b) in enumerate(pairs):
        c = counts[f"p{k}"]
        low = min(c.het_a, c.het_b)
        phi = 0.5 + (2 * (c.hethet - 2 * c.opposite) - c.het_a - c.het_b) / (4 * low) if low else float("nan")
        exp = expected.get((a, b), 0.0)
        obs_deg = king_degree(phi) if phi == phi else None
        exp_deg = king_degree(exp)
        flag = bool(n_rows >= MIN_VARIANTS_FOR_FLAGS and obs_deg is not None and _degrees_disagree(obs_deg, exp_deg))
        msg = []
        if flag:
            if exp_deg == "first" and obs_deg in ("unrelated", "third", "second"):
                msg.append(f"PED says first-degree but kinship {phi:.3f} is {obs_deg}: sample swap or non-paternity?")
            elif exp_deg == "unrelated":
                msg.append(f"PED says unrelated but kinship {phi:.3f} is {obs_deg}: sample swap or consanguinity?")
            else:
                msg.append(f"kinship {phi:.3f} ({obs_deg}) differs from the PED ({exp_deg}, {exp:.3f})")
        rows.append(
            {
                "sample_1": a,
                "sample_2": b,
                "kinship": phi,
                "observed_degree": obs_deg,
                "expected_kinship": exp,
                "expected_degree": exp_deg,
                "flag_relatedness": flag,
                "flags": msg,
            }
        )
    return pd.DataFrame(rows, columns=cols).reset_index(drop=True)


__all__ = [
    "Parentage",
    "parentage",
    "run_qc",
    "QcResult",
    "expected_kinship",
    "king_degree",
    "MIN_CALL_RATE",
    "HET_HOM_RANGE",
    "TI_TV_RANGE",
    "MAX_MENDEL_ERROR_RATE",
    "KING_BOUNDS",
]
