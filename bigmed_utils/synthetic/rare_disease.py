"""Synthetic rare-disease trios (and quartets) with a planted causal genotype and noisy phenotypes.

Each case is a family VCF (proband, father, mother, optional sibling) with about 22,000-26,000 exome-like
sites drawn from a shared site catalogue (realistic allele-frequency spectrum, VEP-style CSQ), artefacts
(low depth/GQ, skewed allele balance, missing calls, non-PASS filters, Mendelian errors, multi-allelic
sites), rare damaging decoys in genes without any HPO annotation, and one planted causal genotype in a real
disease gene whose hpo3 annotations supply the phenotypes. Two competing candidates per case make the
ranking earn its result: a *variant competitor*, a high-quality de novo loss-of-function variant in a
dominant disease gene whose annotations share the fewest terms with the patient (strong ACMG evidence, weak
phenotype match), and a *phenotype competitor*, a homozygous rare missense with a benign-range REVEL score in
the gene whose annotations share the most terms with the patient after the causal gene (strong phenotype
match, weak variant evidence). Truth goes to ``truth.tsv`` (column ``competitors``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import _hpo
from ._vcf import (SYNTHETIC_NOTICE, TI_TV_EXOME, Site, bias_to_transitions, csq_entries, gene_id_for,
                   genotype_field, simulate_reads, vcf_header, write_vcf)
from .genes import CONTIG_ORDER, PAR_X, gene_spans
from .rare_disease_phenotypes import (EXCLUDABLE_TERMS, NOISE_TERMS, clinical_note,  # noqa: F401  (re-exported)
                                      phenopacket, sample_phenotypes)

MODES = ("de_novo", "autosomal_recessive", "compound_heterozygous", "x_linked", "autosomal_dominant")

#: disease genes used for planting: (symbol, OMIM id, ICD-10 code). Every OMIM disease is annotated in hpo3
#: with the inheritance the mode needs (tests check this against the ontology).
DISEASE_GENES: dict[str, list[tuple[str, int, str]]] = {
    # dominant disorders that arise de novo (HP:0000006 in hpo3)
    "de_novo": [("SCN1A", 607208, "G40.4"), ("KMT2D", 147920, "Q89.8"), ("ARID1B", 135900, "Q87.8"),
                ("ANKRD11", 148050, "Q87.8"), ("CHD7", 214800, "Q87.8"), ("NSD1", 117550, "Q87.3"),
                ("STXBP1", 612164, "G40.4"), ("SYNGAP1", 612621, "F79"), ("PTPN11", 163950, "Q87.1")],
    # recessive disorders (HP:0000007), used for homozygous and compound-heterozygous cases
    "recessive": [("CFTR", 219700, "E84.9"), ("PAH", 261600, "E70.0"), ("GAA", 232300, "E74.0"),
                  ("ATM", 208900, "G11.3"), ("HEXA", 272800, "E75.0"), ("ASPM", 608716, "Q02"),
                  ("CEP290", 610188, "Q04.3"), ("NPC1", 257220, "E75.2"), ("ARSA", 250100, "E75.2"),
                  ("BBS1", 209900, "Q87.8"), ("ALMS1", 203800, "Q87.8"), ("PEX1", 214100, "Q87.8")],
    # X-linked recessive (HP:0001419)
    "x_linked": [("DMD", 310200, "G71.0"), ("OTC", 311250, "E72.2"), ("F8", 306700, "D66"),
                 ("F9", 306900, "D67"), ("ABCD1", 300100, "E71.5"), ("BTK", 300755, "D80.0"),
                 ("IL2RG", 300400, "D81.2"), ("GLA", 301500, "E75.2")],
    # dominant disorders inherited from an affected parent
    "autosomal_dominant": [("FBN1", 154700, "Q87.4"), ("NF1", 162200, "Q85.0"), ("TSC2", 613254, "Q85.1"),
                           ("COL1A1", 166200, "Q78.0"), ("PAX6", 106210, "Q13.1"), ("TCOF1", 154500, "Q75.4"),
                           ("EXT1", 133700, "Q78.6")],
}
_MODE_POOL = {"de_novo": "de_novo", "autosomal_recessive": "recessive", "compound_heterozygous": "recessive",
              "x_linked": "x_linked", "autosomal_dominant": "autosomal_dominant"}

# quality filters the ranking is expected to use (documented in the README): the planted variant passes them
QC = {"GQ": 20, "DP": 6, "AB": (0.2, 0.8)}


@dataclass
class Case:
    case: str
    mode: str
    gene: str
    omim: int
    icd10: str
    sex: str  # "M" / "F"
    age: int
    sibling: str | None  # None, "affected", "unaffected"
    sibling_sex: str = "F"
    affected_parent: str | None = None  # "F" / "M" for autosomal dominant
    observed: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)  # "kind:gene:chrom:pos:ref:alt"

    @property
    def members(self) -> list[str]:
        ids = [f"{self.case}-P", f"{self.case}-F", f"{self.case}-M"]
        if self.sibling:
            ids.append(f"{self.case}-S")
        return ids


# --------------------------------------------------------------------------------------------- catalogue
_COMMON_CONS = {"intron_variant": .38, "synonymous_variant": .22, "missense_variant": .18, "3_prime_UTR_variant": .10,
                "5_prime_UTR_variant": .03, "splice_region_variant&intron_variant": .03, "upstream_gene_variant": .02,
                "downstream_gene_variant": .02, "non_coding_transcript_exon_variant": .015,
                "inframe_deletion": .003, "stop_gained": .001, "frameshift_variant": .001}
_RARE_CONS = {"intron_variant": .22, "synonymous_variant": .17, "missense_variant": .40, "3_prime_UTR_variant": .06,
              "5_prime_UTR_variant": .02, "splice_region_variant&intron_variant": .03,
              "splice_region_variant&synonymous_variant": .01, "stop_gained": .025, "frameshift_variant": .025,
              "splice_donor_variant": .007, "splice_acceptor_variant": .007, "inframe_deletion": .01,
              "start_lost": .002, "stop_lost": .001, "upstream_gene_variant": .01, "downstream_gene_variant": .01,
              "non_coding_transcript_exon_variant": .01}
_LOWIMPACT = ["intron_variant", "synonymous_variant", "3_prime_UTR_variant"]


def _alleles(rng: np.random.Generator, cons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """REF/ALT strings for consequences: frameshifts are 1-2 bp indels, in-frame deletions 3 bp."""
    n = len(cons)
    bases = np.array(list("ACGT"))
    ref = bases[rng.integers(0, 4, n)].astype(object)
    alt = bases[(np.searchsorted(bases, ref.astype(str)) + rng.integers(1, 4, n)) % 4]
    alt = bias_to_transitions(ref, alt, ti_tv=TI_TV_EXOME, p_transition=1 / 3)  # 1 of the 3 ALT bases
    for i in np.flatnonzero(cons == "frameshift_variant"):
        extra = "".join(bases[rng.integers(0, 4, int(rng.integers(1, 3)))])
        if rng.random() < 0.5:
            ref[i], alt[i] = ref[i] + extra, ref[i]
        else:
            alt[i] = ref[i] + extra[0]
    for i in np.flatnonzero(cons == "inframe_deletion"):
        ref[i], alt[i] = ref[i] + "".join(bases[rng.integers(0, 4, 3)]), ref[i]
    return ref, alt


@dataclass
class Catalogue:
    sites: pd.DataFrame  # chrom, pos, ref, alt, symbol, consequence, af, csq, rare


def protected_genes() -> set[str]:
    """Genes where background variation is only common and benign (planted and panel genes)."""
    from .cardiac import CARDIAC_GENES
    from .colorectal import CRC_GENES

    out = {g for pool in DISEASE_GENES.values() for g, _, _ in pool}
    return out | set(CARDIAC_GENES) | set(CRC_GENES)


def build_catalogue(rng: np.random.Generator, *, n_common: int = 52000, n_rare: int = 48000,
                    exclude_chroms: tuple[str, ...] = ("chrY", "chrM")) -> Catalogue:
    """Population site catalogue: positions inside MANE gene spans, AF spectrum, consequence and CSQ."""
    genes = gene_spans(with_transcripts=True)
    genes = genes[~genes.chrom.isin(exclude_chroms)].reset_index(drop=True)
    length = (genes.end - genes.start).to_numpy(dtype=float)
    w = np.sqrt(length) / np.sqrt(length).sum()  # exome-like: longer genes carry more variants, sub-linearly
    n = n_common + n_rare
    gi = rng.choice(len(genes), size=n, p=w)
    start = genes.start.to_numpy()[gi]
    end = genes.end.to_numpy()[gi]
    pos = start + 10 + (rng.random(n) * np.maximum(end - start - 20, 1)).astype(np.int64) + 1  # 1-based
    rare = np.arange(n) >= n_common
    af = np.where(rare, 10 ** rng.uniform(-5, -2, n), 10 ** rng.uniform(np.log10(0.01), np.log10(0.95), n))
    cons = np.where(rare, rng.choice(list(_RARE_CONS), n, p=np.array(list(_RARE_CONS.values())) / sum(_RARE_CONS.values())),
                    rng.choice(list(_COMMON_CONS), n, p=np.array(list(_COMMON_CONS.values())) / sum(_COMMON_CONS.values())))
    sym = genes.symbol.to_numpy()[gi]
    prot = np.isin(sym, list(protected_genes()))
    cons = np.where(prot, rng.choice(_LOWIMPACT, n), cons)
    af = np.where(prot, np.maximum(af, 0.05), af)
    rare = rare & ~prot
    ref, alt = _alleles(rng, cons)
    df = pd.DataFrame({"chrom": genes.chrom.to_numpy()[gi], "pos": pos, "ref": ref, "alt": alt, "symbol": sym,
                       "strand": genes.strand.to_numpy()[gi], "transcript": genes.ensembl_transcript.to_numpy()[gi],
                       "refseq": genes.refseq.to_numpy()[gi], "consequence": cons, "af": af, "rare": rare})
    df["_o"] = df.chrom.map(CONTIG_ORDER)
    df = df.sort_values(["_o", "pos"], kind="mergesort").drop_duplicates(["chrom", "pos"]).drop(columns="_o")
    df = df.reset_index(drop=True)
    csq = []
    for r in df.itertuples(index=False):
        clin = ""
        if not r.rare and r.af > 0.05 and rng.random() < 0.08:
            clin = "benign"
        csq.append(csq_entries(rng, Site(r.chrom, int(r.pos), r.ref, r.alt, r.symbol, gene_id_for(r.symbol),
                                         r.strand, r.transcript, r.refseq, r.consequence, af=float(r.af),
                                         clin_sig=clin)))
    df["csq"] = csq
    return Catalogue(df)


# --------------------------------------------------------------------------------------------- genotypes
def _is_haploid_x(chrom: np.ndarray, pos: np.ndarray) -> np.ndarray:
    par = np.zeros(len(pos), dtype=bool)
    for lo, hi in PAR_X:
        par |= (pos >= lo) & (pos <= hi)
    return (chrom == "chrX") & ~par


def _transmit(rng, g: np.ndarray) -> np.ndarray:
    return (rng.random(g.shape) < g / 2.0).astype(np.int64)


def _family_genotypes(rng, cat: pd.DataFrame, sexes: list[str], n_private: int) -> np.ndarray:
    """Genotype codes (0/1/2) [site, member] for P, F, M[, S] under HWE and Mendelian transmission."""
    n = len(cat)
    af = cat.af.to_numpy()
    hx = _is_haploid_x(cat.chrom.to_numpy(), cat.pos.to_numpy())
    fa = rng.binomial(2, af)
    fa = np.where(hx, 2 * (rng.random(n) < af), fa)
    mo = rng.binomial(2, af)
    rare_idx = np.flatnonzero(cat.rare.to_numpy())
    for parent in (fa, mo):  # each parent carries a few hundred private rare variants
        pick = rng.choice(rare_idx, size=n_private, replace=False)
        parent[pick] = np.where(hx[pick], 2 if parent is fa else 1, 1)
    kids = []
    for sex in sexes:
        from_mo = _transmit(rng, mo)
        if sex == "M":
            from_fa = np.where(hx, 0, _transmit(rng, fa))
            kid = np.where(hx, 2 * from_mo, from_fa + from_mo)
        else:
            from_fa = np.where(hx, (fa > 0).astype(np.int64), _transmit(rng, fa))
            kid = from_fa + from_mo
        kids.append(kid)
    cols = [kids[0], fa, mo] + kids[1:]
    return np.column_stack(cols)


def _good_reads(rng, codes: np.ndarray, *, lo: int = 28, hi: int = 52) -> tuple[np.ndarray, np.ndarray]:
    dp = rng.integers(lo, hi, size=codes.shape)
    frac = np.select([codes == 0, codes == 1, codes == 2], [0.0, rng.uniform(0.42, 0.58, codes.shape), 1.0], 0)
    alt = np.rint(dp * frac).astype(np.int64)
    return dp - alt, alt


@dataclass
class Special:
    """Hand-placed rows: planted variants, decoys and multi-allelic sites."""

    rows: list[dict] = field(default_factory=list)
    fields: list[list[str]] = field(default_factory=list)


def _site_row(rng, *, chrom, pos, ref, alt, symbol, strand, transcript, refseq, cons, af, clin="", revel=None,
              filt="PASS"):
    csq = csq_entries(rng, Site(chrom, int(pos), ref, alt, symbol, gene_id_for(symbol), strand, transcript,
                                refseq, cons, af=af, clin_sig=clin, revel=revel))
    return {"chrom": chrom, "pos": int(pos), "ref": ref, "alt": alt, "filter": filt, "csq": csq}


def _add_special(sp: Special, rng, row: dict, codes: list[int], quality: str = "good") -> None:
    c = np.array(codes)
    if quality == "good":
        ref, alt = _good_reads(rng, c)
    elif quality == "lowdp":
        ref, alt = _good_reads(rng, c, lo=3, hi=5)
    elif quality == "skew":
        dp = rng.integers(30, 45, size=c.shape)
        alt = np.where(c == 1, np.rint(dp * rng.uniform(0.08, 0.15, c.shape)), np.where(c == 2, dp, 0)).astype(np.int64)
        ref = dp - alt
    else:
        raise ValueError(quality)
    sp.rows.append(row)
    sp.fields.append(list(genotype_field(c, ref, alt)))


def _random_site_in(rng, genes: pd.DataFrame, symbol: str, *, margin: int = 60) -> tuple[str, int, str, str, str]:
    r = genes[genes.symbol == symbol].iloc[0]
    pos = int(rng.integers(r.start + margin, r.end - margin)) + 1
    return r.chrom, pos, r.strand, r.ensembl_transcript, r.refseq


def _planted_alleles(rng, cons: str) -> tuple[str, str]:
    ref, alt = _alleles(rng, np.array([cons], dtype=object))
    return str(ref[0]), str(alt[0])


def _make_cases(rng, n_cases: int) -> list[Case]:
    cases = []
    used: dict[str, int] = {}
    for i in range(n_cases):
        mode = MODES[i % len(MODES)]
        pool = DISEASE_GENES[_MODE_POOL[mode]]
        k = used.get(mode, 0)
        used[mode] = k + 1
        # start each mode at a different gene of the shared recessive pool so that AR and comp-het differ
        offset = 6 if mode == "compound_heterozygous" else 0
        gene, omim, icd = pool[(k + offset) % len(pool)]
        sex = "M" if mode == "x_linked" else ("M" if rng.random() < 0.5 else "F")
        age = int(rng.integers(18, 45)) if gene in ("PKD1",) else int(rng.integers(1, 17))
        sibling = None
        if i % 3 == 2:
            sibling = "affected" if (mode != "de_novo" and rng.random() < 0.5) else "unaffected"
        c = Case(case=f"RD{i + 1:03d}", mode=mode, gene=gene, omim=omim, icd10=icd, sex=sex, age=age,
                 sibling=sibling)
        c.sibling_sex = "M" if rng.random() < 0.5 else "F"
        if mode == "x_linked" and sibling == "affected":
            c.sibling_sex = "M"
        if mode == "autosomal_dominant":
            c.affected_parent = "F" if rng.random() < 0.5 else "M"
        c.observed, c.excluded = sample_phenotypes(rng, omim)
        cases.append(c)
    return cases


_HPO_FREE_CACHE: dict[str, np.ndarray] = {}


def _hpo_free_genes(genes: pd.DataFrame, chrom_x: bool) -> np.ndarray:
    key = "x" if chrom_x else "a"
    if key not in _HPO_FREE_CACHE:
        ann = _hpo.annotated_genes()
        sel = genes[~genes.symbol.isin(ann) & ((genes.chrom == "chrX") if chrom_x else ~genes.chrom.isin(["chrX", "chrY", "chrM"]))
                    & ((genes.end - genes.start) > 2000)]
        _HPO_FREE_CACHE[key] = sel.symbol.to_numpy()
    return _HPO_FREE_CACHE[key]


#: genes a variant competitor may fall in: dominant disease genes with loss of function as mechanism
_DOMINANT_POOL = [g for pool in ("de_novo", "autosomal_dominant") for g, _, _ in DISEASE_GENES[pool] if g != "PTPN11"]
_ANNOTATED_SPANS: dict[str, np.ndarray] = {}


def _annotated_autosomal(genes: pd.DataFrame) -> np.ndarray:
    """Symbols of HPO-annotated autosomal genes long enough to hold a planted site, sorted."""
    if "a" not in _ANNOTATED_SPANS:
        ann = _hpo.annotated_genes()
        sel = genes[genes.symbol.isin(ann) & ~genes.chrom.isin(["chrX", "chrY", "chrM"])
                    & ((genes.end - genes.start) > 2000)]
        _ANNOTATED_SPANS["a"] = np.array(sorted(set(sel.symbol)))
    return _ANNOTATED_SPANS["a"]


def _competitor_genes(rng, c: Case, genes: pd.DataFrame) -> tuple[str, str]:
    """(variant competitor, phenotype competitor) genes for a case, by term overlap with the patient."""
    observed = set(c.observed)
    overlap = lambda g: len(_hpo.gene_terms(g) & observed)  # noqa: E731
    symbols = set(genes.symbol)
    dominant = {g: overlap(g) for g in _DOMINANT_POOL if g != c.gene and g in symbols}
    least = min(dominant.values())
    weak = sorted(g for g, k in dominant.items() if k == least)
    # the best fit after the causal gene: fewer shared terms than the causal gene, so that the simple count of
    # shared terms still puts the causal gene first (the data stay solvable; the finer similarity decides)
    below = overlap(c.gene)
    fits = {g: k for g in _annotated_autosomal(genes) if g != c.gene and (k := overlap(g)) < below}
    most = max(fits.values())
    strong = sorted(g for g, k in fits.items() if k == most)
    return str(rng.choice(weak)), str(rng.choice(strong))


# size: the random draws must stay in this order (same seed, same data); one recipe per case keeps it visible
def _case_specials(rng, c: Case, genes: pd.DataFrame) -> Special:
    """Planted genotype(s), decoys and multi-allelic sites for one case."""
    sp = Special()
    nm = len(c.members)
    sib = c.sibling
    # ---- planted
    cons_choices = ["missense_variant", "stop_gained", "frameshift_variant", "splice_donor_variant"]

    def planted(af: float, codes: list[int]) -> str:
        cons = str(rng.choice(cons_choices, p=[0.4, 0.25, 0.25, 0.1]))
        chrom, pos, strand, tx, refseq = _random_site_in(rng, genes, c.gene)
        ref, alt = _planted_alleles(rng, cons)
        u = rng.random()
        clin = "pathogenic" if u < 0.4 else ("likely_pathogenic" if u < 0.55 else "")
        row = _site_row(rng, chrom=chrom, pos=pos, ref=ref, alt=alt, symbol=c.gene, strand=strand, transcript=tx,
                        refseq=refseq, cons=cons, af=af, clin=clin,
                        revel=float(rng.uniform(0.82, 0.98)) if cons == "missense_variant" else None)
        row["planted"] = True
        _add_special(sp, rng, row, codes[:nm])
        return f"{chrom}:{pos}:{ref}:{alt}"

    if c.mode == "de_novo":
        c.variants = [planted(0.0, [1, 0, 0, 0])]
    elif c.mode == "autosomal_recessive":
        s = 2 if sib == "affected" else int(rng.integers(0, 2))
        c.variants = [planted(float(10 ** rng.uniform(-4.7, -3.5)), [2, 1, 1, s])]
    elif c.mode == "compound_heterozygous":
        s_a, s_b = (1, 1) if sib == "affected" else ((1, 0) if rng.random() < 0.5 else (0, 1))
        v1 = planted(float(10 ** rng.uniform(-5, -2.7)), [1, 1, 0, s_a])
        v2 = planted(float(10 ** rng.uniform(-5, -2.7)), [1, 0, 1, s_b])
        c.variants = sorted([v1, v2], key=lambda v: (CONTIG_ORDER[v.split(":")[0]], int(v.split(":")[1])))
    elif c.mode == "x_linked":
        if sib == "affected":
            s = 2
        elif c.sibling_sex == "M":
            s = 0
        else:
            s = int(rng.integers(0, 2))
        c.variants = [planted(0.0, [2, 0, 1, s])]
    elif c.mode == "autosomal_dominant":
        fa, mo = (1, 0) if c.affected_parent == "F" else (0, 1)
        c.variants = [planted(0.0, [1, fa, mo, 1 if sib == "affected" else 0])]
    # ---- decoys in genes without any HPO annotation (no phenotype can rank them up)
    free = _hpo_free_genes(genes, False)
    free_x = _hpo_free_genes(genes, True)

    def decoy(symbol: str, cons: str, af: float, codes: list[int], quality: str = "good", filt: str = "PASS",
              clin: str = "") -> None:
        chrom, pos, strand, tx, refseq = _random_site_in(rng, genes, symbol)
        ref, alt = _planted_alleles(rng, cons)
        row = _site_row(rng, chrom=chrom, pos=pos, ref=ref, alt=alt, symbol=symbol, strand=strand, transcript=tx,
                        refseq=refseq, cons=cons, af=af, clin=clin, filt=filt)
        _add_special(sp, rng, row, (codes + [0, 0, 0, 0])[:nm], quality)

    pick = list(rng.choice(free, size=9, replace=False))
    # de novo-looking artefacts: low depth/GQ, skewed allele balance, filtered by VQSR
    decoy(pick[0], "stop_gained", 0.0, [1, 0, 0], "lowdp")
    decoy(pick[1], "frameshift_variant", 0.0, [1, 0, 0], "skew")
    decoy(pick[2], "missense_variant", 0.0, [1, 0, 0], "good", filt="VQSRTrancheSNP99.90to100.00")
    # a genuine high-quality de novo that is harmless
    decoy(pick[3], "synonymous_variant", 0.0, [1, 0, 0])
    # rare LoF inherited from an unaffected parent
    decoy(pick[4], "stop_gained", 0.0, [1, 1, 0], clin="uncertain_significance")
    decoy(pick[5], "splice_acceptor_variant", float(10 ** rng.uniform(-4, -3)), [1, 0, 1])
    # homozygous missense too common for a recessive disease (AF 3-8 %)
    decoy(pick[6], "missense_variant", float(rng.uniform(0.03, 0.08)), [2, 1, 1])
    # two rare hets in one gene, both from the father (in cis: not compound heterozygous)
    decoy(pick[7], "missense_variant", float(10 ** rng.uniform(-4, -3)), [1, 1, 0])
    decoy(pick[7], "frameshift_variant", 0.0, [1, 1, 0])
    # hemizygous-looking X variant, common in the population (AF 4 %)
    if c.sex == "M":
        decoy(str(rng.choice(free_x)), "missense_variant", 0.04, [2, 0, 1])
    # rare HIGH het at an allele frequency above the dominant ceiling (0.4 %)
    decoy(pick[8], "frameshift_variant", 0.004, [1, 0, 1])
    # ---- multi-allelic sites (common first allele, rare second)
    for _ in range(6):
        sym = str(rng.choice(free))
        chrom, pos, strand, tx, refseq = _random_site_in(rng, genes, sym)
        ref = "ACGT"[int(rng.integers(4))]
        alts = [b for b in "ACGT" if b != ref]
        a1, a2 = alts[int(rng.integers(3))], None
        a2 = [b for b in alts if b != a1][int(rng.integers(2))]
        cons = str(rng.choice(["intron_variant", "synonymous_variant", "missense_variant"]))
        csq1 = _site_row(rng, chrom=chrom, pos=pos, ref=ref, alt=a1, symbol=sym, strand=strand, transcript=tx,
                         refseq=refseq, cons=cons, af=float(rng.uniform(0.1, 0.4)))["csq"]
        csq2 = _site_row(rng, chrom=chrom, pos=pos, ref=ref, alt=a2, symbol=sym, strand=strand, transcript=tx,
                         refseq=refseq, cons=cons, af=float(10 ** rng.uniform(-3, -2)))["csq"]
        gts = [str(rng.choice(["0/1", "1/2", "1/1", "0/2", "0/0"], p=[.35, .15, .2, .1, .2])) for _ in range(nm)]
        fields = []
        for g in gts:
            dp = int(rng.integers(25, 45))
            a = [int(x) for x in g.split("/")]
            counts = [0, 0, 0]
            for allele in a:
                counts[allele] += dp // 2
            ad = ",".join(map(str, counts))
            pls = [0 if (i, j) == tuple(a) else 30 * (1 + abs(i - a[0]) + abs(j - a[1])) for j in range(3)
                   for i in range(j + 1)]
            fields.append(f"{g}:{ad}:{sum(counts)}:99:{','.join(map(str, pls))}")
        sp.rows.append({"chrom": chrom, "pos": pos, "ref": ref, "alt": f"{a1},{a2}", "filter": "PASS",
                        "csq": csq1 + "," + csq2})
        sp.fields.append(fields)
    # ---- competing candidates, drawn from their own generator so that every draw above is unchanged
    crng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    variant_gene, phenotype_gene = _competitor_genes(crng, c, genes)

    def competitor(kind: str, symbol: str, cons: str, af: float, codes: list[int], revel: float | None) -> None:
        chrom, pos, strand, tx, refseq = _random_site_in(crng, genes, symbol)
        ref, alt = _planted_alleles(crng, cons)
        row = _site_row(crng, chrom=chrom, pos=pos, ref=ref, alt=alt, symbol=symbol, strand=strand, transcript=tx,
                        refseq=refseq, cons=cons, af=af, revel=revel)
        _add_special(sp, crng, row, (codes + [0])[:nm])
        c.competitors.append(f"{kind}:{symbol}:{chrom}:{pos}:{ref}:{alt}")

    # a real-looking de novo loss of function in a dominant disease gene that does not fit the patient
    competitor("variant", variant_gene, str(crng.choice(["stop_gained", "frameshift_variant"])), 0.0, [1, 0, 0, 0],
               None)
    # a rare homozygous missense, predicted benign, in the gene that fits the patient best after the causal one
    competitor("phenotype", phenotype_gene, "missense_variant", float(10 ** crng.uniform(-3, -2.4)),
               [2, 1, 1, 2 if sib == "affected" else 1], float(crng.uniform(0.05, 0.25)))
    return sp


def _write_case_vcf(rng, out: Path, c: Case, cat: pd.DataFrame, genes: pd.DataFrame, *, n_private: int) -> None:
    sexes = [c.sex] + ([c.sibling_sex] if c.sibling else [])
    codes = _family_genotypes(rng, cat, sexes, n_private)
    keep = (codes > 0).any(axis=1)
    bg = cat[keep].reset_index(drop=True)
    codes = codes[keep]
    n, nm = codes.shape
    ref_c, alt_c = simulate_reads(rng, codes)
    # --- artefacts on the background
    low = rng.random(codes.shape) < 0.015  # low depth -> low GQ
    dp_low = rng.integers(1, 6, codes.shape)
    frac = np.where(codes == 1, 0.5, np.where(codes == 2, 1.0, 0.0))
    alt_low = np.rint(dp_low * frac).astype(np.int64)
    ref_c = np.where(low, dp_low - alt_low, ref_c)
    alt_c = np.where(low, alt_low, alt_c)
    skew = (codes == 1) & (rng.random(codes.shape) < 0.01)  # allele balance far from 0.5
    dp_s = ref_c + alt_c
    alt_s = np.rint(dp_s * rng.uniform(0.05, 0.17, codes.shape)).astype(np.int64)
    alt_c = np.where(skew, alt_s, alt_c)
    ref_c = np.where(skew, dp_s - alt_s, ref_c)
    codes = np.where(rng.random(codes.shape) < 0.004, 3, codes)  # missing calls
    # Mendelian errors: a proband homozygous ALT where one parent is called homozygous REF
    hom = np.flatnonzero((codes[:, 0] == 2) & (codes[:, 1] == 1) & (codes[:, 2] == 1)
                         & ~_is_haploid_x(bg.chrom.to_numpy(), bg.pos.to_numpy()))
    for i in rng.choice(hom, size=min(4, len(hom)), replace=False):
        codes[i, 1] = 0
        ref_c[i, 1], alt_c[i, 1] = ref_c[i, 1] + alt_c[i, 1], 0
    fields = [genotype_field(codes[:, j], ref_c[:, j], alt_c[:, j]) for j in range(nm)]
    alt_reads = np.where((codes == 1) | (codes == 2), alt_c, 0).sum(axis=1)
    qual = np.round(alt_reads * 28.7 + rng.uniform(0, 30, n), 2)
    filt = np.where(qual < 30, "LowQual",
                    np.where(rng.random(n) < 0.02,
                             np.where(bg.ref.str.len().to_numpy() != bg.alt.str.len().to_numpy(),
                                      "VQSRTrancheINDEL99.00to100.00", "VQSRTrancheSNP99.90to100.00"), "PASS"))
    table = pd.DataFrame({"chrom": bg.chrom, "pos": bg.pos, "ref": bg.ref, "alt": bg.alt,
                          "qual": [f"{q:.2f}" for q in qual], "filter": filt,
                          "info": "DP=" + pd.Series(ref_c.sum(axis=1) + alt_c.sum(axis=1)).astype(str) + ";CSQ=" + bg.csq})
    # --- special rows (planted, decoys, multi-allelic) replace background rows at the same position
    sp = _case_specials(rng, c, genes)
    srows = pd.DataFrame(sp.rows)
    s_dp = [sum(int(f.split(":")[2]) for f in fl if f != "./.") for fl in sp.fields]
    srows["qual"] = [f"{max(50.0, 25.0 * d * 0.5):.2f}" for d in s_dp]
    srows["info"] = ["DP=" + str(d) + ";CSQ=" + q for d, q in zip(s_dp, srows.csq)]
    special_keys = set(zip(srows.chrom, srows.pos))
    bg_mask = np.array([(ch, p) not in special_keys for ch, p in zip(table.chrom, table.pos)])
    table = table[bg_mask]
    fields = [f[bg_mask] for f in fields]
    srows = srows.drop_duplicates(["chrom", "pos"], keep="first")
    sp_fields = [np.array([sp.fields[i][j] for i in srows.index], dtype=object) for j in range(nm)]
    cols = ["chrom", "pos", "ref", "alt", "qual", "filter", "info"]
    full = pd.concat([table[cols], srows[cols]], ignore_index=True)
    all_fields = [np.concatenate([fields[j], sp_fields[j]]) for j in range(nm)]
    order = np.lexsort((full.pos.to_numpy(), full.chrom.map(CONTIG_ORDER).to_numpy()))
    full = full.iloc[order].reset_index(drop=True)
    all_fields = [f[order] for f in all_fields]
    header = vcf_header(c.members, description=f"rare-disease family {c.case}")
    write_vcf(out / f"{c.case}.vcf.gz", header, full, all_fields)


def _ped_lines(c: Case) -> list[str]:
    sex = {"M": "1", "F": "2"}
    p_aff = "2"
    f_aff = "2" if c.affected_parent == "F" else "1"
    m_aff = "2" if c.affected_parent == "M" else "1"
    lines = [f"{c.case}\t{c.case}-P\t{c.case}-F\t{c.case}-M\t{sex[c.sex]}\t{p_aff}",
             f"{c.case}\t{c.case}-F\t0\t0\t1\t{f_aff}",
             f"{c.case}\t{c.case}-M\t0\t0\t2\t{m_aff}"]
    if c.sibling:
        lines.append(f"{c.case}\t{c.case}-S\t{c.case}-F\t{c.case}-M\t{sex[c.sibling_sex]}\t"
                     f"{'2' if c.sibling == 'affected' else '1'}")
    return lines


def generate_rare_disease(out: Path, *, seed: int, cases: int = 24) -> list[Case]:
    """Write ``out/rare_disease/`` (VCF+TBI, PED, phenopacket, note per case, and truth.tsv)."""
    out = Path(out) / "rare_disease"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 1])
    genes = gene_spans(with_transcripts=True)
    cat = build_catalogue(rng).sites
    case_list = _make_cases(rng, cases)
    truth = []
    for c in case_list:
        crng = np.random.default_rng([seed, 1, int(c.case[2:])])
        _write_case_vcf(crng, out, c, cat, genes, n_private=150)
        # PED stays headerless: Hail's import_fam and PLINK read no comment lines (README carries the notice)
        (out / f"{c.case}.ped").write_text("\n".join(_ped_lines(c)) + "\n")
        (out / f"{c.case}.phenopacket.json").write_text(json.dumps(phenopacket(c), indent=2) + "\n")
        (out / f"{c.case}.notes.txt").write_text(clinical_note(c))
        truth.append({"case": c.case, "proband": f"{c.case}-P", "sex": c.sex, "gene": c.gene,
                      "variants": ",".join(c.variants), "mode": c.mode, "disease_id": f"OMIM:{c.omim}",
                      "hpo_terms": ",".join(c.observed), "excluded_hpo_terms": ",".join(c.excluded),
                      "sibling": c.sibling or "", "affected_parent": c.affected_parent or "", "icd10": c.icd10,
                      "competitors": ",".join(c.competitors)})
    with open(out / "truth.tsv", "w") as fh:
        fh.write(f"# {SYNTHETIC_NOTICE}\n")
        pd.DataFrame(truth).to_csv(fh, sep="\t", index=False)
    return case_list
