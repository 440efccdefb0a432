"""Write the hand-made test VCFs and PEDs of this folder (run once; the outputs are committed).

    python tests/data/vcf/make_test_vcfs.py

trio.vcf / trio.ped: family FAM1 (proband P1 male affected, father F1, mother M1, unaffected sister S1)
and family FAM2 (proband D_P male affected, affected father D_F, unaffected mother D_M), GRCh38, with one
planted variant per inheritance pattern (see PLANTED below) and decoys that must not be called.
gt_filters.vcf: one variant, one sample per genotype-filter boundary case.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
CSQ_FIELDS = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|HGVSc|HGVSp|CANONICAL|MAX_AF|REVEL|CLIN_SIG"
SAMPLES = ["P1", "F1", "M1", "S1", "D_P", "D_F", "D_M"]


def header(samples, *, csq=CSQ_FIELDS, contigs=("chr1", "chr2", "chr3", "chr4", "chr5", "chr6", "chr7", "chr8", "chr9", "chrX")):
    lengths = {"chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
               "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chrX": 156040895}
    lines = ["##fileformat=VCFv4.2",
             '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="Low quality">']
    lines += [f"##contig=<ID={c},length={lengths[c]}>" for c in contigs]
    if csq:
        lines.append(f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {csq}">')
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
              '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
              '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled likelihoods">',
              "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples])]
    return lines


def g(gt="0/0", *, ab=None, dp=30, gq=60, ad=None):
    """A biallelic GT:AD:DP:GQ:PL entry."""
    if ad is None:
        if gt in ("0/0", "0"):
            alt = 0
        elif gt in ("1/1", "1"):
            alt = dp
        else:
            alt = round(dp * (0.5 if ab is None else ab))
        ad = (dp - alt, alt)
    pl = {"0/0": "0,60,600", "0/1": "200,0,200", "1/1": "600,60,0", "./.": "."}[gt]
    return f"{gt}:{ad[0]},{ad[1]}:{dp}:{gq}:{pl}"


def csq(allele, cons, symbol, *, impact="MODERATE", canonical=True, tx=None, max_af="", revel="", clin="", hgvsp=""):
    tx = tx or f"ENST_{symbol}"
    return "|".join([allele, cons, impact, symbol, f"ENSG_{symbol}", "Transcript", tx, "protein_coding", "2/10",
                     f"{tx}:c.100A>G", hgvsp, "YES" if canonical else "", max_af, revel, clin])


REF = g("0/0")
HET = g("0/1")
HOM = g("1/1")


def fam1(p=REF, f=REF, m=REF, s=REF):
    return [p, f, m, s, REF, REF, REF]


def rec(chrom, pos, ref, alt, entries, csqs, *, filt="PASS"):
    info = "CSQ=" + ",".join(csqs)
    return "\t".join([chrom, str(pos), ".", ref, alt, "50", filt, info, "GT:AD:DP:GQ:PL", *entries])


#: variant_id -> expected mode (None: must not be called in any mode)
PLANTED = {
    "chr1:1000100:A:G": "de_novo",
    "chr2:2000200:C:T": "autosomal_recessive",
    "chr3:3000300:G:A": "compound_heterozygous",
    "chr3:3000400:T:C": "compound_heterozygous",
    "chr4:4000400:G:A": None,  # cis pair (both from father)
    "chr4:4000500:C:T": None,
    "chr5:5000500:G:A": None,  # trans pair, but the unaffected sister carries both
    "chr5:5000600:T:C": None,
    "chrX:50000000:G:A": "x_linked",
    "chrX:60000000:C:T": "de_novo",  # X de novo in a male
    "chr8:8000800:A:C": None,  # de novo pattern, father GQ 10
    "chr8:8000900:A:T": None,  # de novo pattern, FILTER LowQual
    "chr8:8001000:G:C": None,  # de novo pattern, MAX_AF 0.05
    "chr9:9000900:G:T": "autosomal_dominant",  # FAM2: affected father carries
    "chr9:9001000:C:A": None,  # FAM2: unaffected mother carries
}


def trio_records():
    r = []
    r.append(rec("chr1", 1000100, "A", "G", fam1(p=HET), [csq("G", "missense_variant", "DNV1", revel="0.9")]))
    r.append(rec("chr2", 2000200, "C", "T", fam1(p=HOM, f=HET, m=HET, s=HET),
                 [csq("T", "stop_gained", "RECG", impact="HIGH", max_af="0.001", hgvsp="ENSP_RECG:p.Arg10Ter")]))
    r.append(rec("chr3", 3000300, "G", "A", fam1(p=HET, f=HET), [csq("A", "missense_variant", "CHT1", max_af="0.005")]))
    r.append(rec("chr3", 3000400, "T", "C", fam1(p=HET, m=HET, s=HET), [csq("C", "missense_variant", "CHT1")]))
    r.append(rec("chr4", 4000400, "G", "A", fam1(p=HET, f=HET), [csq("A", "missense_variant", "CIS1")]))
    r.append(rec("chr4", 4000500, "C", "T", fam1(p=HET, f=HET), [csq("T", "missense_variant", "CIS1")]))
    r.append(rec("chr5", 5000500, "G", "A", fam1(p=HET, f=HET, s=HET), [csq("A", "missense_variant", "SIB1")]))
    r.append(rec("chr5", 5000600, "T", "C", fam1(p=HET, m=HET, s=HET), [csq("C", "missense_variant", "SIB1")]))
    # multi-allelic SNV + insertion: VEP keeps 'G' and 'AT' (first bases differ, no trimming)
    multi = "\t".join(["chr6", "6000600", ".", "A", "G,AT", "50", "PASS",
                       "CSQ=" + ",".join([csq("G", "missense_variant", "MULT", max_af="0.3"),
                                          csq("AT", "frameshift_variant", "MULT", impact="HIGH", max_af="0.2")]),
                       "GT:AD:DP:GQ:PL", "1/2:0,15,15:30:60:400,200,200,200,0,400", *[g("0/0") .replace(":0,60,600", ":0,60,600,60,600,600").replace(":30,0:", ":30,0,0:")] * 6])
    r.append(multi)
    r.append(rec("chr6", 6000700, "CT", "C", fam1(), [csq("-", "frameshift_variant", "DELG", impact="HIGH", max_af="0.4")]))
    r.append(rec("chr6", 6000800, "T", "TA", fam1(), [csq("A", "frameshift_variant", "INSG", impact="HIGH", max_af="0.4")]))
    # two genes: GENEA canonical intron; GENEB canonical synonymous + non-canonical missense
    r.append(rec("chr7", 7000700, "C", "G", fam1(), [
        csq("G", "intron_variant", "GENEA", impact="MODIFIER", max_af="0.3"),
        csq("G", "missense_variant", "GENEB", canonical=False, tx="ENST_GENEB_2", max_af="0.3"),
        csq("G", "synonymous_variant", "GENEB", impact="LOW", tx="ENST_GENEB_1", max_af="0.3"),
    ]))
    r.append(rec("chr8", 8000800, "A", "C", fam1(p=HET, f=g("0/0", gq=10)), [csq("C", "missense_variant", "LOWGQ")]))
    r.append(rec("chr8", 8000900, "A", "T", fam1(p=HET), [csq("T", "missense_variant", "LOWQ")], filt="LowQual"))
    r.append(rec("chr8", 8001000, "G", "C", fam1(p=HET), [csq("C", "missense_variant", "COMMON", max_af="0.05")]))
    fam2_ad = [REF, REF, REF, REF, HET, HET, REF]
    r.append(rec("chr9", 9000900, "G", "T", fam2_ad, [csq("T", "missense_variant", "DOM1", revel="0.8")]))
    fam2_no = [REF, REF, REF, REF, HET, REF, HET]
    r.append(rec("chr9", 9001000, "C", "A", fam2_no, [csq("A", "missense_variant", "DOM2")]))
    r.append(rec("chrX", 50000000, "G", "A", fam1(p=HOM, m=HET), [csq("A", "missense_variant", "XLR1", clin="pathogenic")]))
    r.append(rec("chrX", 60000000, "C", "T", fam1(p=HOM), [csq("T", "stop_gained", "XDN1", impact="HIGH")]))
    return r


def gt_filter_records():
    cases = {
        "gq19": g("0/1", gq=19), "gq20": g("0/1", gq=20),
        "ab019": g("0/1", dp=100, ad=(81, 19)), "ab020": g("0/1", dp=100, ad=(80, 20)),
        "ab080": g("0/1", dp=100, ad=(20, 80)), "ab081": g("0/1", dp=100, ad=(19, 81)),
        "dp5": g("0/1", dp=5, ad=(3, 2)), "dp6": g("0/1", dp=6, ad=(3, 3)),
        "hr002": g("0/0", dp=50, ad=(49, 1)), "hr001": g("0/0", dp=100, ad=(99, 1)),
        "ha098": g("1/1", dp=50, ad=(1, 49)), "ha099": g("1/1", dp=100, ad=(1, 99)),
    }
    samples = list(cases)
    rows = [rec("chr1", 5000, "A", "G", list(cases.values()), [csq("G", "missense_variant", "GF1")]),
            rec("chr1", 6000, "C", "T", list(cases.values()), [csq("T", "missense_variant", "GF2")], filt="LowQual")]
    return samples, rows


def main() -> None:
    (HERE / "trio.vcf").write_text("\n".join(header(SAMPLES) + trio_records()) + "\n")
    (HERE / "trio.ped").write_text(
        "#Family ID\tIndividual ID\tPaternal ID\tMaternal ID\tSex\tPhenotype\n"
        "FAM1\tP1\tF1\tM1\t1\t2\nFAM1\tF1\t0\t0\t1\t1\nFAM1\tM1\t0\t0\t2\t1\nFAM1\tS1\tF1\tM1\t2\t1\n"
        "FAM2\tD_P\tD_F\tD_M\t1\t2\nFAM2\tD_F\t0\t0\t1\t2\nFAM2\tD_M\t0\t0\t2\t1\n"
    )
    samples, rows = gt_filter_records()
    (HERE / "gt_filters.vcf").write_text("\n".join(header(samples, contigs=("chr1",)) + rows) + "\n")
    # CSQ with a subset of fields (no IMPACT, no Gene) and a different order
    sub = "Consequence|Allele|SYMBOL|Feature|CANONICAL"
    subrows = [
        "\t".join(["chr1", "7000", ".", "G", "A", "50", "PASS",
                   "CSQ=missense_variant&splice_region_variant|A|SUB1|ENST1|YES,stop_gained|A|SUB1|ENST2|", "GT", "0/1"]),
    ]
    hdr = [h for h in header(["X1"], csq=sub, contigs=("chr1",)) if "FORMAT=<ID=" not in h or "ID=GT" in h]
    (HERE / "csq_subset.vcf").write_text("\n".join(hdr + subrows) + "\n")


if __name__ == "__main__":
    main()
