"""Parse the Ensembl VEP ``CSQ`` INFO field into one annotation per variant, in Hail.

The field layout is taken from the VCF header (``##INFO=<ID=CSQ,...,Description="... Format: A|B|C">``),
so any subset and order of VEP fields works: a field absent from the header gives a missing value.

Allele matching
    After ``hl.split_multi_hts`` each row is one ALT allele. A CSQ entry belongs to that allele when its
    ``ALLELE_NUM`` (if VEP ran with ``--allele_number``) equals the allele's index, otherwise when its
    ``Allele`` equals the allele in VEP's notation, computed from the *original* VCF alleles by VEP's own
    rule (``Bio::EnsEMBL::VEP::Parser::VCF``): if any ALT differs in length from REF (an indel record) and
    REF and every ALT share their first base, that base is removed from all alleles and an empty allele
    becomes ``-``; SNVs and MNVs keep their alleles. Example: ``T>TC`` is ``C``; ``CT>C`` is ``-``.

Transcript and gene choice (:data:`TRANSCRIPT_RULE`)
    See the constant; the report quotes it.

Consequence severity
    :data:`CONSEQUENCE_SEVERITY` is Ensembl's table "Calculated variant consequences", ordered from most
    to least severe (https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html,
    Ensembl release 113, with the IMPACT column). Terms not in the table rank last.
"""

from __future__ import annotations

import re
from typing import Any

#: The rule used to pick one transcript and one gene per variant (quoted in reports).
TRANSCRIPT_RULE = (
    "Per variant and gene, the VEP transcript flagged CANONICAL=YES is used; if the gene has no canonical "
    "transcript among the entries, the transcript with the most severe consequence (Ensembl severity "
    "order) is used. Across genes, the gene whose chosen transcript has the most severe consequence is "
    "reported (ties: canonical first, then gene name); all genes hit are listed in `genes`."
)

#: Ensembl "Calculated variant consequences" (SO term, IMPACT), most severe first.
#: Source: https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html (release 113).
CONSEQUENCE_SEVERITY: tuple[tuple[str, str], ...] = (
    ("transcript_ablation", "HIGH"),
    ("splice_acceptor_variant", "HIGH"),
    ("splice_donor_variant", "HIGH"),
    ("stop_gained", "HIGH"),
    ("frameshift_variant", "HIGH"),
    ("stop_lost", "HIGH"),
    ("start_lost", "HIGH"),
    ("transcript_amplification", "HIGH"),
    ("feature_elongation", "HIGH"),
    ("feature_truncation", "HIGH"),
    ("inframe_insertion", "MODERATE"),
    ("inframe_deletion", "MODERATE"),
    ("missense_variant", "MODERATE"),
    ("protein_altering_variant", "MODERATE"),
    ("splice_donor_5th_base_variant", "LOW"),
    ("splice_region_variant", "LOW"),
    ("splice_donor_region_variant", "LOW"),
    ("splice_polypyrimidine_tract_variant", "LOW"),
    ("incomplete_terminal_codon_variant", "LOW"),
    ("start_retained_variant", "LOW"),
    ("stop_retained_variant", "LOW"),
    ("synonymous_variant", "LOW"),
    ("coding_sequence_variant", "MODIFIER"),
    ("mature_miRNA_variant", "MODIFIER"),
    ("5_prime_UTR_variant", "MODIFIER"),
    ("3_prime_UTR_variant", "MODIFIER"),
    ("non_coding_transcript_exon_variant", "MODIFIER"),
    ("intron_variant", "MODIFIER"),
    ("NMD_transcript_variant", "MODIFIER"),
    ("non_coding_transcript_variant", "MODIFIER"),
    ("coding_transcript_variant", "MODIFIER"),
    ("upstream_gene_variant", "MODIFIER"),
    ("downstream_gene_variant", "MODIFIER"),
    ("TFBS_ablation", "MODIFIER"),
    ("TFBS_amplification", "MODIFIER"),
    ("TF_binding_site_variant", "MODIFIER"),
    ("regulatory_region_ablation", "MODIFIER"),
    ("regulatory_region_amplification", "MODIFIER"),
    ("regulatory_region_variant", "MODIFIER"),
    ("intergenic_variant", "MODIFIER"),
    ("sequence_variant", "MODIFIER"),
)
#: rank of each term (0 = most severe)
SEVERITY_RANK: dict[str, int] = {term: i for i, (term, _) in enumerate(CONSEQUENCE_SEVERITY)}
#: terms that VEP releases before 2015 used, mapped to today's (VEP 85 files still carry them)
LEGACY_TERMS = {"initiator_codon_variant": "start_lost", "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant"}

