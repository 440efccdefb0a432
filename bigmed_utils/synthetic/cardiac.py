"""Synthetic sudden-cardiac-death families: pedigrees, a joint panel/exome-like VCF, ECG/echo/clinical CSVs.

Each family has three generations (6-15 members) and one pathogenic variant in a ClinGen-definitive gene
for its condition, transmitted from a founder and segregating dominantly with incomplete penetrance. Some
relatives are deceased (some by sudden cardiac death), some untested (absent from the VCF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._vcf import SYNTHETIC_NOTICE, Site, csq_entries, gene_id_for, genotype_field, simulate_reads, vcf_header, write_vcf
from .genes import CONTIG_ORDER, gene_spans

#: ClinGen gene-disease validity "Definitive" genes per condition (ClinGen curations: long QT, Adler et al.
#: Circulation 2020;141:418; Brugada, Hosseini et al. Circulation 2018;138:1195; HCM, Ingles et al. Circ
#: Genom Precis Med 2019;12:e002460; ARVC, James et al. Circ Genom Precis Med 2021;14:e003273; CPVT,
#: Walsh et al. Circulation 2022;145:333)
CLINGEN_DEFINITIVE = {
    "long_qt": ["KCNQ1", "KCNH2", "SCN5A"],
    "brugada": ["SCN5A"],
    "hcm": ["MYBPC3", "MYH7", "TNNT2", "TNNI3", "TPM1", "ACTC1", "MYL2", "MYL3"],
    "acm": ["PKP2", "DSP", "DSG2", "DSC2", "JUP", "TMEM43"],
    "cpvt": ["RYR2", "CASQ2"],
}
CARDIAC_GENES = sorted({g for genes in CLINGEN_DEFINITIVE.values() for g in genes})

#: (condition, gene, consequence, CLIN_SIG, ICD-10) of each family, in family order. Planted missense variants
#: carry a ClinVar assertion and a REVEL score in the PP3_Strong range (>= 0.932, Pejaver et al. 2022), as
#: established pathogenic missense variants in these genes do, so that the evidence reaches likely pathogenic.
FAMILY_PLAN = [
    ("long_qt", "KCNQ1", "missense_variant", "pathogenic", "I45.81"),
    ("hcm", "MYBPC3", "frameshift_variant", "pathogenic", "I42.1"),
    ("long_qt", "KCNH2", "missense_variant", "likely_pathogenic", "I45.81"),
    ("acm", "PKP2", "stop_gained", "pathogenic", "I42.8"),
    ("hcm", "MYH7", "missense_variant", "pathogenic", "I42.2"),
    ("brugada", "SCN5A", "missense_variant", "likely_pathogenic", "I49.8"),
    ("cpvt", "RYR2", "missense_variant", "likely_pathogenic", "I47.2"),
    ("long_qt", "SCN5A", "missense_variant", "pathogenic", "I45.81"),
    ("hcm", "TNNT2", "missense_variant", "pathogenic", "I42.1"),
    ("acm", "DSP", "stop_gained", "pathogenic", "I42.8"),
    ("hcm", "TNNI3", "missense_variant", "likely_pathogenic", "I42.2"),
    ("long_qt", "KCNQ1", "splice_donor_variant", "", "I45.81"),
]
#: penetrance of the planted variant in adult carriers (incomplete, as reported for these genes)
PENETRANCE = {"long_qt": 0.65, "brugada": 0.4, "hcm": 0.6, "acm": 0.5, "cpvt": 0.7}
#: mean QTc (ms) of a person's ECGs (synthetic choices): by sex (women's QTc is longer) for non-carriers, by
#: affected status for long-QT carriers, so that they fall either side of the 450/460 ms flags and near 500 ms
QTC_BASELINE_MS = {"M": 405, "F": 418}
QTC_LONG_QT_CARRIER_MS = {True: 488, False: 452}


@dataclass
class Person:
    pid: str
    family: str
    generation: int
    sex: str
    father: str = "0"
    mother: str = "0"
    carrier: bool = False
    affected: bool = False
    deceased: bool = False
    age: int = 0
    age_at_death: int | None = None
    cause_of_death: str = ""
    tested: bool = True
    proband: bool = False
    spouse_in: bool = False


@dataclass
class Family:
    fid: str
    condition: str
    gene: str
    consequence: str
    clin_sig: str
    icd10: str
    people: list[Person] = field(default_factory=list)
    variant: str = ""


def _pedigree(rng, fid: str) -> list[Person]:
    while True:
        people: list[Person] = []
        f_sex = "M" if rng.random() < 0.5 else "F"
        g1a = Person(f"{fid}-101", fid, 1, f_sex)
        g1b = Person(f"{fid}-102", fid, 1, "F" if f_sex == "M" else "M", spouse_in=True)
        people += [g1a, g1b]
        dad, mum = (g1a, g1b) if f_sex == "M" else (g1b, g1a)
        n2 = int(rng.integers(2, 5))
        k2, k3 = 1, 1
        for _ in range(n2):
            child = Person(f"{fid}-2{k2:02d}", fid, 2, "M" if rng.random() < 0.5 else "F", dad.pid, mum.pid)
            k2 += 1
            people.append(child)
            if rng.random() < 0.75:
                sp = Person(f"{fid}-2{k2:02d}", fid, 2, "F" if child.sex == "M" else "M", spouse_in=True)
                k2 += 1
                people.append(sp)
                d2, m2 = (child, sp) if child.sex == "M" else (sp, child)
                for _ in range(int(rng.integers(1, 4))):
                    people.append(Person(f"{fid}-3{k3:02d}", fid, 3, "M" if rng.random() < 0.5 else "F",
                                         d2.pid, m2.pid))
                    k3 += 1
        if 6 <= len(people) <= 15 and any(p.generation == 3 for p in people):
            return people


def _simulate_family(rng, fam: Family) -> None:
    people = fam.people
    by_id = {p.pid: p for p in people}
    founder = people[0]
    founder.carrier = True
    for p in people:  # founders first, then generation order
        if p.father != "0":
            parent_carrier = by_id[p.father].carrier or by_id[p.mother].carrier
            p.carrier = bool(parent_carrier and rng.random() < 0.5)
    # ages (as of 2020, or what they would be): parents 22-36 years older than their children
    people[0].age = int(rng.integers(72, 90))
    people[1].age = int(np.clip(people[0].age + rng.integers(-5, 6), 68, 95))
    spouse_of = {}
    for p in people:
        if p.father != "0":
            spouse_of.setdefault(p.father, p.mother)
            spouse_of.setdefault(p.mother, p.father)
    for p in people[2:]:
        if p.father != "0":
            p.age = max(1, min(by_id[p.father].age, by_id[p.mother].age) - int(rng.integers(22, 36)))
        else:  # married-in spouse: born shortly before or after the partner, and before the children
            partner = by_id[spouse_of[p.pid]]
            p.age = int(np.clip(partner.age + rng.integers(-5, 6), 18, 95)) if partner.age else 0
    for p in people:
        if p.father == "0" and p.generation == 2 and p.age == 0:
            p.age = 40
    for p in people:
        if p.carrier:
            pen = PENETRANCE[fam.condition] * (0.6 if p.age < 16 else 1.0)
            p.affected = bool(rng.random() < pen)
    # deaths: some generation-I members of old age, and sudden cardiac death in affected carriers
    for p in people:
        if p.generation == 1 and rng.random() < 0.4:
            p.deceased, p.age_at_death = True, int(rng.integers(min(66, p.age), p.age + 1))
            p.cause_of_death = str(rng.choice(["cancer", "stroke", "pneumonia"]))
    carriers_aff = [p for p in people if p.carrier and p.affected]
    n_scd = 2 if (len(carriers_aff) > 2 and len(people) >= 10) else 1
    for p in rng.permutation(np.array(carriers_aff, dtype=object))[:n_scd]:
        p.deceased = True
        kids = [q.age for q in people if p.pid in (q.father, q.mother)]
        lo = max(14, p.age - min(kids) + 1) if kids else 14  # alive at the birth of the youngest child
        hi = max(lo + 1, min(p.age + 1, 60))
        p.age_at_death = int(rng.integers(lo, hi))
        p.age = max(p.age, p.age_at_death)
        p.cause_of_death = "sudden cardiac death"
    # the proband: a living affected carrier (or a living carrier) seen in the inherited cardiac clinic
    living_aff = [p for p in people if p.carrier and p.affected and not p.deceased]
    if not living_aff:
        living = [p for p in people if p.carrier and not p.deceased]
        if not living:  # make sure the family has a living carrier to start the work-up
            p = next(q for q in people if q.generation == 2 and not q.spouse_in)
            p.carrier, p.deceased, p.age_at_death, p.cause_of_death = True, False, None, ""
            for q in people:  # descendants of a newly carrying parent are re-drawn
                if q.father == p.pid or q.mother == p.pid:
                    q.carrier = bool(rng.random() < 0.5)
            living = [p]
        living[0].affected = True
        living_aff = [living[0]]
    living_aff.sort(key=lambda q: (-q.generation, q.pid))
    living_aff[0].proband = True
    # untested: the dead (no stored DNA) except one SCD victim with post-mortem genetic testing, and
    # one living relative who declined
    for p in people:
        if p.deceased:
            p.tested = False
    scd = [p for p in people if p.cause_of_death == "sudden cardiac death"]
    if scd and rng.random() < 0.5:
        scd[0].tested = True  # molecular autopsy
    living_rel = [p for p in people if not p.deceased and not p.proband]
    if living_rel:
        living_rel[int(rng.integers(len(living_rel)))].tested = False


def _families(rng, n: int) -> list[Family]:
    fams = []
    for i in range(n):
        cond, gene, cons, clin, icd = FAMILY_PLAN[i % len(FAMILY_PLAN)]
        fam = Family(f"SCD{i + 1:02d}", cond, gene, cons, clin, icd)
        while True:  # a family informative for segregation: >= 3 carriers, >= 2 of them tested
            fam.people = _pedigree(rng, fam.fid)
            _simulate_family(rng, fam)
            carriers = [p for p in fam.people if p.carrier]
            if len(carriers) >= 3 and sum(p.tested for p in carriers) >= 2:
                break
        fams.append(fam)
    return fams


def _ecg(rng, fams: list[Family]) -> pd.DataFrame:
    rows = []
    for fam in fams:
        for p in fam.people:
            if p.deceased and p.cause_of_death != "sudden cardiac death":
                continue
            n_visits = int(rng.integers(2, 5))
            last_year = 2020 if not p.deceased else 2020 - (p.age - p.age_at_death)
            years = np.sort(rng.choice(np.arange(last_year - 9, last_year + 1), size=n_visits, replace=False))
            if p.deceased and last_year - 9 < 2005:
                continue
            qtc0 = QTC_BASELINE_MS[p.sex]
            qrs0, pr0 = 92.0, 160.0
            if p.carrier and fam.condition == "long_qt":
                qtc0 = QTC_LONG_QT_CARRIER_MS[p.affected]
            if p.carrier and fam.condition in ("brugada",) or (p.carrier and fam.gene == "SCN5A"):
                qrs0, pr0 = 112.0, 205.0
            if p.carrier and fam.condition == "hcm" and p.affected:
                qtc0 += 20
                qrs0 += 8
            qtc_person = qtc0 + rng.normal(0, 12)
            for y in years:
                age = p.age - (2020 - y) if not p.deceased else p.age_at_death - (last_year - y)
                if age < 1:
                    continue
                hr = int(np.clip(rng.normal(68 if age >= 16 else 85, 9), 45, 120))
                rr = round(60.0 / hr, 3)
                qt = int(round(qtc_person * np.sqrt(60.0 / hr) + rng.normal(0, 8)))  # Bazett: QT = QTc*sqrt(RR)
                date = f"{y}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
                rows.append({"person_id": p.pid, "family_id": fam.fid, "date": date, "age": int(age), "sex": p.sex,
                             "heart_rate": hr, "rr_s": rr, "qt_ms": qt,
                             "qrs_ms": int(round(qrs0 + rng.normal(0, 7))), "pr_ms": int(round(pr0 + rng.normal(0, 15)))})
    return pd.DataFrame(rows)


def _echo(rng, fams: list[Family]) -> pd.DataFrame:
    rows = []
    for fam in fams:
        if fam.condition != "hcm":
            continue
        for p in fam.people:
            if p.deceased:
                continue
            for k in range(int(rng.integers(1, 3))):
                y = 2020 - 3 * k
                if p.carrier and p.affected:
                    mwt = rng.uniform(16, 28)
                    la = rng.uniform(40, 52)
                    grad = rng.uniform(30, 95) if rng.random() < 0.35 else rng.uniform(4, 25)
                elif p.carrier:
                    mwt, la, grad = rng.uniform(10, 13), rng.uniform(33, 40), rng.uniform(3, 12)
                else:
                    mwt, la, grad = rng.uniform(7.5, 11), rng.uniform(30, 38), rng.uniform(2, 10)
                rows.append({"person_id": p.pid, "date": f"{y}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
                             "max_wall_thickness_mm": round(mwt, 1), "la_diameter_mm": round(la, 1),
                             "lvot_gradient_mmhg": round(grad, 0)})
    df = pd.DataFrame(rows)
    # real echo reports miss measurements: blank a few values deliberately
    for col in ("la_diameter_mm", "lvot_gradient_mmhg", "max_wall_thickness_mm"):
        idx = rng.choice(len(df), size=2, replace=False)
        df.loc[idx, col] = np.nan
    return df


def _clinical(rng, fams: list[Family]) -> pd.DataFrame:
    rows = []
    for fam in fams:
        scd_in_family = {p.pid for p in fam.people if p.cause_of_death == "sudden cardiac death"}
        for p in fam.people:
            aff = p.carrier and p.affected
            rows.append({
                "person_id": p.pid, "family_id": fam.fid, "age": p.age_at_death if p.deceased else p.age,
                "sex": p.sex, "deceased": int(p.deceased),
                "age_at_death": p.age_at_death if p.deceased else None,
                "cause_of_death": p.cause_of_death,
                "family_history_scd": int(bool(scd_in_family - {p.pid})),
                "nsvt": int(aff and fam.condition in ("hcm", "acm") and rng.random() < 0.4),
                "unexplained_syncope": int(aff and rng.random() < 0.35),
                "prior_cardiac_arrest_or_sustained_vt": int(p.cause_of_death == "sudden cardiac death"
                                                           or (aff and rng.random() < 0.1)),
                "athlete": int(rng.random() < 0.12),
                "affected_status": int(aff),
                "proband": int(p.proband),
            })
    df = pd.DataFrame(rows)
    df["age_at_death"] = df["age_at_death"].astype("Int64")
    return df


def _write_vcf(rng, out: Path, fams: list[Family]) -> None:
    genes = gene_spans(with_transcripts=True)
    tested = [p for f in fams for p in f.people if p.tested]
    samples = [p.pid for p in tested]
    # background: cardiac panel genes (common, benign) plus an exome-like scatter of other genes
    from .rare_disease import _alleles

    auto = genes[~genes.chrom.isin(["chrX", "chrY", "chrM"])].reset_index(drop=True)
    panel = auto[auto.symbol.isin(CARDIAC_GENES)]
    n_panel, n_bg = 400, 5000
    gi = np.concatenate([rng.choice(panel.index.to_numpy(), n_panel), rng.choice(len(auto), n_bg)])
    start, end = auto.start.to_numpy()[gi], auto.end.to_numpy()[gi]
    pos = start + 10 + (rng.random(len(gi)) * np.maximum(end - start - 20, 1)).astype(np.int64) + 1
    is_panel = np.arange(len(gi)) < n_panel
    af = np.where(rng.random(len(gi)) < 0.55, 10 ** rng.uniform(-2, np.log10(0.9), len(gi)), 10 ** rng.uniform(-4.5, -2, len(gi)))
    af = np.where(is_panel, np.maximum(af, 0.02), af)
    cons = rng.choice(["intron_variant", "synonymous_variant", "missense_variant", "3_prime_UTR_variant"], len(gi),
                      p=[.4, .25, .25, .1])
    cons = np.where(is_panel, rng.choice(["intron_variant", "synonymous_variant"], len(gi)), cons)
    ref, alt = _alleles(rng, cons)
    cat = pd.DataFrame({"chrom": auto.chrom.to_numpy()[gi], "pos": pos, "ref": ref, "alt": alt,
                        "symbol": auto.symbol.to_numpy()[gi], "strand": auto.strand.to_numpy()[gi],
                        "tx": auto.ensembl_transcript.to_numpy()[gi], "refseq": auto.refseq.to_numpy()[gi],
                        "cons": cons, "af": af})
    cat["_o"] = cat.chrom.map(CONTIG_ORDER)
    cat = cat.sort_values(["_o", "pos"], kind="mergesort").drop_duplicates(["chrom", "pos"]).reset_index(drop=True)
    n = len(cat)
    geno: dict[str, np.ndarray] = {}
    afv = cat.af.to_numpy()
    for f in fams:
        for p in f.people:
            if p.father == "0":
                geno[p.pid] = rng.binomial(2, afv)
            else:
                geno[p.pid] = ((rng.random(n) < geno[p.father] / 2).astype(int)
                               + (rng.random(n) < geno[p.mother] / 2).astype(int))
    codes = np.column_stack([geno[s] for s in samples])
    keep = (codes > 0).any(axis=1)
    cat, codes = cat[keep].reset_index(drop=True), codes[keep]
    ref_c, alt_c = simulate_reads(rng, codes, mean_dp=80, dispersion=12)  # panel-like depth
    codes = np.where(rng.random(codes.shape) < 0.002, 3, codes)
    csq = [csq_entries(rng, Site(r.chrom, int(r.pos), r.ref, r.alt, r.symbol, gene_id_for(r.symbol), r.strand, r.tx,
                                 r.refseq, r.cons, af=float(r.af))) for r in cat.itertuples()]
    fields = [genotype_field(codes[:, j], ref_c[:, j], alt_c[:, j]) for j in range(len(samples))]
    qual = (np.where(codes == 1, alt_c, 0).sum(axis=1) * 28.7 + 40).round(2)
    table = pd.DataFrame({"chrom": cat.chrom, "pos": cat.pos, "ref": cat.ref, "alt": cat.alt,
                          "qual": [f"{q:.2f}" for q in qual],
                          "filter": np.where(rng.random(len(cat)) < 0.02, "VQSRTrancheSNP99.90to100.00", "PASS"),
                          "info": ["DP=" + str(d) + ";CSQ=" + c for d, c in zip((ref_c + alt_c).sum(axis=1), csq)]})
    # planted variants (and a non-segregating rare VUS from a married-in spouse in every other family)
    special_rows, special_fields = [], []
    for i, f in enumerate(fams):
        r = genes[genes.symbol == f.gene].iloc[0]
        p_pos = int(rng.integers(r.start + 60, r.end - 60)) + 1
        pr, pa = _alleles(rng, np.array([f.consequence], dtype=object))
        pr, pa = str(pr[0]), str(pa[0])
        f.variant = f"{r.chrom}:{p_pos}:{pr}:{pa}"
        csq_p = csq_entries(rng, Site(r.chrom, p_pos, pr, pa, f.gene, gene_id_for(f.gene), r.strand,
                                      r.ensembl_transcript, r.refseq, f.consequence, af=0.0, clin_sig=f.clin_sig,
                                      revel=float(rng.uniform(0.935, 0.99)) if f.consequence == "missense_variant" else None))
        carriers = {p.pid for p in f.people if p.carrier}
        c = np.array([1 if s in carriers else 0 for s in samples])
        dp = rng.integers(60, 110, len(samples))
        a = np.where(c == 1, np.rint(dp * rng.uniform(0.42, 0.58, len(samples))), 0).astype(np.int64)
        special_rows.append({"chrom": r.chrom, "pos": p_pos, "ref": pr, "alt": pa, "qual": f"{a.sum() * 28.7:.2f}",
                             "filter": "PASS", "info": f"DP={dp.sum()};CSQ={csq_p}"})
        special_fields.append(genotype_field(c, dp - a, a))
        if i % 2 == 1:
            spouse = next((p for p in f.people if p.spouse_in and p.tested and p.generation == 2), None)
            if spouse is not None:
                other = [g for g in CARDIAC_GENES if g != f.gene][int(rng.integers(len(CARDIAC_GENES) - 1))]
                r2 = genes[genes.symbol == other].iloc[0]
                v_pos = int(rng.integers(r2.start + 60, r2.end - 60)) + 1
                vr, va = _alleles(rng, np.array(["missense_variant"], dtype=object))
                vr, va = str(vr[0]), str(va[0])
                csq_v = csq_entries(rng, Site(r2.chrom, v_pos, vr, va, other, gene_id_for(other), r2.strand,
                                              r2.ensembl_transcript, r2.refseq, "missense_variant",
                                              af=float(10 ** rng.uniform(-4.5, -3.5)), clin_sig="uncertain_significance",
                                              revel=float(rng.uniform(0.3, 0.6))))
                kids = {p.pid for p in f.people if spouse.pid in (p.father, p.mother) and rng.random() < 0.5}
                c2 = np.array([1 if (s == spouse.pid or s in kids) else 0 for s in samples])
                a2 = np.where(c2 == 1, np.rint(dp * 0.5), 0).astype(np.int64)
                special_rows.append({"chrom": r2.chrom, "pos": v_pos, "ref": vr, "alt": va,
                                     "qual": f"{a2.sum() * 28.7:.2f}", "filter": "PASS",
                                     "info": f"DP={dp.sum()};CSQ={csq_v}"})
                special_fields.append(genotype_field(c2, dp - a2, a2))
    sp = pd.DataFrame(special_rows)
    keys = set(zip(sp.chrom, sp.pos))
    mask = np.array([(c, p) not in keys for c, p in zip(table.chrom, table.pos)])
    table = table[mask]
    fields = [f[mask] for f in fields]
    sp_dedup = ~sp.duplicated(["chrom", "pos"]).to_numpy()
    sp = sp[sp_dedup]
    sfields = [np.array([special_fields[i][j] for i in np.flatnonzero(sp_dedup)], dtype=object)
               for j in range(len(samples))]
    full = pd.concat([table, sp], ignore_index=True)
    allf = [np.concatenate([fields[j], sfields[j]]) for j in range(len(samples))]
    order = np.lexsort((full.pos.to_numpy(), full.chrom.map(CONTIG_ORDER).to_numpy()))
    full = full.iloc[order].reset_index(drop=True)
    allf = [f[order] for f in allf]
    write_vcf(out / "cardiac.vcf.gz", vcf_header(samples, description="inherited cardiac disease families, joint panel/exome-like calls"),
              full, allf)


def generate_cardiac(out: Path, *, seed: int, families: int = 12) -> list[Family]:
    """Write ``out/sudden_cardiac_death/`` and return the simulated families."""
    out = Path(out) / "sudden_cardiac_death"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 2])
    fams = _families(rng, families)
    _write_vcf(rng, out, fams)
    ped = []
    for f in fams:
        for p in f.people:
            ped.append(f"{f.fid}\t{p.pid}\t{p.father}\t{p.mother}\t{1 if p.sex == 'M' else 2}\t"
                       f"{2 if (p.carrier and p.affected) else 1}")
    (out / "families.ped").write_text("\n".join(ped) + "\n")
    note = f"# {SYNTHETIC_NOTICE}\n"
    # plain CSV without a comment line: the project's CSV readers (pandas defaults) take the first line as header
    for name, df in (("ecg.csv", _ecg(rng, fams)), ("echo.csv", _echo(rng, fams)), ("clinical.csv", _clinical(rng, fams))):
        df.to_csv(out / name, index=False, lineterminator="\n")
    truth = []
    for f in fams:
        tested = [p for p in f.people if p.tested]
        truth.append({"family_id": f.fid, "proband": next(p.pid for p in f.people if p.proband), "gene": f.gene,
                      "variant": f.variant, "condition": f.condition,
                      "carriers": ",".join(p.pid for p in tested if p.carrier),
                      "non_carriers": ",".join(p.pid for p in tested if not p.carrier),
                      "untested": ",".join(p.pid for p in f.people if not p.tested),
                      "untested_carriers": ",".join(p.pid for p in f.people if p.carrier and not p.tested),
                      "consequence": f.consequence, "icd10": f.icd10})
    with open(out / "truth.tsv", "w") as fh:
        fh.write(note)
        pd.DataFrame(truth).to_csv(fh, sep="\t", index=False, lineterminator="\n")
    return fams
