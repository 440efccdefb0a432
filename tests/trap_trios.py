"""Hand-made trios with planted clinical traps, written by test fixtures into a temporary folder.

One VCF, three families (GRCh38, VEP-style CSQ with per-group gnomAD exome frequencies and SpliceAI plugin
fields) plus a PED:

* ``T1`` (proband ``T1-P`` female affected, parents unaffected, true parents): the gate traps (de novo
  deep-intronic and synonymous variants in SCN1A, which fits the phenotype, against a de novo frameshift in
  STXBP1), intronic compound hets, a compound het in a dominant-only gene, a founder variant common only in
  Finland, PVS1 cases, a compound het with a de novo side, a ClinVar-only intronic de novo variant, and a
  dominant-gene (COL2A1) variant inherited from the unaffected father (reduced penetrance);
* ``T2`` (proband ``T2-P``): the PED's father ``T2-F`` is not the biological father (his genotypes are
  unrelated to the proband's); a de novo frameshift in STXBP1;
* ``T3`` (proband ``T3-P`` female affected, mother affected, father unaffected): an X-linked dominant
  variant inherited from the mother.

Several hundred common background sites (gnomAD AF 0.2-0.5, filtered before any mode) give the family QC
enough sites to confirm parentage, or to refute it for T2.
"""

from __future__ import annotations

import random
from pathlib import Path

SAMPLES = ["T1-P", "T1-F", "T1-M", "T2-P", "T2-F", "T2-M", "T3-P", "T3-F", "T3-M"]
PED = (
    "#Family ID\tIndividual ID\tPaternal ID\tMaternal ID\tSex\tPhenotype\n"
    "T1\tT1-P\tT1-F\tT1-M\t2\t2\nT1\tT1-F\t0\t0\t1\t1\nT1\tT1-M\t0\t0\t2\t1\n"
    "T2\tT2-P\tT2-F\tT2-M\t1\t2\nT2\tT2-F\t0\t0\t1\t1\nT2\tT2-M\t0\t0\t2\t1\n"
    "T3\tT3-P\tT3-F\tT3-M\t2\t2\nT3\tT3-F\t0\t0\t1\t1\nT3\tT3-M\t0\t0\t2\t2\n"
)
#: the probands' phenotypes: a developmental and epileptic encephalopathy (fits SCN1A and STXBP1)
HPO_TERMS = ["HP:0001250", "HP:0002133", "HP:0001263", "HP:0001344", "HP:0002353"]

GROUPS = ["AFR", "AMR", "ASJ", "EAS", "FIN", "MID", "NFE", "REMAINING", "SAS"]
CSQ_FIELDS = (["Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE", "EXON",
               "INTRON", "HGVSc", "HGVSp", "Protein_position", "CANONICAL", "MAX_AF", "gnomADe_AF"]
              + [f"gnomADe_{g}_AF" for g in GROUPS]
              + ["CLIN_SIG", "REVEL", "SpliceAI_pred_DS_AG", "SpliceAI_pred_DS_AL", "SpliceAI_pred_DS_DG",
                 "SpliceAI_pred_DS_DL"])
CONTIGS = {"chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
           "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
           "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
           "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
           "chr21": 46709983, "chr22": 50818468, "chrX": 156040895}

# --- planted variants: id -> what the clinical answer is (the tests read these names) --------------------
DEEP_INTRONIC_SCN1A = "chr2:166000100:C:T"
SYNONYMOUS_SCN1A = "chr2:166010200:G:A"
FRAMESHIFT_STXBP1 = "chr9:127650100:CT:C"
PAH_MISSENSE_PAT = "chr12:102840100:G:A"
PAH_INTRON_MAT = "chr12:102850200:T:C"
ASPM_INTRON_PAT = "chr1:197080100:A:G"
ASPM_INTRON_MAT = "chr1:197090200:C:T"
FBN1_MISSENSE_PAT = "chr15:48410100:C:T"
FBN1_MISSENSE_MAT = "chr15:48420200:G:A"
CEP290_STOP_PAT = "chr12:88080100:G:A"
CEP290_MISSENSE_MAT = "chr12:88090200:A:G"
NPHS1_FINNISH_HOM = "chr19:35830100:C:T"
ARID1B_LAST_EXON_STOP = "chr6:157200100:C:T"
USH2A_DE_NOVO_MISSENSE = "chr1:215800100:T:C"
USH2A_FRAMESHIFT_MAT = "chr1:215810200:AG:A"
KCNQ2_CLINVAR_INTRON = "chr20:63400100:G:A"
FRAMESHIFT_STXBP1_T2 = "chr9:127660200:GA:G"
PHEX_XLD_MAT = "chrX:22100100:G:A"
COL2A1_FROM_UNAFFECTED_FATHER = "chr12:47980100:C:T"