#: CSQ fields read as population allele frequency (max over them = ``max_af``): VEP's ``MAX_AF`` and any
#: gnomAD field (``gnomAD_AF``, ``gnomADe_AFR_AF``, ``gnomADg_AF``, dbNSFP ``gnomAD_exomes_AF`` ...).
CSQ_AF_PATTERN = re.compile(r"^(max_af|gnomad[eg]?(_[a-z0-9]+)*_af(_[a-z0-9]+)?)$", re.IGNORECASE)
#: INFO fields read as population AF as well (Scout ``GNOMADAF``/``GNOMADAF_popmax``, slivar
#: ``gnomad_popmax_af``, ``EXACMAX_AF``); negative values (slivar writes -1 for absent) count as missing.
INFO_AF_PATTERN = re.compile(r"^(gnomad|exac)[a-z0-9_]*?_?(af|af_popmax|popmax)$", re.IGNORECASE)
#: CSQ fields holding REVEL, in order of preference (dbNSFP plugin, REVEL plugin)
REVEL_FIELDS = ("REVEL_score", "REVEL")
#: CSQ fields holding ClinVar significance (VEP ``--check_existing``; ``--custom clinvar``)
CLINSIG_FIELDS = ("CLIN_SIG", "CLINVAR_CLNSIG")
#: INFO fields holding ClinVar significance (bcftools/vcfanno annotations)
INFO_CLINSIG_FIELDS = ("CLNSIG", "CLINVAR_CLNSIG")

_FORMAT_RE = re.compile(r"Format:\s*([^\"]+)")


def parse_csq_format(description: str) -> list[str]:
    """Field names of a CSQ header ``Description`` (the text after ``Format:``), e.g. ``['Allele', ...]``."""
    m = _FORMAT_RE.search(description)
    if not m:
        return []
    return [f.strip() for f in m.group(1).strip().split("|")]


def consequence_rank(term: str) -> int:
    """Severity rank of one SO term (0 = most severe; unknown terms rank after every known term)."""
    term = LEGACY_TERMS.get(term, term)
    return SEVERITY_RANK.get(term, len(CONSEQUENCE_SEVERITY))


def vep_allele_expr(old_alleles: Any, a_index: Any) -> Any:
    """VEP's notation of ALT allele ``a_index`` of the original VCF alleles (see module docstring)."""
    import hail as hl

    ref = old_alleles[0]
    alts = old_alleles[1:]
    is_indel = alts.any(lambda a: hl.len(a) != hl.len(ref))
    first = ref[0]
    shared_first = old_alleles.all(lambda a: (hl.len(a) > 0) & (a[0] == first))
    alt = old_alleles[a_index]
    trimmed = hl.if_else(hl.len(alt) > 1, alt[1:], "-")
    return hl.if_else(is_indel & shared_first, trimmed, alt)


def _max_float(values: Any) -> Any:
    """Max of a '&'-joined list of numbers in a string (VEP joins co-located values with '&')."""
    import hail as hl

    nums = values.split("&").map(lambda v: hl.parse_float64(v)).filter(lambda v: hl.is_defined(v) & (v >= 0))
    return hl.or_missing(hl.len(nums) > 0, hl.max(nums))


