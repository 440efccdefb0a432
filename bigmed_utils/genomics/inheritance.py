"""Inheritance-mode candidate sets for a family, in Hail (pandas only for the small final table).

Every mode sees only the variants that pass the consequence gate (:mod:`bigmed_utils.genomics.gate`:
protein-altering, splice, SpliceAI >= 0.2 or ClinVar pathogenic; the reason is the ``gate`` column), so
both sides of a compound heterozygote are such variants; ``consequence_gate=False`` switches it off (for
research on non-coding variants, and for benchmarks).

Modes (``mode`` values of the output, shared with ``summary.json``):

``de_novo``
    rule ``de_novo_rule``: proband het, father and mother called hom-ref (good calls after the genotype
    filter), unaffected relatives not carrying; rule ``x_de_novo``: the same on chrX outside the PARs
    for a male proband, who may be hemizygous (hom-alt call) (slivar ``x_denovo``); rule ``hail_de_novo``:
    Hail's ``hl.de_novo`` (Kaitlin Samocha's de novo caller) with ``max_af`` as population prior, on the
    calls that pass the genotype filter (it applies its own thresholds too). AF <= ``de_novo_max_af``.
``autosomal_recessive``
    proband hom-alt (autosome or PAR); each genotyped parent het; unaffected relatives not hom-alt;
    affected relatives hom-alt. AF <= ``recessive_max_af``.
``compound_heterozygous``
    phased by transmission (slivar ``comphet_side``): in one gene (the variant's chosen gene), >= 1
    proband-het variant with father het / mother hom-ref and >= 1 with mother het / father hom-ref; a
    pair both of whose variants an unaffected relative carries is dropped; ``partners`` lists the
    other side and ``partner_phase`` the phase of each pair (``in_trans``: one side from each parent).
    A de novo side (proband het, both parents hom-ref, AF <= ``de_novo_max_af``; rule ``de_novo_side``)
    pairs with an inherited side in the same gene: the two are in trans or in cis, which transmission
    cannot tell (``partner_phase`` ``unknown``). Without both parents genotyped, any two rare
    proband-het variants in one gene are reported with rule ``unphased_side`` (phase ``unknown``).
    AF <= ``compound_het_max_af``.
``x_linked``
    chrX outside the PARs: male proband hom-alt/hemizygous, mother het (when genotyped), father not
    carrying (when genotyped); or a female proband hom-alt with a carrier mother and a carrying father.
    Unaffected males of the family not carrying. AF <= ``recessive_max_af``.
``x_linked_dominant``
    chrX outside the PARs, a heterozygous female proband whose variant is inherited: every genotyped
    affected member carries, every genotyped unaffected member is hom-ref, and (both parents genotyped) a
    carrying parent is affected. A heterozygous female whose parents are both hom-ref is ``de_novo``
    (rule ``x_de_novo``), a hemizygous male ``x_linked``. AF <= ``dominant_max_af``.
``autosomal_dominant``
    proband het (autosome or PAR); every genotyped affected member carries, every genotyped unaffected
    member is called hom-ref; inherited: an affected genotyped parent carries, or a parent is not
    genotyped (a het with both parents genotyped hom-ref is ``de_novo``, not listed twice); rule
    ``segregating_dominant``. With ``reduced_penetrance=True`` (default off) a het inherited from an
    *unaffected* parent is listed too (rule ``reduced_penetrance``; unaffected relatives may carry it).
    AF <= ``dominant_max_af``.

AF ceilings (:class:`InheritanceThresholds`): dominant and de novo 0.1 %, recessive 1 %, compound-het 2 %.
Source: Exomiser's preset analysis (``preset-exome-analysis.yml``, exomiser-cli) ``inheritanceModes`` in
percent: AUTOSOMAL_DOMINANT 0.1, AUTOSOMAL_RECESSIVE_HOM_ALT 0.1, AUTOSOMAL_RECESSIVE_COMP_HET 2.0,
X_DOMINANT 0.1, X_RECESSIVE_HOM_ALT 0.1, X_RECESSIVE_COMP_HET 2.0; slivar's rare-disease recipe uses
``gnomad_popmax_af < 0.001`` for dominant and de novo and ``< 0.01`` for recessive, which is the 1 % the
issue asks for the homozygous recessive and X-linked modes. Every ceiling is configurable.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..io.ped import AFFECTED, MALE, UNAFFECTED
from .acmg import MODES
from .filters import GenotypeFilters, apply_genotype_filters, filter_pass_expr
from .gate import GATE_REASONS, cached_gated_rows, gate_expr
from .hail_de_novo import cached_de_novo_calls, de_novo_calls
from .rare_rows import FAMILY_TABLE_MAX_AF, family_of, proband_rare_rows

log = logging.getLogger(__name__)

#: funnel step of the consequence gate
GATE_STEP = "consequence gate (protein-altering, splice, SpliceAI >= 0.2, ClinVar P/LP)"


@dataclass(frozen=True)
class InheritanceThresholds:
    """Maximum population allele frequency (``max_af``, a fraction) per inheritance mode."""

    #: Exomiser AUTOSOMAL_DOMINANT 0.1 %; slivar rare-disease wiki de novo ``gnomad_popmax_af < 0.001``
    de_novo_max_af: float = 0.001
    #: Exomiser AUTOSOMAL_DOMINANT 0.1 %
    dominant_max_af: float = 0.001
    #: the issue's 1 % (slivar rare-disease recipe, recessive ``gnomad_popmax_af < 0.01``; Exomiser 0.1 %)
    recessive_max_af: float = 0.01
    #: Exomiser AUTOSOMAL_RECESSIVE_COMP_HET 2 %
    compound_het_max_af: float = 0.02
    #: minimum ``p_de_novo`` of Hail's de novo caller to keep a call
    hail_de_novo_min_p: float = 0.5

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not 0.0 <= v <= 1.0:
                raise ParameterError(f"inheritance threshold {k}: {v} is not a fraction between 0 and 1")

    @property
    def loosest(self) -> float:
        return max(self.de_novo_max_af, self.dominant_max_af, self.recessive_max_af, self.compound_het_max_af)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class CandidateResult:
    """Output of :func:`find_candidates`."""

    #: one row per (variant, mode); see :func:`find_candidates`
    candidates: pd.DataFrame
    #: (step, variants left) for the funnel figure
    funnel: list[tuple[str, int]]
    #: role -> sample id (proband, father, mother; others as ``relative``)
    members: dict[str, Any] = field(default_factory=dict)


# size: one Hail pipeline whose funnel counts exactly what each step removes, on one table and member list
def find_candidates(
    mt: Any,
    pedigree_df: pd.DataFrame,
    *,
    proband: str,
    filters: GenotypeFilters | None = None,
    thresholds: InheritanceThresholds | None = None,
    use_hail_de_novo: bool = True,
    consequence_gate: bool = True,
    reduced_penetrance: bool = False,
    vcf_path: str | None = None,
) -> CandidateResult:
    """Candidate variants of every inheritance mode for the proband's family.

    Parameters
    ----------
    mt
        MatrixTable from :func:`bigmed_utils.io.vcf.read_vcf` (split; CSQ parsed or not), or the proband's
        :func:`proband_rare_rows` of it (what a re-analysis reads from the cache).
    pedigree_df
        From :func:`bigmed_utils.io.ped.read_ped`; the proband's family is used.
    proband
        Sample id of the proband.
    filters, thresholds
        Genotype filters and AF ceilings (defaults: slivar-like, Exomiser-like).
    use_hail_de_novo
        Also run ``hl.de_novo`` (needs PL, AD, DP, GQ entry fields and both parents).
    consequence_gate
        Keep only variants that pass the consequence gate (:mod:`bigmed_utils.genomics.gate`) before any
        mode (default). ``False`` lets every variant through; ``gate`` is still filled in.
    reduced_penetrance
        Also list hets inherited from an unaffected parent as ``autosomal_dominant`` (rule
        ``reduced_penetrance``). Default off: such a variant contradicts a fully penetrant dominant disorder.

    Returns
    -------
    CandidateResult
        ``candidates``: pandas DataFrame, one row per (variant, mode), columns ``variant_id``, ``gene``,
        ``genes``, ``consequence``, ``consequence_terms``, ``impact``, ``hgvsc``, ``hgvsp``,
        ``transcript``, ``exon``, ``intron``, ``protein_position``, ``nmd``, ``spliceai``, ``max_af``,
        ``af_missing``, ``af_source``, ``popmax_af``, ``faf95``, ``revel``, ``clin_sig``, ``gate`` (why the
        variant passed the consequence gate, missing when it did not), ``mode``, ``rules`` (which rules
        found it), ``partners`` (compound-het other side), ``partner_phase`` (partner -> ``in_trans`` or
        ``unknown``), ``p_de_novo``, ``de_novo_confidence``, ``genotypes`` (sample -> GT string as in the
        VCF, ``./.`` when absent), ``low_quality`` (samples whose call failed the genotype filter) and one
        ``GT_<sample>`` column per genotyped family member. ``funnel``: variant counts after each step.

    Raises
    ------
    InputDataError
        The proband or a family member of the PED is not a sample of the VCF.
    """
    import hail as hl

    from ..io.vcf import require_samples

    f = filters or GenotypeFilters()
    t = thresholds or InheritanceThresholds()
    fam = family_of(pedigree_df, proband)
    if vcf_path is None:
        vcf_path = hl.eval(mt.vcf_path) if "vcf_path" in mt.globals else "VCF"
    require_samples(
        mt, list(fam["individual_id"]), vcf_path=vcf_path, ped_path=pedigree_df.attrs.get("path"), proband=proband
    )
    members = list(fam["individual_id"])
    info = fam.set_index("individual_id")
    father = info.at[proband, "paternal_id"]
    mother = info.at[proband, "maternal_id"]
    proband_male = int(info.at[proband, "sex"]) == MALE

    if "bigmed_family" not in mt.globals:
        mt = proband_rare_rows(mt, pedigree_df, proband=proband, max_af=t.loosest)
    family = hl.eval(mt.bigmed_family)
    if family.proband != proband or family.max_af < t.loosest:
        raise ParameterError(
            f"the family table is for proband {family.proband!r} and AF <= {family.max_af:g}; "
            f"proband {proband!r} with a ceiling of {t.loosest:g} needs the whole VCF"
        )
    funnel: list[tuple[str, int]] = [
        ("variants in VCF (after split)", int(family.n_variants)),
        ("proband carries an ALT allele", int(family.n_proband_alt)),
    ]
    gf = GenotypeFilters(**{**f.as_dict(), "require_pass": False})
    # the funnel's counts in one pass over the rare rows (a table is only written for the rows the modes read)
    rare = mt.filter_rows(mt.max_af <= t.loosest)
    checked = apply_genotype_filters(rare, gf)
    checked = checked.annotate_rows(
        _pass=filter_pass_expr(checked) if f.require_pass else hl.bool(True),
        _good=hl.agg.any((checked.s == proband) & hl.is_defined(checked.GT) & checked.GT.is_non_ref()),
        _gated=hl.is_defined(gate_expr(checked)),
    ).rows()
    counts = checked.aggregate(hl.struct(
        rare=hl.agg.count(),
        passed=hl.agg.count_where(checked._pass),
        good=hl.agg.count_where(checked._pass & checked._good),
        gated=hl.agg.count_where(checked._pass & checked._good & checked._gated),
    ))
    funnel.append((f"population AF <= {t.loosest:g} (loosest mode ceiling)", int(counts.rare)))
    if f.require_pass:
        funnel.append(("FILTER = PASS", int(counts.passed)))
    funnel.append(("proband carries ALT with a good genotype", int(counts.good)))

    cached = "bigmed_cache" in mt.globals
    if consequence_gate:
        funnel.append((GATE_STEP, int(counts.gated)))
        # the gated rows do not depend on any threshold: cached beside the VCF, a re-analysis reads only them
        source = cached_gated_rows(mt, family=family, members=members)
    else:
        source = mt.annotate_rows(gate=gate_expr(mt))
    rows = apply_genotype_filters(source.filter_rows(source.max_af <= t.loosest), GenotypeFilters(**f.as_dict()))
    rows = rows.filter_rows(hl.agg.any((rows.s == proband) & hl.is_defined(rows.GT) & rows.GT.is_non_ref()))
    ht = rows.localize_entries("g", "samples")
    if not (consequence_gate and cached):
        # every variant (no gate) or rows computed from the VCF: the jobs below would each compute them again
        ht = ht.checkpoint(hl.utils.new_temp_file("bigmed_proband", "ht"))

    col_order = [s for s in hl.eval(ht.samples.s)]
    flags, partners, phases = _mode_flags(
        ht, members=members, info=info, proband=proband, father=father, mother=mother,
        proband_male=proband_male, col_order=col_order, t=t, reduced_penetrance=reduced_penetrance,
    )
    ht = ht.annotate(**flags)

    # -- Hail's de novo caller (on the gated rows only) ------------------------------------------------
    hail_dn: dict[str, tuple[float, str]] = {}
    called: dict[str, tuple[float, str]] | None = None
    dn_flag = hl.bool(False)
    needed = {"PL", "AD", "DP", "GQ"}
    present = set(col_order)
    both_parents = father is not None and father in present and mother is not None and mother in present
    if use_hail_de_novo and both_parents and needed <= set(ht.g.dtype.element_type):
        if consequence_gate and cached:
            # computed once on the calls as imported (cached); a call stands when both parents' calls pass
            # the genotype filter: exactly the calls hl.de_novo makes on the filtered calls (it needs both
            # parents called hom-ref, and reads no other row or sample)
            called = {v: (p, c) for v, (p, c) in cached_de_novo_calls(source, fam, proband=proband, father=father,
                                                                 mother=mother, family=family).items()
                      if p >= t.hail_de_novo_min_p}
            idx = {s: i for i, s in enumerate(col_order)}
            dn_flag = (hl.literal(set(called), hl.tset(hl.tstr)).contains(ht.variant_id)
                       & hl.is_defined(ht.g[idx[father]].GT) & hl.is_defined(ht.g[idx[mother]].GT)
                       & (ht.max_af <= t.de_novo_max_af))
        else:
            # no cache (or no gate): on the checkpointed rows, the proband's good calls, failing calls missing
            calls = ht.select("variant_id", "max_af", "g")._unlocalize_entries("g", "samples", ["s"])
            hail_dn = de_novo_calls(calls, fam, proband=proband, father=father, mother=mother,
                                    max_af=t.de_novo_max_af, min_p=t.hail_de_novo_min_p) or {}
            dn_flag = hl.literal(set(hail_dn), hl.tset(hl.tstr)).contains(ht.variant_id)

    # -- assemble the small table ---------------------------------------------------------------------
    idx = {s: i for i, s in enumerate(col_order)}
    gts = {s: hl.or_else(hl.str(ht.g[idx[s]].GT_raw), "./.") for s in col_order}
    ht = ht.annotate(
        _hail_dn=dn_flag,
        _genotypes=hl.dict(hl.array([hl.tuple([s, gts[s]]) for s in col_order])),
        _low_quality=hl.array([hl.or_missing(~ht.g[idx[s]].GT_pass & hl.is_defined(ht.g[idx[s]].GT_raw), s) for s in col_order]).filter(hl.is_defined),
    )
    keep = ht.filter(ht._de_novo | ht._ar | ht._xl | ht._xld | ht._ad | ht._ad_rp | ht._ch_pair | ht._hail_dn)
    optional = [c for c in _OPTIONAL_ROW_FIELDS if c in keep.row]
    keep = keep.select(
        *_BASE_ROW_FIELDS, *optional, "gate", *flags, "_hail_dn",
        genotypes=keep._genotypes,
        low_quality=keep._low_quality,
    )
    rows = keep.key_by().drop("locus", "alleles").to_pandas()
    if called is not None and len(rows):
        hail_dn = {v: called[v] for v in rows.loc[rows["_hail_dn"].astype(bool), "variant_id"]}
    rows = rows.drop(columns="_hail_dn")
    out = _explode_modes(rows, partners, phases, hail_dn, col_order)
    funnel.append(("candidates in any mode", int(out["variant_id"].nunique()) if len(out) else 0))
    for mode in MODES:
        funnel.append((f"  {mode}", int((out["mode"] == mode).sum()) if len(out) else 0))
    others = [s for s in members if s not in (proband, father, mother)]
    roles = {"proband": proband, "father": father, "mother": mother, "relatives": others}
    return CandidateResult(candidates=out, funnel=funnel, members=roles)


#: row fields every candidate table carries (from :func:`~bigmed_utils.genomics.csq.annotate_csq`)
_BASE_ROW_FIELDS = ("variant_id", "gene", "genes", "consequence", "consequence_terms", "impact", "hgvsc", "hgvsp",
                    "transcript", "exon", "max_af", "af_missing", "revel", "clin_sig")
#: row fields of the newer CSQ parser (absent from a family table cached by older code: filled with missing)
_OPTIONAL_ROW_FIELDS = ("intron", "protein_position", "nmd", "spliceai", "af_source", "popmax_af", "faf95")


# size: the inheritance rules of every mode side by side, so that a reader compares them in one place
def _mode_flags(
    ht: Any,
    *,
    members: list[str],
    info: pd.DataFrame,
    proband: str,
    father: str | None,
    mother: str | None,
    proband_male: bool,
    col_order: list[str],
    t: InheritanceThresholds,
    reduced_penetrance: bool,
) -> tuple[dict[str, Any], dict[str, set[str]], dict[tuple[str, str], str]]:
    """Per-row Hail expressions of every mode (``_de_novo``, ``_ar`` ...) and the compound-het pairs.

    Returns ``(flags, partners, phases)``: ``partners`` maps a variant to its compound-het partners and
    ``phases`` a (variant, partner) pair to ``in_trans`` or ``unknown``.
    """
    import hail as hl

    idx = {s: i for i, s in enumerate(col_order)}
    present = set(col_order)

    def gt(s: str) -> Any:
        return ht.g[idx[s]].GT

    def ab(s: str) -> Any:
        return ht.g[idx[s]].AB

    def hom_ref(s: str) -> Any:
        return hl.or_else(gt(s).is_hom_ref(), False)

    def het(s: str) -> Any:
        return hl.or_else(gt(s).is_het(), False)

    def hom_alt(s: str) -> Any:
        return hl.or_else(gt(s).is_hom_var(), False)

    def carrier(s: str) -> Any:
        return hl.or_else(gt(s).is_non_ref(), False)

    def all_of(exprs: list[Any]) -> Any:
        out = hl.bool(True)
        for e in exprs:
            out = out & e
        return out

    unaffected = [s for s in members if s != proband and int(info.at[s, "phenotype"]) == UNAFFECTED]
    affected_rel = [s for s in members if s != proband and int(info.at[s, "phenotype"]) == AFFECTED]
    has_f = father is not None and father in present
    has_m = mother is not None and mother in present
    both_parents = has_f and has_m
    x_nonpar = ht.locus.in_x_nonpar()
    autosome = ht.locus.in_autosome_or_par()
    af = ht.max_af

    # -- de novo (rule-based) ---------------------------------------------------------------------
    if both_parents:
        parents_ref = hom_ref(father) & hom_ref(mother)
        unaff_clear = all_of([~carrier(s) for s in unaffected if s not in (father, mother)])
        dn_auto = ~(x_nonpar & proband_male) & het(proband) & parents_ref & unaff_clear
        male_x_alt = hom_alt(proband) | (het(proband) & hl.or_else(ab(proband) > 0.75, False))
        dn_x = x_nonpar & hl.bool(proband_male) & male_x_alt & parents_ref & unaff_clear
        de_novo = (dn_auto | dn_x) & (af <= t.de_novo_max_af)
        de_novo_rule = hl.if_else(x_nonpar, "x_de_novo", "de_novo_rule")
    else:
        parents_ref = hl.bool(False)
        de_novo = hl.bool(False)
        de_novo_rule = hl.missing(hl.tstr)

    # -- autosomal recessive (homozygous) ----------------------------------------------------------
    ar = autosome & hom_alt(proband) & (af <= t.recessive_max_af)
    for p in (father, mother):
        if p is not None and p in present:
            ar = ar & het(p)
    ar = ar & all_of([~hom_alt(s) for s in unaffected if s not in (father, mother)])
    ar = ar & all_of([hom_alt(s) for s in affected_rel if s not in (father, mother)])

    # -- X-linked recessive -------------------------------------------------------------------------
    unaffected_males = [s for s in unaffected if int(info.at[s, "sex"]) == MALE and s != father]
    if proband_male:
        xl = x_nonpar & (hom_alt(proband) | (het(proband) & hl.or_else(ab(proband) > 0.75, False)))
        if has_m:
            xl = xl & het(mother)
        if has_f:
            xl = xl & hom_ref(father)
    else:
        xl = x_nonpar & hom_alt(proband)
        if has_m:
            xl = xl & carrier(mother)
        if has_f:
            xl = xl & carrier(father)
    xl = xl & all_of([~carrier(s) for s in unaffected_males]) & (af <= t.recessive_max_af)

    # -- dominant (autosomal, and X-linked in a heterozygous female) ----------------------------------
    affected_parents = [p for p in (father, mother) if p is not None and p in present and p in affected_rel]
    if both_parents:
        inherited_affected = hl.any([carrier(p) for p in affected_parents]) if affected_parents else hl.bool(False)
    else:
        inherited_affected = hl.bool(True)
    segregating = all_of([carrier(s) for s in affected_rel]) & all_of([hom_ref(s) for s in unaffected])
    ad = autosome & het(proband) & (af <= t.dominant_max_af) & segregating & inherited_affected
    xld = hl.bool(False)
    if not proband_male:
        xld = x_nonpar & het(proband) & (af <= t.dominant_max_af) & segregating & inherited_affected
    ad_rp = hl.bool(False)
    if reduced_penetrance:
        # a het inherited from either parent (affected or not); affected relatives still carry it
        inherited_any = (carrier(father) | carrier(mother)) if both_parents else ~parents_ref
        ad_rp = (autosome & het(proband) & (af <= t.dominant_max_af) & all_of([carrier(s) for s in affected_rel])
                 & inherited_any & ~ad)

    # -- compound heterozygous (side of each variant) -------------------------------------------------
    if both_parents:
        pat = het(father) & hom_ref(mother)
        mat = het(mother) & hom_ref(father)
        dn_side = het(proband) & parents_ref & (af <= t.de_novo_max_af)
        side = hl.case().when(pat, "paternal").when(mat, "maternal").when(dn_side, "de_novo").or_missing()
        ch_ok = het(proband) & hl.is_defined(ht.gene) & autosome & hl.is_defined(side) & (
            af <= t.compound_het_max_af
        )
    else:
        # parents not both genotyped: two rare proband-het variants in one gene, phase unknown
        side = hl.literal("unphased")
        ch_ok = het(proband) & hl.is_defined(ht.gene) & autosome & (af <= t.compound_het_max_af)
    unaff_carriers = (
        hl.array([hl.or_missing(carrier(s), s) for s in unaffected]) if unaffected else hl.empty_array(hl.tstr)
    )
    pairs_in = ht.select(variant_id=ht.variant_id, gene=ht.gene, ok=ch_ok, side=side,
                         unaff=hl.set(unaff_carriers.filter(hl.is_defined)))
    partners, phases = _compound_het_pairs(pairs_in)
    flags = dict(
        _de_novo=de_novo,
        _de_novo_rule=de_novo_rule,
        _ar=ar,
        _xl=xl,
        _xld=xld,
        _ad=ad,
        _ad_rp=ad_rp,
        _ch_pair=hl.literal(set(partners) if partners else set(), hl.tset(hl.tstr)).contains(ht.variant_id),
        _side=side,
    )
    return flags, partners, phases


def _compound_het_pairs(ch: Any) -> tuple[dict[str, set[str]], dict[tuple[str, str], str]]:
    """Pair the compound-het sides within each gene (rows with ``ok``), in Hail; collect the few pairs.

    One aggregation groups the sides by gene in memory (the rows are the gated few; without the gate, tens
    of thousands of small records): a ``group_by`` of the table would sort it, which costs a shuffle.
    """
    import hail as hl

    ch = ch.filter(ch.ok)
    inherited = hl.literal({"paternal", "maternal"})

    def phase(a: Any, b: Any) -> Any:
        return (
            hl.case()
            .when((a.side == "paternal") & (b.side == "maternal"), "in_trans")
            .when((a.side == "unphased") & (b.side == "unphased") & (a.variant_id < b.variant_id), "unknown")
            .when((a.side == "de_novo") & inherited.contains(b.side), "unknown")
            .or_missing()
        )

    def gene_pairs(vs: Any) -> Any:
        return vs.flatmap(
            lambda a: vs.map(lambda b: hl.struct(a=a.variant_id, b=b.variant_id, phase=phase(a, b),
                                                 shared=hl.len(a.unaff.intersection(b.unaff)) > 0))
            .filter(lambda pr: hl.is_defined(pr.phase) & ~pr.shared)
        )

    by_gene = hl.agg.group_by(ch.gene, hl.agg.collect(hl.struct(variant_id=ch.variant_id, side=ch.side,
                                                                 unaff=ch.unaff)))
    found = ch.aggregate(hl.rbind(by_gene, lambda genes: genes.values().flatmap(gene_pairs)))
    partners: dict[str, set[str]] = {}
    phases: dict[tuple[str, str], str] = {}
    for pr in found:
        partners.setdefault(pr.a, set()).add(pr.b)
        partners.setdefault(pr.b, set()).add(pr.a)
        phases[(pr.a, pr.b)] = phases[(pr.b, pr.a)] = pr.phase
    return partners, phases


def _explode_modes(
    rows: pd.DataFrame,
    partners: dict[str, set[str]],
    phases: dict[tuple[str, str], str],
    hail_dn: dict[str, tuple[float, str]],
    samples: list[str],
) -> pd.DataFrame:
    """One row per (variant, mode) from the per-variant flags (small pandas work)."""
    base_cols = [*_BASE_ROW_FIELDS, *_OPTIONAL_ROW_FIELDS, "gate", "genotypes", "low_quality"]
    records: list[dict[str, Any]] = []
    side_rule = {"paternal": "paternal_side", "maternal": "maternal_side", "de_novo": "de_novo_side",
                 "unphased": "unphased_side"}
    for r in rows.to_dict("records"):
        base = {c: r.get(c) for c in base_cols}
        base["genes"] = list(base["genes"]) if base["genes"] is not None else []
        base["genotypes"] = dict(base["genotypes"])
        base["low_quality"] = list(base["low_quality"]) if base["low_quality"] is not None else []
        base["nmd"] = None if base["nmd"] is None or pd.isna(base["nmd"]) else bool(base["nmd"])
        dn_rules = []
        if r['_de_novo']:
            dn_rules.append(r['_de_novo_rule'])
        if r['variant_id'] in hail_dn:
            dn_rules.append("hail_de_novo")
        p, conf = hail_dn.get(r['variant_id'], (None, None))
        modes = []
        if dn_rules:
            modes.append(("de_novo", dn_rules))
        if r['_ar']:
            modes.append(("autosomal_recessive", ["hom_alt_parents_het"]))
        if r['_ch_pair']:
            modes.append(("compound_heterozygous", [side_rule.get(r['_side'], f"{r['_side']}_side")]))
        if r['_xl']:
            modes.append(("x_linked", ["x_recessive"]))
        if r['_ad']:
            modes.append(("autosomal_dominant", ["segregating_dominant"]))
        elif r['_ad_rp']:
            modes.append(("autosomal_dominant", ["reduced_penetrance"]))
        if r['_xld']:
            modes.append(("x_linked_dominant", ["x_dominant_inherited"]))
        for mode, rules in modes:
            rec = dict(base)
            ch = mode == "compound_heterozygous"
            mine = sorted(partners.get(r['variant_id'], ())) if ch else []
            rec.update(
                mode=mode,
                rules=",".join(rules),
                partners=mine,
                partner_phase={q: phases.get((r['variant_id'], q), "unknown") for q in mine},
                p_de_novo=p if mode == "de_novo" else None,
                de_novo_confidence=conf if mode == "de_novo" else None,
            )
            for s in samples:
                rec[f"GT_{s}"] = base["genotypes"].get(s, "./.")
            records.append(rec)
    cols = base_cols + ["mode", "rules", "partners", "partner_phase", "p_de_novo", "de_novo_confidence"] + [
        f"GT_{s}" for s in samples]
    out = pd.DataFrame(records, columns=cols)
    if len(out):
        out["_m"] = out["mode"].map({m: i for i, m in enumerate(MODES)})
        out = out.sort_values(["_m", "variant_id"]).drop(columns="_m").reset_index(drop=True)
    return out


__all__ = ["FAMILY_TABLE_MAX_AF", "GATE_REASONS", "GATE_STEP", "InheritanceThresholds", "CandidateResult",
           "find_candidates", "proband_rare_rows", "MODES"]
