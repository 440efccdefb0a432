"""Whole-genome-scale synthetic trio (about 5 million sites) with one planted de novo variant, for benchmarks.

Same conventions as the demo VCFs; built chromosome by chromosome with vectorised numpy string
operations (no Python loop per site except for the ~1 % coding sites, which get full multi-transcript CSQ).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import rare_disease as rd
from ..progress import expect, tick
from ._bgzf import BgzfTabixWriter
from ._vcf import (CSQ_FIELDS, SYNTHETIC_NOTICE, TI_TV_GENOME, Site, bias_to_transitions, csq_entries, gene_id_for,
                   genotype_field, hash_str, simulate_reads, vcf_header)
from .genes import GRCH38_CONTIGS, PAR_X, gene_spans

WGS_SITES = 5_000_000
_CHROMS = [c for c in GRCH38_CONTIGS if c not in ("chrY", "chrM")]


def _af_strings() -> tuple[np.ndarray, np.ndarray]:
    """A log grid of allele frequencies and their printed form (printing 5 M floats one by one is slow)."""
    grid = np.unique(np.round(np.logspace(-5, 0, 4000), 8))
    text = np.array([f"{x:.3g}" if x >= 1e-4 else f"{x:.2e}" for x in grid], dtype=object)
    return grid, text


def _vec_csq(n: int, values: dict[str, object]) -> np.ndarray:
    """Join CSQ sub-fields (constants or object arrays) with ``|`` into one entry per site."""
    out = np.full(n, "", dtype=object)
    literal = ""
    for i, f in enumerate(CSQ_FIELDS):
        sep = "|" if i else ""
        v = values.get(f, "")
        if isinstance(v, str):
            literal += sep + v
        else:
            out = out + (literal + sep) + v
            literal = ""
    return out + literal if literal else out


def _chrom_sites(rng, chrom: str, n: int, genes: pd.DataFrame, grid, grid_text, kid_sex: str):
    length = GRCH38_CONTIGS[chrom]
    draw = int(n * 4.2)  # about a quarter of population sites are non-reference in a trio
    pos = np.unique(rng.integers(10_001, length - 10_000, draw))
    m = len(pos)
    common = rng.random(m) < 0.85
    af = np.where(common, 10 ** rng.uniform(-3, np.log10(0.99), m), 10 ** rng.uniform(-5, -3, m))
    hx = np.zeros(m, dtype=bool)
    if chrom == "chrX":
        hx = np.ones(m, dtype=bool)
        for lo, hi in PAR_X:
            hx &= ~((pos >= lo) & (pos <= hi))
    fa = np.where(hx, 2 * (rng.random(m) < af), rng.binomial(2, af))
    mo = rng.binomial(2, af)
    from_mo = (rng.random(m) < mo / 2).astype(np.int64)
    if kid_sex == "M":
        kid = np.where(hx, 2 * from_mo, (rng.random(m) < fa / 2).astype(np.int64) + from_mo)
    else:
        kid = np.where(hx, (fa > 0).astype(np.int64), (rng.random(m) < fa / 2).astype(np.int64)) + from_mo
    codes = np.column_stack([kid, fa, mo])
    keep = np.flatnonzero((codes > 0).any(axis=1))
    if len(keep) > n:
        keep = np.sort(rng.choice(keep, n, replace=False))
    pos, af, codes = pos[keep], af[keep], codes[keep]
    m = len(pos)
    # alleles: 88 % SNVs, 12 % short indels
    bases = np.array(list("ACGT"), dtype=object)
    ref = bases[rng.integers(0, 4, m)]
    alt = bases[rng.integers(0, 4, m)]
    alt = np.where(alt == ref, np.where(ref == "A", "G", "A"), alt)
    # the draw above makes 3 of 8 SNVs transitions (A:G and G:A 1/2 each, C:T and T:C 1/4 each)
    alt = bias_to_transitions(ref, alt, ti_tv=TI_TV_GENOME, p_transition=3 / 8)
    kind = rng.random(m)
    dels = kind < 0.06
    ins = (kind >= 0.06) & (kind < 0.12)
    extra = bases[rng.integers(0, 4, m)] + np.where(rng.random(m) < 0.5, "", bases[rng.integers(0, 4, m)])
    first = ref
    ref = np.where(dels, ref + extra, ref)
    alt = np.where(dels, first, alt)
    alt = np.where(ins, ref + extra, alt)
    allele = np.where(dels, "-", np.where(ins, extra, alt))
    # gene overlap (the nearest preceding gene start that still covers the position)
    g = genes[genes.chrom == chrom]
    starts, ends = g.start.to_numpy(), g.end.to_numpy()
    idx = np.searchsorted(starts, pos - 1, side="right") - 1
    genic = (idx >= 0) & (ends[np.maximum(idx, 0)] >= pos + 3)
    gi = np.maximum(idx, 0)
    af_i = np.clip(np.searchsorted(grid, af), 0, len(grid) - 1)
    af_txt = grid_text[af_i]
    sym = g.symbol.to_numpy().astype(object)[gi]
    gid = np.array([gene_id_for(s) for s in g.symbol], dtype=object)[gi] if len(g) else sym
    tx = g.ensembl_transcript.to_numpy().astype(object)[gi]
    refseq = g.refseq.to_numpy().astype(object)[gi]
    strand = np.where(g.strand.to_numpy() == "+", "1", "-1").astype(object)[gi]
    alt_tx = np.array([f"ENST9{(hash_str(s) + 7919) % 10**10:010d}" for s in g.symbol],
                      dtype=object)[gi] if len(g) else sym
    csq_intergenic = _vec_csq(m, {"Allele": allele, "Consequence": "intergenic_variant", "IMPACT": "MODIFIER",
                                  "MAX_AF": af_txt, "gnomADg_AF": af_txt})
    common_fields = {"Allele": allele, "IMPACT": "MODIFIER", "SYMBOL": sym, "Gene": gid, "Feature_type": "Transcript",
                     "STRAND": strand, "SYMBOL_SOURCE": "HGNC", "MAX_AF": af_txt, "gnomADe_AF": af_txt,
                     "gnomADg_AF": af_txt}
    e1 = _vec_csq(m, {**common_fields, "Consequence": "intron_variant", "Feature": tx, "BIOTYPE": "protein_coding",
                      "CANONICAL": "YES", "MANE_SELECT": refseq})
    e2 = _vec_csq(m, {**common_fields, "Consequence": "intron_variant&non_coding_transcript_variant",
                      "Feature": alt_tx, "BIOTYPE": "processed_transcript"})
    csq = np.where(genic, e1 + "," + e2, csq_intergenic)
    # ~1.5 % of genic sites are coding or splice: full multi-transcript CSQ with protein changes
    coding = np.flatnonzero(genic & (rng.random(m) < 0.015))
    cons_names = list(rd._COMMON_CONS)
    cons_p = np.array(list(rd._COMMON_CONS.values()))
    snv = ~(dels | ins)
    for i in coding:
        cons = str(rng.choice(cons_names, p=cons_p / cons_p.sum()))
        if not snv[i] and cons not in ("frameshift_variant", "inframe_deletion", "intron_variant"):
            cons = "frameshift_variant" if (len(ref[i]) - len(alt[i])) % 3 else "inframe_deletion"
        if snv[i] and cons in ("frameshift_variant", "inframe_deletion"):
            cons = "missense_variant"
        r = g.iloc[gi[i]]
        csq[i] = csq_entries(rng, Site(chrom, int(pos[i]), str(ref[i]), str(alt[i]), r.symbol, gene_id_for(r.symbol),
                                       r.strand, r.ensembl_transcript, r.refseq, cons, af=float(af[i])))
    return pos, ref, alt, af, codes, csq


def generate_wgs(out: Path, *, seed: int, n_sites: int = WGS_SITES) -> Path:
    """Write ``out/rare_disease_wgs/`` (one trio, ~``n_sites`` sites, planted de novo) and return the folder."""
    folder = Path(out) / "rare_disease_wgs"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 5])
    genes = gene_spans(with_transcripts=True)
    pool = rd.DISEASE_GENES["de_novo"]
    gene, omim, icd = pool[seed % len(pool)]
    c = rd.Case(case="WGS001", mode="de_novo", gene=gene, omim=omim, icd10=icd,
                sex="M" if rng.random() < 0.5 else "F", age=int(rng.integers(1, 17)), sibling=None)
    c.observed, c.excluded = rd.sample_phenotypes(rng, omim)
    sp = rd._case_specials(rng, c, genes)
    srows = pd.DataFrame(sp.rows)
    srows["fields"] = sp.fields
    grid, grid_text = _af_strings()
    total = sum(GRCH38_CONTIGS[ch] for ch in _CHROMS)
    expect(len(_CHROMS))
    writer = BgzfTabixWriter(folder / "WGS001.vcf.gz", level=2, threads=2)
    writer.write_header(vcf_header(c.members, description="whole-genome trio WGS001 (benchmark scale)"))
    for chrom in _CHROMS:
        n = int(round(n_sites * GRCH38_CONTIGS[chrom] / total))
        pos, ref, alt, af, codes, csq = _chrom_sites(rng, chrom, n, genes, grid, grid_text, c.sex)
        sc = srows[srows.chrom == chrom]
        if len(sc):
            clash = np.isin(pos, sc.pos.to_numpy())
            pos, ref, alt, af, codes, csq = pos[~clash], ref[~clash], alt[~clash], af[~clash], codes[~clash], csq[~clash]
        m = len(pos)
        ref_c, alt_c = simulate_reads(rng, codes, mean_dp=30.0, dispersion=10.0)
        low = rng.random(codes.shape) < 0.01
        dlow = rng.integers(1, 6, codes.shape)
        alow = np.rint(dlow * np.select([codes == 1, codes == 2], [0.5, 1.0], 0.0)).astype(np.int64)
        ref_c, alt_c = np.where(low, dlow - alow, ref_c), np.where(low, alow, alt_c)
        codes = np.where(rng.random(codes.shape) < 0.003, 3, codes)
        fields = [genotype_field(codes[:, j], ref_c[:, j], alt_c[:, j]) for j in range(3)]
        altreads = np.where((codes == 1) | (codes == 2), alt_c, 0).sum(axis=1)
        qual = (altreads * 28.7 + rng.uniform(0, 30, m)).round(2)
        filt = np.where(qual < 30, "LowQual", np.where(rng.random(m) < 0.02, "VQSRTrancheSNP99.90to100.00", "PASS"))
        dp = (ref_c + alt_c).sum(axis=1)
        cols = {"pos": pos, "ref": ref, "alt": alt, "qual": np.char.mod("%.2f", qual).astype(object),
                "filter": filt.astype(object), "info": "DP=" + dp.astype(str).astype(object) + ";CSQ=" + csq}
        if len(sc):
            s_dp = np.array([sum(int(f.split(":")[2]) for f in fl if f != "./.") for fl in sc.fields])
            cols = {k: np.concatenate([v, extra]) for k, v, extra in (
                ("pos", cols["pos"], sc.pos.to_numpy()),
                ("ref", cols["ref"], sc.ref.to_numpy(dtype=object)),
                ("alt", cols["alt"], sc.alt.to_numpy(dtype=object)),
                ("qual", cols["qual"], np.array([f"{max(50.0, 12.5 * d):.2f}" for d in s_dp], dtype=object)),
                ("filter", cols["filter"], sc["filter"].to_numpy(dtype=object)),
                ("info", cols["info"], np.array([f"DP={d};CSQ={q}" for d, q in zip(s_dp, sc.csq)], dtype=object)))}
            fields = [np.concatenate([fields[j], np.array([fl[j] for fl in sc.fields], dtype=object)])
                      for j in range(3)]
        order = np.argsort(cols["pos"], kind="stable")
        p = cols["pos"][order]
        line = (chrom + "\t" + p.astype(str).astype(object) + "\t.\t" + cols["ref"][order] + "\t"
                + cols["alt"][order] + "\t" + cols["qual"][order] + "\t" + cols["filter"][order] + "\t"
                + cols["info"][order] + "\tGT:AD:DP:GQ:PL")
        for f in fields:
            line = line + "\t" + f[order]
        reflen = np.fromiter((len(x) for x in cols["ref"][order]), dtype=np.int64, count=len(p))
        writer.write_records(chrom, p - 1, p - 1 + reflen, list(line))
        del line, fields, cols
        tick(f"{chrom} ({m:,} sites)")
    writer.close()
    (folder / "WGS001.ped").write_text("\n".join(rd._ped_lines(c)) + "\n")
    pp = rd.phenopacket(c)
    (folder / "WGS001.phenopacket.json").write_text(json.dumps(pp, indent=2) + "\n")
    (folder / "WGS001.notes.txt").write_text(rd.clinical_note(c).replace("exome sequencing", "genome sequencing"))
    truth = [{"case": c.case, "proband": f"{c.case}-P", "sex": c.sex, "gene": c.gene, "variants": ",".join(c.variants),
              "mode": c.mode, "disease_id": f"OMIM:{c.omim}", "hpo_terms": ",".join(c.observed),
              "excluded_hpo_terms": ",".join(c.excluded), "sibling": "", "affected_parent": "", "icd10": c.icd10,
              "competitors": ",".join(c.competitors)}]
    with open(folder / "truth.tsv", "w") as fh:
        fh.write(f"# {SYNTHETIC_NOTICE}\n")
        pd.DataFrame(truth).to_csv(fh, sep="\t", index=False, lineterminator="\n")
    return folder