def annotate_csq(
    mt: Any,
    *,
    fields: list[str],
    csq_field: str = "CSQ",
    info_fields: dict[str, Any] | None = None,
) -> Any:
    """Add one consequence annotation per row (allele) from the VEP field of ``mt.info``.

    Parameters
    ----------
    mt
        A split MatrixTable (rows keyed by locus/alleles, with ``a_index`` from
        ``hl.split_multi_hts`` and ``vcf_alleles``, the alleles before splitting) whose ``info`` has ``csq_field`` as ``array<str>``, or a table without it
        (then every annotation is missing and ``has_csq`` is False).
    fields
        CSQ field names in header order (:func:`parse_csq_format`).
    info_fields
        INFO field name -> Hail type, used to find AF, REVEL and ClinVar fields outside CSQ.

    Returns
    -------
    MatrixTable
        With row fields ``gene`` (SYMBOL, else Gene id), ``gene_id``, ``genes`` (all symbols hit),
        ``consequence`` (most severe SO term of the chosen transcript), ``consequence_terms`` (VEP's full
        '&'-joined string), ``impact``, ``hgvsc``, ``hgvsp``, ``transcript``, ``canonical``, ``biotype``,
        ``exon``, ``revel``, ``clin_sig``, ``max_af`` (0 when no frequency is known), ``af_missing``
        (True then: novel or unannotated), ``has_csq``.
    """
    import hail as hl

    info_fields = info_fields or {}
    idx = {name: i for i, name in enumerate(fields)}
    lower = {name.lower(): name for name in fields}

    def col(parts: Any, name: str | None) -> Any:
        if name is None or name not in idx:
            return hl.missing(hl.tstr)
        i = idx[name]
        return hl.or_missing((hl.len(parts) > i) & (parts[i] != ""), parts[i])

    def first_field(names: tuple[str, ...]) -> str | None:
        for n in names:
            if n in idx:
                return n
            if n.lower() in lower:
                return lower[n.lower()]
        return None

    af_cols = [f for f in fields if CSQ_AF_PATTERN.match(f)]
    revel_col = first_field(REVEL_FIELDS)
    clin_col = first_field(CLINSIG_FIELDS)
    rank_dict = hl.literal({**SEVERITY_RANK, **{k: SEVERITY_RANK[v] for k, v in LEGACY_TERMS.items()}})
    n_terms = len(CONSEQUENCE_SEVERITY)
    impact_of = hl.literal({t: imp for t, imp in CONSEQUENCE_SEVERITY})
    order = hl.literal([t for t, _ in CONSEQUENCE_SEVERITY])

    has_csq = csq_field in info_fields
    allele = vep_allele_expr(mt.vcf_alleles, mt.a_index)

    def entry(s: Any) -> Any:
        parts = s.split("\\|")
        terms_str = hl.or_else(col(parts, "Consequence"), "")
        terms = terms_str.split("&").map(lambda t: hl.or_else(rank_dict.get(t), n_terms))
        rank = hl.or_else(hl.min(terms), n_terms)
        symbol = col(parts, "SYMBOL")
        gene_id = col(parts, "Gene")
        return hl.struct(
            allele=col(parts, "Allele"),
            allele_num=hl.parse_int32(hl.or_else(col(parts, "ALLELE_NUM"), "")),
            terms=terms_str,
            rank=rank,
            impact=col(parts, "IMPACT"),
            gene=hl.or_else(symbol, gene_id),
            gene_id=gene_id,
            gene_key=hl.or_else(gene_id, hl.or_else(symbol, "")),
            transcript=col(parts, "Feature"),
            canonical=col(parts, "CANONICAL") == "YES",
            biotype=col(parts, "BIOTYPE"),
            exon=col(parts, "EXON"),
            hgvsc=col(parts, "HGVSc"),
            hgvsp=col(parts, "HGVSp"),
            revel=hl.or_missing(revel_col is not None, _max_float(hl.or_else(col(parts, revel_col), ""))),
            clin_sig=col(parts, clin_col),
            af=hl.max(
                hl.array([_max_float(hl.or_else(col(parts, c), "")) for c in af_cols] or [hl.missing(hl.tfloat64)])
            ),
        )

    if has_csq:
        raw = hl.or_else(mt.info[csq_field], hl.empty_array(hl.tstr)).map(entry)
        use_num = "ALLELE_NUM" in idx
        mine = raw.filter(
            lambda e: (e.allele_num == mt.a_index) if use_num else (e.allele == allele)
        )
    else:
        mine = hl.empty_array(entry(hl.literal("")).dtype)

    def key_within_gene(e: Any) -> Any:
        return (hl.if_else(hl.or_else(e.canonical, False), 0, 1), e.rank)

    per_gene = hl.group_by(lambda e: e.gene_key, mine).values().map(
        lambda es: hl.sorted(es, key=key_within_gene)[0]
    )
    ranked = hl.sorted(
        per_gene,
        key=lambda e: (hl.if_else(e.gene_key == "", 1, 0), e.rank, hl.if_else(hl.or_else(e.canonical, False), 0, 1), e.gene_key),
    )
    # Materialise the per-row choice once: every field below reads it. Built as one nested expression,
    # Hail re-evaluated the CSQ parsing for each field (2x slower import of a 23k-site trio, measured).
    mt = mt.annotate_rows(
        _csq_choice=hl.struct(
            best=hl.or_missing(hl.len(ranked) > 0, ranked[0]),
            genes=hl.sorted(hl.set(ranked.map(lambda e: e.gene).filter(hl.is_defined))),
            af=hl.or_missing(hl.len(mine) > 0, hl.max(mine.map(lambda e: e.af))),
            n=hl.len(mine),
        )
    )
    best = mt._csq_choice.best

    # population frequency: CSQ fields, then INFO fields (Number=A arrays indexed by the split allele)
    af_values = [mt._csq_choice.af]
    for name, typ in info_fields.items():
        if not INFO_AF_PATTERN.match(name):
            continue
        if typ == hl.tfloat64 or typ == hl.tfloat32 or typ == hl.tint32:
            v = hl.float64(mt.info[name])
        elif typ in (hl.tarray(hl.tfloat64), hl.tarray(hl.tfloat32)):
            arr = mt.info[name]
            v = hl.or_missing(hl.len(arr) >= mt.a_index, hl.float64(arr[mt.a_index - 1]))
        else:
            continue
        af_values.append(hl.or_missing(v >= 0, v))
    af_arr = hl.array(af_values).filter(hl.is_defined)
    max_af = hl.or_missing(hl.len(af_arr) > 0, hl.max(af_arr))

    revel = best.revel
    if "REVEL" in info_fields and info_fields["REVEL"] in (hl.tfloat64, hl.tfloat32):
        revel = hl.or_else(revel, hl.float64(mt.info["REVEL"]))
    clin_sig = best.clin_sig
    for name in INFO_CLINSIG_FIELDS:
        typ = info_fields.get(name)
        if typ == hl.tstr:
            clin_sig = hl.or_else(clin_sig, mt.info[name])
        elif typ == hl.tarray(hl.tstr):
            clin_sig = hl.or_else(clin_sig, hl.delimit(mt.info[name], ","))

    most_severe = hl.or_missing(
        hl.is_defined(best) & (best.rank < n_terms), order[hl.min(best.rank, n_terms - 1)]
    )
    most_severe = hl.or_else(most_severe, best.terms.split("&")[0])
    genes = mt._csq_choice.genes
    ann = hl.struct(
        gene=best.gene,
        gene_id=best.gene_id,
        genes=genes,
        consequence=most_severe,
        consequence_terms=best.terms,
        consequence_rank=hl.or_else(best.rank, n_terms),
        impact=hl.or_else(best.impact, impact_of.get(most_severe)),
        hgvsc=best.hgvsc,
        hgvsp=best.hgvsp,
        transcript=best.transcript,
        canonical=hl.or_else(best.canonical, False),
        biotype=best.biotype,
        exon=best.exon,
        revel=revel,
        clin_sig=clin_sig,
        max_af=hl.or_else(max_af, 0.0),
        af_missing=hl.is_missing(max_af),
        has_csq=mt._csq_choice.n > 0,
    )
    return mt.annotate_rows(**ann).drop("_csq_choice")