def _pl(gt: str) -> str:
    return {"0/0": "0,60,600", "0/1": "200,0,200", "1/1": "600,60,0"}[gt]


def _call(gt: str, dp: int = 34) -> str:
    alt = {"0/0": 0, "0/1": dp // 2, "1/1": dp}[gt]
    return f"{gt}:{dp - alt},{alt}:{dp}:60:{_pl(gt)}"


def csq(allele: str, cons: str, symbol: str, *, impact: str = "MODERATE", exon: str = "", intron: str = "",
        hgvsc: str = "", protein_position: str = "", max_af: float | None = None, groups: dict | None = None,
        clin: str = "", revel: str = "", spliceai: float | None = None) -> str:
    """One CSQ entry; ``groups`` maps gnomAD group (``"FIN"``) to AF, ``max_af`` also sets gnomADe_AF."""
    def f(x: float | None) -> str:
        return "" if x is None else f"{x:g}"

    groups = groups or {}
    if max_af is not None and not groups:
        groups = {g: max_af for g in GROUPS}
    overall = None
    if groups:
        overall = sum(groups.values()) / len(groups)
    ds = ["", "", "", ""] if spliceai is None else [f(spliceai), "0", "0", "0"]
    tx = f"ENST_{symbol}"
    vals = [allele, cons, impact, symbol, f"ENSG_{symbol}", "Transcript", tx, "protein_coding", exon, intron,
            f"{tx}:{hgvsc}" if hgvsc else "", "", protein_position, "YES",
            f(max(groups.values()) if groups else max_af), f(overall)]
    vals += [f(groups.get(g)) for g in GROUPS]
    vals += [clin, revel, *ds]
    return "|".join(vals)


def _background(rng: random.Random) -> list[str]:
    """Common SNVs with Mendelian genotypes (T2: the proband's paternal allele is from an untested man)."""
    rows = []
    contigs = [c for c in CONTIGS if c != "chrX"]
    transitions = {"A": "G", "G": "A", "C": "T", "T": "C"}
    for i in range(700):
        chrom = contigs[i % len(contigs)]
        pos = 20_000_000 + 37_013 * i
        ref = "ACGT"[i % 4]
        alt = transitions[ref] if rng.random() < 0.68 else "ACGT"[(i + 1) % 4]
        af = rng.uniform(0.2, 0.5)

        def founder() -> int:
            return (rng.random() < af) + (rng.random() < af)

        def transmit(g: int) -> int:
            return int(rng.random() < g / 2)

        gts = []
        f1, m1 = founder(), founder()
        gts += [transmit(f1) + transmit(m1), f1, m1]
        f2, m2, bio = founder(), founder(), founder()
        gts += [transmit(bio) + transmit(m2), f2, m2]
        f3, m3 = founder(), founder()
        gts += [transmit(f3) + transmit(m3), f3, m3]
        code = {0: "0/0", 1: "0/1", 2: "1/1"}
        info = "CSQ=" + csq(alt, "intron_variant", f"BG{i % 50}", impact="MODIFIER", max_af=round(af, 3))
        rows.append("\t".join([chrom, str(pos), ".", ref, alt, "50", "PASS", info, "GT:AD:DP:GQ:PL",
                               *[_call(code[g]) for g in gts]]))
    return rows


def _family(t1=("0/0", "0/0", "0/0"), t2=("0/0", "0/0", "0/0"), t3=("0/0", "0/0", "0/0")) -> list[str]:
    return [_call(g) for g in (*t1, *t2, *t3)]


DN = ("0/1", "0/0", "0/0")
PAT = ("0/1", "0/1", "0/0")
MAT = ("0/1", "0/0", "0/1")


def _planted() -> list[tuple[str, list[str], str]]:
    """(variant id, genotypes of the nine samples, CSQ) of every planted variant."""
    return [
        (DEEP_INTRONIC_SCN1A, _family(t1=DN), csq("T", "intron_variant", "SCN1A", impact="MODIFIER", intron="5/25",
                                                  hgvsc="c.602+1500G>A", spliceai=0.02)),
        (SYNONYMOUS_SCN1A, _family(t1=DN), csq("A", "synonymous_variant", "SCN1A", impact="LOW", exon="10/26",
                                               hgvsc="c.1530C>T", protein_position="510/2009", spliceai=0.01)),
        (FRAMESHIFT_STXBP1, _family(t1=DN), csq("-", "frameshift_variant", "STXBP1", impact="HIGH", exon="5/20",
                                                hgvsc="c.450del", protein_position="150/603")),
        (PAH_MISSENSE_PAT, _family(t1=PAT), csq("A", "missense_variant", "PAH", exon="7/13", revel="0.93",
                                                max_af=0.0002)),
        (PAH_INTRON_MAT, _family(t1=MAT), csq("C", "intron_variant", "PAH", impact="MODIFIER", intron="8/12",
                                              hgvsc="c.912+800A>G", max_af=0.0003, spliceai=0.0)),
        (ASPM_INTRON_PAT, _family(t1=PAT), csq("G", "intron_variant", "ASPM", impact="MODIFIER", intron="3/27",
                                               hgvsc="c.1000+500T>C", max_af=0.0004)),
        (ASPM_INTRON_MAT, _family(t1=MAT), csq("T", "intron_variant", "ASPM", impact="MODIFIER", intron="9/27",
                                               hgvsc="c.3000-700G>A", max_af=0.0005)),
        (FBN1_MISSENSE_PAT, _family(t1=PAT), csq("T", "missense_variant", "FBN1", exon="20/65", revel="0.7",
                                                 max_af=0.0001)),
        (FBN1_MISSENSE_MAT, _family(t1=MAT), csq("A", "missense_variant", "FBN1", exon="40/65", revel="0.68",
                                                 max_af=0.0002)),
        (CEP290_STOP_PAT, _family(t1=PAT), csq("A", "stop_gained", "CEP290", impact="HIGH", exon="12/54",
                                               protein_position="400/2479", max_af=0.00002)),
        (CEP290_MISSENSE_MAT, _family(t1=MAT), csq("G", "missense_variant", "CEP290", exon="30/54", revel="0.5",
                                                   max_af=0.00004)),
        # a Finnish founder variant: 8 % in Finland, rare elsewhere; homozygous, parents carriers
        (NPHS1_FINNISH_HOM, _family(t1=("1/1", "0/1", "0/1")),
         csq("T", "missense_variant", "NPHS1", exon="4/29", revel="0.8",
             groups={"AFR": 0.00002, "AMR": 0.00005, "ASJ": 0.0, "EAS": 0.0, "FIN": 0.08, "MID": 0.0, "NFE": 0.0001,
                     "REMAINING": 0.001, "SAS": 0.00003})),
        (ARID1B_LAST_EXON_STOP, _family(t1=DN), csq("T", "stop_gained", "ARID1B", impact="HIGH", exon="20/20",
                                                    protein_position="2200/2236")),
        (USH2A_DE_NOVO_MISSENSE, _family(t1=DN), csq("C", "missense_variant", "USH2A", exon="13/72", revel="0.85")),
        (USH2A_FRAMESHIFT_MAT, _family(t1=MAT), csq("-", "frameshift_variant", "USH2A", impact="HIGH", exon="13/72",
                                                    protein_position="759/5202", max_af=0.0002)),
        (KCNQ2_CLINVAR_INTRON, _family(t1=DN), csq("A", "intron_variant", "KCNQ2", impact="MODIFIER", intron="6/16",
                                                   hgvsc="c.1000+120C>T", clin="pathogenic")),
        (FRAMESHIFT_STXBP1_T2, _family(t2=DN), csq("-", "frameshift_variant", "STXBP1", impact="HIGH", exon="8/20",
                                                   hgvsc="c.800del", protein_position="267/603")),
        (PHEX_XLD_MAT, _family(t3=MAT), csq("A", "missense_variant", "PHEX", exon="9/22", revel="0.9")),
        (COL2A1_FROM_UNAFFECTED_FATHER, _family(t1=PAT), csq("T", "missense_variant", "COL2A1", exon="30/54",
                                                             revel="0.9")),
    ]


def header() -> list[str]:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in CONTIGS.items()]
    lines.append('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
                 f'Format: {"|".join(CSQ_FIELDS)}">')
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
              '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
              '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled likelihoods">',
              "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *SAMPLES])]
    return lines


def write_trap_trios(folder: Path, *, seed: int = 14) -> tuple[Path, Path]:
    """Write ``traps.vcf`` and ``traps.ped`` into ``folder``; return their paths."""
    rng = random.Random(seed)
    rows = _background(rng)
    for variant_id, entries, entry in _planted():
        chrom, pos, ref, alt = variant_id.split(":")
        rows.append("\t".join([chrom, pos, ".", ref, alt, "50", "PASS", f"CSQ={entry}", "GT:AD:DP:GQ:PL", *entries]))
    order = {c: i for i, c in enumerate(CONTIGS)}
    rows.sort(key=lambda r: (order[r.split("\t")[0]], int(r.split("\t")[1])))
    folder.mkdir(parents=True, exist_ok=True)
    vcf, ped = folder / "traps.vcf", folder / "traps.ped"
    vcf.write_text("\n".join(header() + rows) + "\n")
    ped.write_text(PED)
    return vcf, ped
