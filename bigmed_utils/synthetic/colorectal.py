"""Synthetic colorectal-cancer cohort: GDC-style somatic MAF, clinical table with Cox-model survival,
planted hazard ratios (``truth.json``) and a few VEP-annotated tumour/normal VCFs.

Driver frequencies follow TCGA colorectal (Cancer Genome Atlas Network, Nature 2012;487:330-337): APC ~80 %,
TP53 ~60 %, KRAS ~42 %, PIK3CA ~18 %, SMAD4 ~13 %, FBXW7 ~10 %, NRAS ~4 %, BRAF V600E ~9 % concentrated in
MSI-high, right-sided tumours; MSI-high ~15 % and POLE-exonuclease ultramutated ~1-3 % of tumours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._vcf import (AA1, AA3, SYNTHETIC_NOTICE, Site, csq_entries, gene_id_for, genotype_field, vcf_header,
                   write_vcf)
from .genes import CONTIG_ORDER, gene_spans

#: NCBI Entrez Gene ids of the driver genes (NCBI Gene)
ENTREZ = {"APC": 324, "TP53": 7157, "KRAS": 3845, "PIK3CA": 5290, "SMAD4": 4089, "BRAF": 673, "NRAS": 4893,
          "FBXW7": 55294, "POLE": 5426, "TCF7L2": 6934, "SOX9": 6662, "ARID1A": 8289, "AMER1": 139285,
          "ACVR2A": 92, "CTNNB1": 1499, "ATM": 472, "TGFBR2": 7048, "RNF43": 54894}
CRC_GENES = sorted(ENTREZ)

#: hotspot SNVs on GRCh38: gene -> list of (weight, chrom, pos, ref, alt, HGVSc, HGVSp short, HGVSp)
#: (genomic alleles on the + strand; KRAS, NRAS, TP53, BRAF, POLE and FBXW7 are on the - strand)
HOTSPOTS: dict[str, list[tuple]] = {
    "KRAS": [(0.30, "chr12", 25245350, "C", "T", "c.35G>A", "p.G12D", "p.Gly12Asp"),
             (0.22, "chr12", 25245350, "C", "A", "c.35G>T", "p.G12V", "p.Gly12Val"),
             (0.17, "chr12", 25245347, "C", "T", "c.38G>A", "p.G13D", "p.Gly13Asp"),
             (0.06, "chr12", 25245351, "C", "A", "c.34G>T", "p.G12C", "p.Gly12Cys"),
             (0.06, "chr12", 25245350, "C", "G", "c.35G>C", "p.G12A", "p.Gly12Ala"),
             (0.05, "chr12", 25245351, "C", "T", "c.34G>A", "p.G12S", "p.Gly12Ser"),
             (0.07, "chr12", 25225628, "C", "T", "c.436G>A", "p.A146T", "p.Ala146Thr"),
             (0.05, "chr12", 25227341, "T", "G", "c.183A>C", "p.Q61H", "p.Gln61His")],
    "NRAS": [(0.45, "chr1", 114713909, "G", "T", "c.181C>A", "p.Q61K", "p.Gln61Lys"),
             (0.25, "chr1", 114713908, "T", "C", "c.182A>G", "p.Q61R", "p.Gln61Arg"),
             (0.30, "chr1", 114716126, "C", "T", "c.35G>A", "p.G12D", "p.Gly12Asp")],
    "BRAF": [(1.0, "chr7", 140753336, "A", "T", "c.1799T>A", "p.V600E", "p.Val600Glu")],
    "PIK3CA": [(0.40, "chr3", 179218303, "G", "A", "c.1633G>A", "p.E545K", "p.Glu545Lys"),
               (0.30, "chr3", 179218294, "G", "A", "c.1624G>A", "p.E542K", "p.Glu542Lys"),
               (0.30, "chr3", 179234297, "A", "G", "c.3140A>G", "p.H1047R", "p.His1047Arg")],
    "TP53": [(0.25, "chr17", 7675088, "C", "T", "c.524G>A", "p.R175H", "p.Arg175His"),
             (0.20, "chr17", 7673802, "C", "T", "c.818G>A", "p.R273H", "p.Arg273His"),
             (0.12, "chr17", 7673803, "G", "A", "c.817C>T", "p.R273C", "p.Arg273Cys"),
             (0.15, "chr17", 7674221, "G", "A", "c.742C>T", "p.R248W", "p.Arg248Trp"),
             (0.13, "chr17", 7674220, "C", "T", "c.743G>A", "p.R248Q", "p.Arg248Gln"),
             (0.08, "chr17", 7673776, "G", "A", "c.844C>T", "p.R282W", "p.Arg282Trp"),
             (0.07, "chr17", 7674230, "C", "T", "c.733G>A", "p.G245S", "p.Gly245Ser")],
    "FBXW7": [(0.6, "chr4", 152328233, "G", "A", "c.1393C>T", "p.R465C", "p.Arg465Cys"),
              (0.4, "chr4", 152328232, "C", "T", "c.1394G>A", "p.R465H", "p.Arg465His")],
    "SMAD4": [(1.0, "chr18", 51065549, "G", "A", "c.1082G>A", "p.R361H", "p.Arg361His")],
    "POLE": [(0.6, "chr12", 132676598, "G", "C", "c.857C>G", "p.P286R", "p.Pro286Arg"),
             (0.4, "chr12", 132673664, "C", "A", "c.1231G>T", "p.V411L", "p.Val411Leu")],
}
#: APC exon 16 (last exon, + strand) on GRCh38: c.4348 = chr5:112839942 (R1450*), contiguous c.1958-c.8532
APC_EXON16 = (112837552, 112844126, 4348, 112839942)

#: probability a tumour carries a driver, by group (calibrated so the cohort matches TCGA 2012)
DRIVER_P = {
    "MSS": {"APC": 0.82, "TP53": 0.63, "KRAS": 0.45, "PIK3CA": 0.16, "SMAD4": 0.14, "BRAF": 0.03, "NRAS": 0.08,
            "FBXW7": 0.07, "TCF7L2": 0.10, "SOX9": 0.07, "AMER1": 0.08, "ARID1A": 0.05, "CTNNB1": 0.04,
            "ATM": 0.06},
    "MSI-H": {"APC": 0.50, "TP53": 0.25, "KRAS": 0.30, "PIK3CA": 0.32, "SMAD4": 0.10, "BRAF": 0.47, "NRAS": 0.03,
              "FBXW7": 0.12, "ACVR2A": 0.65, "TGFBR2": 0.55, "RNF43": 0.50, "ARID1A": 0.35, "ATM": 0.15},
}
DRIVER_P["POLE"] = {**DRIVER_P["MSS"], "POLE": 1.0}

#: planted Cox hazard ratios for overall survival (truth.json)
HAZARD_RATIOS = {"stage_II_vs_I": 1.6, "stage_III_vs_I": 2.8, "stage_IV_vs_I": 8.0, "msi_high": 0.6,
                 "braf_v600e": 2.0, "age_per_10_years": 1.2}
CALLABLE_MB = 35.0  # exome target the synthetic TMB is scaled to
#: share of tumours sequenced at diagnosis; the others U(1, 36) months later (a generator choice, not a clinical fact)
SEQUENCED_AT_DIAGNOSIS = 0.5
SEQUENCING_DELAY_MAX = 36.0
N_PATIENTS = 320
VCF_PATIENTS_N = 5

MAF_COLUMNS = ["Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position",
               "End_Position", "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele",
               "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "dbSNP_RS", "Tumor_Sample_Barcode",
               "Matched_Norm_Sample_Barcode", "Mutation_Status", "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID",
               "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
               "Consequence", "IMPACT", "CANONICAL"]

_CLASS_TO_CONS = {"Missense_Mutation": "missense_variant", "Silent": "synonymous_variant",
                  "Nonsense_Mutation": "stop_gained", "Splice_Site": "splice_donor_variant",
                  "Frame_Shift_Del": "frameshift_variant", "Frame_Shift_Ins": "frameshift_variant",
                  "In_Frame_Del": "inframe_deletion", "3'UTR": "3_prime_UTR_variant", "Intron": "intron_variant"}
_IMPACT = {"Missense_Mutation": "MODERATE", "Silent": "LOW", "Nonsense_Mutation": "HIGH", "Splice_Site": "HIGH",
           "Frame_Shift_Del": "HIGH", "Frame_Shift_Ins": "HIGH", "In_Frame_Del": "MODERATE", "3'UTR": "MODIFIER",
           "Intron": "MODIFIER"}
_COMP = str.maketrans("ACGT", "TGCA")


@dataclass
class Patient:
    pid: str
    group: str
    age: int
    sex: str
    stage: str
    side: str
    drivers: dict


def _patients(rng, n: int) -> list[Patient]:
    out = []
    n_pole = 3
    groups = np.array(["MSS"] * n, dtype=object)
    idx = rng.permutation(n)
    groups[idx[:n_pole]] = "POLE"
    groups[idx[n_pole:n_pole + round(0.15 * n)]] = "MSI-H"
    for i in range(n):
        g = groups[i]
        if g == "MSI-H":
            side = str(rng.choice(["right", "left", "rectum"], p=[0.75, 0.15, 0.10]))
            stage = str(rng.choice(["I", "II", "III", "IV"], p=[0.15, 0.50, 0.28, 0.07]))
            age = int(np.clip(rng.normal(70, 11), 30, 92))
        else:
            side = str(rng.choice(["right", "left", "rectum"], p=[0.27, 0.40, 0.33]))
            stage = str(rng.choice(["I", "II", "III", "IV"], p=[0.18, 0.27, 0.33, 0.22]))
            age = int(np.clip(rng.normal(65 if g == "MSS" else 55, 11), 28, 92))
        probs = DRIVER_P[g]
        drivers = {gene: bool(rng.random() < p) for gene, p in probs.items()}
        # BRAF V600E is mutually exclusive with RAS; KRAS with NRAS (TCGA 2012)
        if drivers.get("BRAF"):
            drivers["KRAS"] = drivers["NRAS"] = False
        if drivers.get("KRAS"):
            drivers["NRAS"] = False
        sex = "M" if rng.random() < 0.55 else "F"
        out.append(Patient(f"CRC{i + 1:04d}", g, age, sex, stage, side, drivers))
    return out


def _pick(rng, options: list[tuple]) -> tuple:
    w = np.array([o[0] for o in options])
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _aa_change(rng, ppos: int, cls: str) -> tuple[str, str]:
    a = AA3[int(rng.integers(20))]
    if cls == "Missense_Mutation":
        b = AA3[(AA3.index(a) + 1 + int(rng.integers(19))) % 20]
        return f"p.{AA1[a]}{ppos}{AA1[b]}", f"p.{a}{ppos}{b}"
    if cls == "Nonsense_Mutation":
        return f"p.{AA1[a]}{ppos}*", f"p.{a}{ppos}Ter"
    if cls == "Silent":
        return f"p.{AA1[a]}{ppos}=", f"p.{a}{ppos}="
    if cls.startswith("Frame_Shift"):
        return f"p.{AA1[a]}{ppos}fs", f"p.{a}{ppos}fs"
    if cls == "In_Frame_Del":
        return f"p.{AA1[a]}{ppos}del", f"p.{a}{ppos}del"
    if cls == "Splice_Site":
        return f"p.X{ppos}_splice", f"p.X{ppos}_splice"
    return "", ""


# size: the random draws must stay in this order (same seed, same data); one loop keeps that order visible
def _mutations(rng, pts: list[Patient], genes: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict] = []
    passengers: list[pd.DataFrame] = []
    tx = genes.set_index("symbol")
    auto = genes[~genes.chrom.isin(["chrY", "chrM"])].reset_index(drop=True)
    w = np.sqrt((auto.end - auto.start).to_numpy(float))
    w /= w.sum()
    bases = np.array(list("ACGT"))
    for p in pts:
        purity = rng.uniform(0.3, 0.8)

        def add(gene, chrom, pos, ref, alt, cls, hgvsc, hgvsp_s, hgvsp, exon=""):
            depth = int(rng.integers(60, 250))
            vaf = np.clip(rng.normal(purity / 2, 0.05), 0.05, 0.9)
            alt_n = max(4, int(rng.binomial(depth, vaf)))
            vtype = "SNP" if len(ref) == len(alt) == 1 else ("DEL" if alt == "-" else "INS")
            end = pos + (len(ref) - 1 if ref != "-" else 1)
            strand_tx = tx.loc[gene, "ensembl_transcript"] if gene in tx.index else ""
            n_depth = int(rng.integers(40, 150))
            rows.append({"Hugo_Symbol": gene, "Entrez_Gene_Id": ENTREZ.get(gene, 0), "Center": "BIGMED-SYNTHETIC",
                         "NCBI_Build": "GRCh38", "Chromosome": chrom, "Start_Position": int(pos),
                         "End_Position": int(end), "Strand": "+", "Variant_Classification": cls,
                         "Variant_Type": vtype, "Reference_Allele": ref, "Tumor_Seq_Allele1": ref,
                         "Tumor_Seq_Allele2": alt, "dbSNP_RS": "novel", "Tumor_Sample_Barcode": f"{p.pid}-T",
                         "Matched_Norm_Sample_Barcode": f"{p.pid}-N", "Mutation_Status": "Somatic",
                         "HGVSc": hgvsc, "HGVSp": hgvsp, "HGVSp_Short": hgvsp_s, "Transcript_ID": strand_tx,
                         "Exon_Number": exon, "t_depth": depth, "t_ref_count": depth - alt_n, "t_alt_count": alt_n,
                         "n_depth": n_depth, "n_ref_count": n_depth, "n_alt_count": 0,
                         "Consequence": _CLASS_TO_CONS[cls], "IMPACT": _IMPACT[cls], "CANONICAL": "YES"})

        # ---- drivers
        for gene, hit in p.drivers.items():
            if not hit:
                continue
            if gene == "APC":  # truncating, in the mutation cluster region of exon 16; a second hit often
                for _ in range(1 if rng.random() < 0.4 else 2):
                    lo, hi, c0, g0 = APC_EXON16
                    g = int(rng.integers(112838500, 112840400))
                    c = c0 + (g - g0)
                    codon = (c - 1) // 3 + 1
                    if rng.random() < 0.55:
                        ref = "C"
                        add("APC", "chr5", g, ref, "T", "Nonsense_Mutation", f"c.{c}C>T", f"p.R{codon}*",
                            f"p.Arg{codon}Ter", "16/16")
                    else:
                        ref = str(bases[rng.integers(4)])
                        add("APC", "chr5", g, ref, "-", "Frame_Shift_Del", f"c.{c}del",
                            f"p.{AA1[AA3[codon % 20]]}{codon}fs", f"p.{AA3[codon % 20]}{codon}fs", "16/16")
                continue
            if gene in HOTSPOTS and (gene not in ("TP53", "FBXW7", "SMAD4") or rng.random() < 0.6):
                _, chrom, pos, ref, alt, hgvsc, hs, hl = _pick(rng, HOTSPOTS[gene])
                cls = "Missense_Mutation"
                add(gene, chrom, pos, ref, alt, cls, hgvsc, hs, hl)
                continue
            # other tumour-suppressor hits: truncating or missense somewhere in the gene
            r = tx.loc[gene]
            pos = int(rng.integers(r.start + 50, r.end - 50)) + 1
            cls = str(rng.choice(["Nonsense_Mutation", "Frame_Shift_Del", "Missense_Mutation", "Frame_Shift_Ins"],
                                 p=[0.35, 0.25, 0.3, 0.1]))
            if gene in ("ACVR2A", "TGFBR2", "RNF43"):  # MSI targets: frameshifts in coding repeats
                cls = "Frame_Shift_Del" if rng.random() < 0.7 else "Frame_Shift_Ins"
            ref = str(bases[rng.integers(4)])
            alt = "-" if cls == "Frame_Shift_Del" else str(bases[(np.searchsorted(bases, ref) + 1) % 4])
            if cls == "Frame_Shift_Ins":
                ref, alt = "-", "A"
            ppos = int(rng.integers(20, 900))
            hs, hl = _aa_change(rng, ppos, cls)
            add(gene, r.chrom, pos, ref, alt, cls, f"c.{3 * ppos - 1}{ref if ref != '-' else ''}>{alt}"
                if cls in ("Missense_Mutation", "Nonsense_Mutation") else f"c.{3 * ppos - 1}del", hs, hl)
        # ---- passengers
        if p.group == "MSS":
            tmb = rng.lognormal(np.log(3.2), 0.45)
        elif p.group == "MSI-H":
            tmb = rng.lognormal(np.log(35), 0.35)
        else:
            tmb = rng.lognormal(np.log(150), 0.3)
        n = int(tmb * CALLABLE_MB / 0.75)  # ~75 % of coding calls are non-synonymous
        gi = rng.choice(len(auto), size=n, p=w)
        r = auto.iloc[gi]
        pos = r.start.to_numpy() + 1 + (rng.random(n) * (r.end - r.start).to_numpy()).astype(np.int64)
        if p.group == "MSI-H":
            cls_p = {"Missense_Mutation": .52, "Silent": .2, "Nonsense_Mutation": .04, "Splice_Site": .02,
                     "Frame_Shift_Del": .14, "Frame_Shift_Ins": .06, "In_Frame_Del": .01, "3'UTR": .01}
        else:
            cls_p = {"Missense_Mutation": .63, "Silent": .24, "Nonsense_Mutation": .05, "Splice_Site": .02,
                     "Frame_Shift_Del": .02, "Frame_Shift_Ins": .01, "In_Frame_Del": .005, "3'UTR": .015}
        classes = rng.choice(list(cls_p), size=n, p=np.array(list(cls_p.values())) / sum(cls_p.values()))
        # mutational signatures: POLE C>A (SBS10a), MMR deficiency and ageing C>T
        ref = np.where(rng.random(n) < 0.5, "C", "G")
        if p.group == "POLE":
            alt = np.where(rng.random(n) < 0.6, np.where(ref == "C", "A", "T"), np.where(ref == "C", "T", "A"))
        else:
            alt = np.where(rng.random(n) < 0.7, np.where(ref == "C", "T", "A"),
                           np.where(ref == "C", bases[rng.integers(0, 2, n) * 2], bases[rng.integers(1, 3, n)]))
            alt = np.where(alt == ref, np.where(ref == "C", "T", "A"), alt)
        ppos = rng.integers(5, 1500, n)
        is_del = np.isin(classes, ["Frame_Shift_Del", "In_Frame_Del"])
        is_ins = classes == "Frame_Shift_Ins"
        ins_base = "T" if p.group == "MSI-H" else "A"
        rf = np.where(classes == "In_Frame_Del", np.char.add(ref.astype(str), "AG"), np.where(is_ins, "-", ref))
        al = np.where(is_del, "-", np.where(is_ins, ins_base, alt))
        cpos = 3 * ppos - 1
        aa_a = np.array(AA3)[rng.integers(0, 20, n)]
        aa_b = np.array(AA3)[rng.integers(0, 20, n)]
        aa_b = np.where(aa_a == aa_b, np.where(aa_a == "Ala", "Val", "Ala"), aa_b)
        one = np.vectorize(AA1.get, otypes=[object])
        a1, b1 = one(aa_a), one(aa_b)
        pp = ppos.astype(str).astype(object)
        c = cpos.astype(str).astype(object)
        hl = np.select([classes == "Missense_Mutation", classes == "Nonsense_Mutation", classes == "Silent",
                        np.char.startswith(classes.astype(str), "Frame_Shift"), classes == "In_Frame_Del",
                        classes == "Splice_Site"],
                       ["p." + aa_a.astype(object) + pp + aa_b.astype(object), "p." + aa_a.astype(object) + pp + "Ter",
                        "p." + aa_a.astype(object) + pp + "=", "p." + aa_a.astype(object) + pp + "fs",
                        "p." + aa_a.astype(object) + pp + "del", "p.X" + pp + "_splice"], "").astype(object)
        hs = np.select([classes == "Missense_Mutation", classes == "Nonsense_Mutation", classes == "Silent",
                        np.char.startswith(classes.astype(str), "Frame_Shift"), classes == "In_Frame_Del",
                        classes == "Splice_Site"],
                       ["p." + a1 + pp + b1, "p." + a1 + pp + "*", "p." + a1 + pp + "=", "p." + a1 + pp + "fs",
                        "p." + a1 + pp + "del", "p.X" + pp + "_splice"], "").astype(object)
        rfo, alo = rf.astype(object), al.astype(object)
        hgvsc = np.select([classes == "Frame_Shift_Del", classes == "In_Frame_Del", is_ins,
                           classes == "Splice_Site", classes == "3'UTR"],
                          ["c." + c + "del", "c." + c + "_" + (cpos + 2).astype(str).astype(object) + "del",
                           "c." + c + "_" + (cpos + 1).astype(str).astype(object) + "ins" + alo,
                           "c." + c + "+1" + rfo + ">" + alo, "c.*" + pp + rfo + ">" + alo],
                          "c." + c + rfo + ">" + alo).astype(object)
        depth = rng.integers(60, 250, n)
        vaf = np.clip(rng.normal(purity / 2, 0.05, n), 0.05, 0.9)
        alt_n = np.maximum(4, rng.binomial(depth, vaf))
        n_depth = rng.integers(40, 150, n)
        vtype = np.where(is_del, "DEL", np.where(is_ins, "INS", "SNP"))
        rlen = np.char.str_len(rf.astype(str))
        endp = np.where(is_ins, pos + 1, pos + rlen - 1)
        sym = r.symbol.to_numpy()
        passengers.append(pd.DataFrame({
            "Hugo_Symbol": sym, "Entrez_Gene_Id": [ENTREZ.get(x, 0) for x in sym], "Center": "BIGMED-SYNTHETIC",
            "NCBI_Build": "GRCh38", "Chromosome": r.chrom.to_numpy(), "Start_Position": pos, "End_Position": endp,
            "Strand": "+", "Variant_Classification": classes, "Variant_Type": vtype, "Reference_Allele": rf,
            "Tumor_Seq_Allele1": rf, "Tumor_Seq_Allele2": al, "dbSNP_RS": "novel",
            "Tumor_Sample_Barcode": f"{p.pid}-T", "Matched_Norm_Sample_Barcode": f"{p.pid}-N",
            "Mutation_Status": "Somatic", "HGVSc": hgvsc, "HGVSp": np.where(classes == "3'UTR", "", hl),
            "HGVSp_Short": np.where(classes == "3'UTR", "", hs), "Transcript_ID": r.ensembl_transcript.to_numpy(),
            "Exon_Number": [f"{x}/12" for x in rng.integers(1, 12, n)], "t_depth": depth,
            "t_ref_count": depth - alt_n, "t_alt_count": alt_n, "n_depth": n_depth, "n_ref_count": n_depth,
            "n_alt_count": 0, "Consequence": [_CLASS_TO_CONS[x] for x in classes],
            "IMPACT": [_IMPACT[x] for x in classes], "CANONICAL": "YES"}))
    maf = pd.concat([pd.DataFrame(rows, columns=MAF_COLUMNS)] + passengers, ignore_index=True)[MAF_COLUMNS]
    maf["_o"] = maf.Chromosome.map(CONTIG_ORDER)
    maf = maf.sort_values(["Tumor_Sample_Barcode", "_o", "Start_Position"], kind="mergesort")
    maf = maf.drop_duplicates(["Tumor_Sample_Barcode", "Chromosome", "Start_Position"]).drop(columns="_o")
    return maf.reset_index(drop=True)


def _sequencing_delay(rng_seq, censor: float) -> float:
    """Months from diagnosis to tumour sequencing: at diagnosis for half of the patients, else U(1, 36) months
    later (an archived specimen sequenced at a later line of therapy), always before the data cut."""
    if rng_seq.random() < SEQUENCED_AT_DIAGNOSIS:
        return 0.0
    return float(np.floor(rng_seq.uniform(1, min(SEQUENCING_DELAY_MAX, censor - 1)) * 10) / 10)


def _clinical(rng, pts: list[Patient], maf: pd.DataFrame, rng_seq) -> pd.DataFrame:
    """Clinical table of a left-truncated cohort: survival from diagnosis, but a patient enters the cohort only at
    the sequencing of the tumour (``sequencing_months``), so survival is drawn conditional on being alive then."""
    braf = set(maf.loc[maf.HGVSp_Short == "p.V600E", "Tumor_Sample_Barcode"].str[:-2])
    rows = []
    k, lam = 1.2, 260.0  # Weibull baseline (shape, scale in months)
    for p in pts:
        msi = p.group == "MSI-H"
        lp = (np.log(HAZARD_RATIOS["stage_II_vs_I"]) * (p.stage == "II")
              + np.log(HAZARD_RATIOS["stage_III_vs_I"]) * (p.stage == "III")
              + np.log(HAZARD_RATIOS["stage_IV_vs_I"]) * (p.stage == "IV")
              + np.log(HAZARD_RATIOS["msi_high"]) * msi
              + np.log(HAZARD_RATIOS["braf_v600e"]) * (p.pid in braf)
              + np.log(HAZARD_RATIOS["age_per_10_years"]) * (p.age - 65) / 10)
        e = -np.log(rng.random())  # unit-exponential draw of the Weibull-Cox model
        censor = rng.uniform(6, 120)
        seq = _sequencing_delay(rng_seq, censor)
        # inverse cumulative hazard, conditional on surviving to sequencing: H(T) = H(seq) + E
        t_os = lam * ((seq / lam) ** k + e / np.exp(lp)) ** (1 / k)
        os_m, os_e = min(t_os, censor), int(t_os <= censor)
        t_pfs = seq + (t_os - seq) * rng.uniform(0.25, 0.9)
        pfs_m, pfs_e = min(t_pfs, censor), int(t_pfs <= censor)
        if msi:
            mmr = "deficient" if rng.random() > 0.03 else "proficient"
            score = float(np.clip(rng.normal(28, 8), 11, 55))
        else:
            mmr = "proficient" if rng.random() > 0.01 else "deficient"
            score = float(np.clip(rng.normal(1.5, 1.2), 0, 7.5))
        lines = {"I": 0, "II": int(rng.random() < 0.3), "III": 1, "IV": int(rng.integers(1, 4))}[p.stage]
        os_r, pfs_r = round(os_m, 1), round(pfs_m, 1)
        rows.append({"patient_id": p.pid, "age": p.age, "sex": p.sex, "stage": p.stage, "side": p.side,
                     "msi_status": "MSI-H" if msi else "MSS", "mmr_ihc": mmr, "msi_score": round(score, 2),
                     "treatment_lines": lines, "sequencing_months": min(seq, os_r, pfs_r),
                     "os_months": os_r, "os_event": os_e, "pfs_months": pfs_r, "pfs_event": pfs_e})
    return pd.DataFrame(rows)


def _patient_vcf(rng, path: Path, pid: str, muts: pd.DataFrame, genes: pd.DataFrame) -> None:
    g = genes.set_index("symbol")
    recs, tf, nf = [], [], []
    for r in muts.itertuples(index=False):
        ref, alt, pos = r.Reference_Allele, r.Tumor_Seq_Allele2, int(r.Start_Position)
        anchor = "ACGT"[int(rng.integers(4))]
        if alt == "-":  # VCF deletions carry the preceding base
            pos, ref, alt = pos - 1, anchor + ref, anchor
        elif ref == "-":
            ref, alt = anchor, anchor + alt
        gr = g.loc[r.Hugo_Symbol]
        extra = {"hgvsc": r.HGVSc}
        if r.HGVSp:
            extra["protein_change"] = r.HGVSp
            ppos = "".join(ch for ch in r.HGVSp_Short.split("fs")[0] if ch.isdigit())
            if ppos:
                extra["protein_position"] = int(ppos)
        cons = r.Consequence
        csq = csq_entries(rng, Site(r.Chromosome, pos, ref, alt, r.Hugo_Symbol, gene_id_for(r.Hugo_Symbol),
                                    gr.strand, gr.ensembl_transcript, gr.refseq, cons, af=0.0,
                                    clin_sig="pathogenic" if r.HGVSp_Short in ("p.V600E", "p.G12C", "p.G12D") else "",
                                    extra=extra))
        recs.append({"chrom": r.Chromosome, "pos": pos, "ref": ref, "alt": alt,
                     "qual": ".", "filter": "PASS", "info": f"DP={r.t_depth + r.n_depth};CSQ={csq}"})
        tf.append((1, r.t_ref_count, r.t_alt_count))
        nf.append((0, r.n_ref_count, 0))
    df = pd.DataFrame(recs)
    order = np.lexsort((df.pos.to_numpy(), df.chrom.map(CONTIG_ORDER).to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    t = np.array(tf)[order]
    n = np.array(nf)[order]
    keep = ~df.duplicated(["chrom", "pos"]).to_numpy()
    df, t, n = df[keep].reset_index(drop=True), t[keep], n[keep]
    fields = [genotype_field(t[:, 0], np.minimum(t[:, 1], 127), np.minimum(t[:, 2], 127)),
              genotype_field(n[:, 0], np.minimum(n[:, 1], 127), n[:, 2])]
    header = vcf_header([f"{pid}-T", f"{pid}-N"], description=f"somatic tumour/normal calls of {pid}",
                        extra=[f"##tumor_sample={pid}-T", f"##normal_sample={pid}-N"])
    write_vcf(path, header, df, fields)


def generate_colorectal(out: Path, *, seed: int, patients: int = N_PATIENTS) -> list[Patient]:
    """Write ``out/colorectal_cancer/`` and return the simulated patients."""
    out = Path(out) / "colorectal_cancer"
    (out / "vcf").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 3])
    genes = gene_spans(with_transcripts=True)
    pts = _patients(rng, patients)
    maf = _mutations(rng, pts, genes)
    with open(out / "somatic.maf", "w") as fh:
        fh.write("#version 2.4\n")
        fh.write(f"# {SYNTHETIC_NOTICE}\n")
        maf.to_csv(fh, sep="\t", index=False, lineterminator="\n")
    # sequencing dates from their own stream: patients sequenced at diagnosis keep the survival of earlier versions
    clin = _clinical(rng, pts, maf, np.random.default_rng([seed, 3, 1]))
    clin.to_csv(out / "clinical.csv", index=False, lineterminator="\n")
    # demo patients with a per-patient VCF: BRAF V600E (MSI-H), KRAS G12C, RAS/BRAF wild-type MSS, POLE
    bar = maf.groupby("Tumor_Sample_Barcode")["HGVSp_Short"].apply(set)
    gene_sets = maf.groupby("Tumor_Sample_Barcode")["Hugo_Symbol"].apply(set)
    by_id = {p.pid: p for p in pts}
    chosen: dict[str, str] = {}

    def first(pred) -> str | None:
        # prefer metastatic (stage IV) patients: that is where the actionable rules apply
        for stages in (("IV",), ("III",), ("I", "II", "III", "IV")):
            for b in bar.index:
                pid = b[:-2]
                if pid not in chosen.values() and by_id[pid].stage in stages and pred(pid, b):
                    return pid
        return None

    kras_hot = {h[6] for h in HOTSPOTS["KRAS"]}
    chosen["braf_v600e_msi_high"] = first(lambda pid, b: "p.V600E" in bar[b] and by_id[pid].group == "MSI-H")
    chosen["kras_g12c"] = first(lambda pid, b: "p.G12C" in bar[b] and "KRAS" in gene_sets[b]
                                and by_id[pid].group == "MSS")
    chosen["ras_braf_wild_type_mss"] = first(lambda pid, b: by_id[pid].group == "MSS" and not (
        {"KRAS", "NRAS", "BRAF"} & gene_sets[b]) and by_id[pid].stage == "IV")
    chosen["pole_ultramutated"] = first(lambda pid, b: by_id[pid].group == "POLE")
    chosen["kras_g12d"] = first(lambda pid, b: "p.G12D" in bar[b] and "KRAS" in gene_sets[b] and not (kras_hot - {"p.G12D"}) & bar[b])
    for pid in chosen.values():
        if pid:
            _patient_vcf(rng, out / "vcf" / f"{pid}.vcf.gz", pid, maf[maf.Tumor_Sample_Barcode == f"{pid}-T"], genes)
    freq = {gene: round(float(maf[maf.Hugo_Symbol == gene].Tumor_Sample_Barcode.nunique() / len(pts)), 3)
            for gene in ["APC", "TP53", "KRAS", "PIK3CA", "SMAD4", "BRAF", "NRAS", "FBXW7", "POLE"]}
    truth = {
        "synthetic": SYNTHETIC_NOTICE,
        "n_patients": len(pts),
        "survival_model": {"type": "Cox proportional hazards with Weibull baseline (shape 1.2, scale 260 months); "
                                   "censoring uniform 6-120 months after diagnosis; left truncation: half of the "
                                   "tumours sequenced at diagnosis, the others U(1, 36) months later (before the "
                                   "data cut), independent of the covariates, and survival drawn conditional on "
                                   "being alive at sequencing; PFS = sequencing + (OS - sequencing) x U(0.25, 0.9)",
                           "outcome": "os_months/os_event from diagnosis, entry at sequencing_months",
                           "analysis": "delayed entry at sequencing_months (left truncation) recovers the hazard "
                                       "ratios; counting from diagnosis without it adds immortal time",
                           "hazard_ratios": HAZARD_RATIOS,
                           "covariates": {"stage": "indicator vs stage I", "msi_high": "msi_status == MSI-H",
                                          "braf_v600e": "BRAF p.V600E in somatic.maf",
                                          "age_per_10_years": "(age - 65) / 10"}},
        "callable_mb": CALLABLE_MB,
        "groups": {g: sorted(p.pid for p in pts if p.group == g) for g in ("MSI-H", "POLE")},
        "braf_v600e": sorted(set(maf.loc[maf.HGVSp_Short == "p.V600E", "Tumor_Sample_Barcode"].str[:-2])),
        "kras_g12c": sorted(set(maf.loc[(maf.Hugo_Symbol == "KRAS") & (maf.HGVSp_Short == "p.G12C"),
                                        "Tumor_Sample_Barcode"].str[:-2])),
        "driver_frequency": freq,
        "demo_patients": {k: v for k, v in chosen.items() if v},
        "patient_vcfs": sorted(f"vcf/{v}.vcf.gz" for v in chosen.values() if v),
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    return pts