def may_be_rare(mt: Any, *, fields: list[str], max_af: float, csq_field: str = "CSQ") -> Any:
    """A cheap, conservative row filter: False only for rows whose parsed ``max_af`` would exceed ``max_af``.

    For a whole genome most rows are common variants, and parsing every CSQ entry of them
    (:func:`annotate_csq`) costs far more than reading the genotypes. This expression splits each entry
    once and reads only its population-frequency columns, so the full parse can run on the few rows it
    keeps. It never drops a row :func:`annotate_csq` would give ``max_af <= max_af``: that ``max_af`` is the
    largest frequency over the allele's own entries (and INFO frequency fields, which only raise it), so
    every one of those entries is at most ``max_af`` and the smallest entry of the row is too. Kept as well:
    rows without CSQ, rows with an entry that has no frequency, and rows of split multi-allelic records
    (whose entries belong to several alleles).

    Examples
    --------
    >>> mt = mt.filter_rows(may_be_rare(mt, fields=csq_fields, max_af=0.05))  # doctest: +SKIP
    >>> mt = annotate_csq(mt, fields=csq_fields)  # doctest: +SKIP
    """
    import hail as hl

    idx = {name: i for i, name in enumerate(fields)}
    af_cols = [idx[f] for f in fields if CSQ_AF_PATTERN.match(f)]
    if csq_field not in mt.info or not af_cols:
        return hl.bool(True)

    def entry_af(s: Any) -> Any:
        parts = s.split("\\|")
        values = hl.array(
            [hl.or_missing(hl.len(parts) > i, _max_float(parts[i])) for i in af_cols]
        ).filter(hl.is_defined)
        return hl.or_missing(hl.len(values) > 0, hl.max(values))

    afs = hl.or_else(mt.info[csq_field], hl.empty_array(hl.tstr)).map(entry_af)
    was_split = mt.was_split if "was_split" in mt.row else hl.bool(False)
    return (
        was_split
        | (hl.len(afs) == 0)
        | afs.any(hl.is_missing)
        | (hl.min(afs) <= max_af)
    )


__all__ = [
    "TRANSCRIPT_RULE",
    "CONSEQUENCE_SEVERITY",
    "SEVERITY_RANK",
    "parse_csq_format",
    "consequence_rank",
    "vep_allele_expr",
    "annotate_csq",
    "may_be_rare",
]
