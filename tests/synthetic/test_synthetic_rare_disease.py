"""The synthetic rare-disease cases carry their truth: planted genotypes segregate as truth.tsv says, the
planted gene's hpo3 annotations match the case, and the planted variant survives the documented filters."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from bigmed_utils.synthetic import _hpo
from bigmed_utils.synthetic._vcf import CSQ_FIELDS
from bigmed_utils.synthetic.genes import gene_spans
from bigmed_utils.synthetic.rare_disease import DISEASE_GENES, MODES

AF_CEILING = {"de_novo": 0.001, "autosomal_dominant": 0.001, "autosomal_recessive": 0.01,
              "compound_heterozygous": 0.02, "x_linked": 0.01}


def _truth(demo_data):
    return pd.read_csv(demo_data / "rare_disease" / "truth.tsv", sep="\t", comment="#", dtype=str).fillna("")


def _records(path, keys):
    """{chrom:pos: (fields, {sample: gt-fields dict})} for the requested chrom:pos keys."""
    out, samples = {}, None
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if line.startswith("##"):
                continue
            f = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = f[9:]
                continue
            if f"{f[0]}:{f[1]}" in keys:
                fmt = f[8].split(":")
                out[f"{f[0]}:{f[1]}"] = (f, {s: dict(zip(fmt, v.split(":"))) for s, v in zip(samples, f[9:])})
    return out


def _ped(path):
    return pd.read_csv(path, sep=r"\s+", header=None, names=["fid", "iid", "pat", "mat", "sex", "phen"], dtype=str)


def test_cases_and_modes(demo_data):
    t = _truth(demo_data)
    assert len(t) >= 20
    assert list(t.case) == [f"RD{i:03d}" for i in range(1, len(t) + 1)]
    counts = t["mode"].value_counts()
    assert set(counts.index) == set(MODES)
    assert counts["compound_heterozygous"] >= 3 and counts["x_linked"] >= 3
    assert (t.sibling == "affected").any() and (t.sibling == "unaffected").any()
    for c in t.case:
        for suffix in (".vcf.gz", ".vcf.gz.tbi", ".ped", ".phenopacket.json", ".notes.txt"):
            assert (demo_data / "rare_disease" / f"{c}{suffix}").is_file()


def test_planted_genotypes_segregate(demo_data):
    t = _truth(demo_data)
    for row in t.itertuples():
        rd = demo_data / "rare_disease"
        ped = _ped(rd / f"{row.case}.ped")
        status = dict(zip(ped.iid, ped.phen))
        variants = row.variants.split(",")
        recs = _records(rd / f"{row.case}.vcf.gz", {":".join(v.split(":")[:2]) for v in variants})
        gts = {}
        for v in variants:
            chrom, pos, ref, alt = v.split(":")
            f, calls = recs[f"{chrom}:{pos}"]
            assert (f[3], f[4], f[6]) == (ref, alt, "PASS"), v
            gts[v] = {s: c["GT"] for s, c in calls.items()}
            p = calls[row.proband]
            # the planted call passes the documented quality filters
            dp, gq = int(p["DP"]), int(p["GQ"])
            ad = [int(x) for x in p["AD"].split(",")]
            assert gq >= 20 and dp >= 6, (row.case, p)
            if p["GT"] == "0/1":
                assert 0.2 <= ad[1] / dp <= 0.8
        P, F, M, S = row.proband, f"{row.case}-F", f"{row.case}-M", f"{row.case}-S"
        if row.mode == "de_novo":
            (g,) = gts.values()
            assert (g[P], g[F], g[M]) == ("0/1", "0/0", "0/0")
        elif row.mode == "autosomal_recessive":
            (g,) = gts.values()
            assert (g[P], g[F], g[M]) == ("1/1", "0/1", "0/1")
        elif row.mode == "compound_heterozygous":
            assert len(variants) == 2
            g1, g2 = gts.values()
            assert g1[P] == g2[P] == "0/1"
            # one allele from each parent (in trans)
            assert {(g1[F], g1[M]), (g2[F], g2[M])} == {("0/1", "0/0"), ("0/0", "0/1")}
        elif row.mode == "x_linked":
            (g,) = gts.values()
            assert v.startswith("chrX:") and row.sex == "M"
            assert (g[P], g[F], g[M]) == ("1/1", "0/0", "0/1")
            assert status[M] == "1"
        elif row.mode == "autosomal_dominant":
            (g,) = gts.values()
            parent = F if row.affected_parent == "F" else M
            other = M if parent == F else F
            assert (g[P], g[parent], g[other]) == ("0/1", "0/1", "0/0")
            assert status[parent] == "2" and status[other] == "1"
        if row.sibling:
            affected = status[S] == "2"
            carrier_like = [g[S] for g in gts.values()]
            if row.mode in ("autosomal_recessive", "x_linked"):
                assert (carrier_like == ["1/1"]) == affected
            elif row.mode == "compound_heterozygous":
                assert (carrier_like == ["0/1", "0/1"]) == affected
            elif row.mode == "autosomal_dominant":
                assert (carrier_like == ["0/1"]) == affected


def test_planted_variant_inside_gene_and_rare(demo_data):
    t = _truth(demo_data)
    spans = gene_spans().set_index("symbol")
    canon = CSQ_FIELDS.index("CANONICAL")
    for row in t.itertuples():
        variants = row.variants.split(",")
        recs = _records(demo_data / "rare_disease" / f"{row.case}.vcf.gz",
                        {":".join(v.split(":")[:2]) for v in variants})
        for v in variants:
            chrom, pos, _, _ = v.split(":")
            s = spans.loc[row.gene]
            assert s.chrom == chrom and s.start < int(pos) <= s.end
            csq = recs[f"{chrom}:{pos}"][0][7].split("CSQ=")[1].split(",")
            entries = [e.split("|") for e in csq]
            assert len(entries) >= 2 and sum(e[canon] == "YES" for e in entries) == 1
            mane = next(e for e in entries if e[canon] == "YES")
            assert mane[CSQ_FIELDS.index("SYMBOL")] == row.gene
            assert mane[CSQ_FIELDS.index("IMPACT")] in ("HIGH", "MODERATE")
            max_af = mane[CSQ_FIELDS.index("MAX_AF")]
            assert max_af == "" or float(max_af) < AF_CEILING[row.mode]


def test_background_variants_inside_their_genes(demo_data):
    """Every CSQ SYMBOL of RD001 names a gene whose MANE span holds the variant."""
    spans = gene_spans().set_index("symbol")
    rows = []
    with gzip.open(demo_data / "rare_disease" / "RD001.vcf.gz", "rt") as fh:
        for line in fh:
            if line[0] != "#":
                f = line.split("\t", 8)
                sym = f[7].split("CSQ=")[1].split("|")[3]
                rows.append((f[0], int(f[1]), sym))
    df = pd.DataFrame(rows, columns=["chrom", "pos", "symbol"]).join(spans, on="symbol", rsuffix="_g")
    assert len(df) >= 20000
    inside = (df.chrom == df.chrom_g) & (df.pos > df.start) & (df.pos <= df.end)
    assert inside.all(), df[~inside].head()


def test_phenotypes_match_planted_gene(demo_data):
    t = _truth(demo_data)
    inheritance = {"de_novo": "HP:0000006", "autosomal_dominant": "HP:0000006",
                   "autosomal_recessive": "HP:0000007", "compound_heterozygous": "HP:0000007",
                   "x_linked": "HP:0001419"}
    for row in t.itertuples():
        observed = set(row.hpo_terms.split(","))
        omim = int(row.disease_id.split(":")[1])
        # hpo3 annotates the planted gene with several of the observed terms
        assert len(observed & _hpo.gene_terms(row.gene)) >= 2, row.case
        assert inheritance[row.mode] in _hpo.disease_inheritance(omim)
        # noise: at least one observed term is unrelated to the disease
        disease_terms = _hpo.disease_terms(omim)
        assert any(not any(_hpo.related(o, d) for d in disease_terms) for o in observed)
        pp = json.loads((demo_data / "rare_disease" / f"{row.case}.phenopacket.json").read_text())
        assert pp["subject"]["id"] == row.proband
        feats = pp["phenotypicFeatures"]
        assert {f["type"]["id"] for f in feats if not f.get("excluded")} == observed
        excluded = [f for f in feats if f.get("excluded")]
        assert excluded and all(f["type"]["label"] == _hpo.term(f["type"]["id"]).name for f in feats)
        assert pp["metaData"]["resources"][0]["version"] == _hpo.hpo_version()
        note = (demo_data / "rare_disease" / f"{row.case}.notes.txt").read_text()
        first_excluded = excluded[0]["type"]["label"]
        assert f"No {first_excluded[0].lower() + first_excluded[1:]}." in note or f"No {first_excluded}." in note


@pytest.mark.parametrize("pool", sorted(DISEASE_GENES))
def test_disease_gene_table_agrees_with_hpo3(pool):
    want = {"de_novo": "HP:0000006", "autosomal_dominant": "HP:0000006", "recessive": "HP:0000007",
            "x_linked": "HP:0001419"}[pool]
    spans = set(gene_spans().symbol)
    for gene, omim, _ in DISEASE_GENES[pool]:
        assert want in _hpo.disease_inheritance(omim), (gene, omim)
        assert set(_hpo.disease_terms(omim)) <= _hpo.gene_terms(gene), (gene, omim)
        assert len(_hpo.disease_terms(omim)) >= 5, (gene, omim)
        assert gene in spans


def test_ped_loads_in_hail(demo_data, hail_session):
    hl = hail_session
    fam = hl.import_fam(str(demo_data / "rare_disease" / "RD003.ped")).collect()
    ids = {r.id for r in fam}
    assert {"RD003-P", "RD003-F", "RD003-M"} <= ids
    proband = next(r for r in fam if r.id == "RD003-P")
    assert proband.pat_id == "RD003-F" and proband.mat_id == "RD003-M" and proband.is_case


@pytest.mark.parametrize("case", ["RD001", "RD010"])
def test_family_passes_sample_qc(demo_data, hail_session, case):
    """Exome-like SNVs (Ti/Tv near 2.8, not the 0.5 of uniformly drawn ALT bases): no sample is QC-flagged."""
    from bigmed_utils.genomics.qc import TI_TV_RANGE, run_qc
    from bigmed_utils.io.ped import read_ped
    from bigmed_utils.io.vcf import read_vcf

    folder = demo_data / "rare_disease"
    qc = run_qc(read_vcf(folder / f"{case}.vcf.gz"), read_ped(folder / f"{case}.ped"))
    samples = qc.samples.set_index("sample")
    assert len(samples) == 3
    assert samples["ti_tv"].between(2.3, 3.3).all(), samples["ti_tv"]
    assert TI_TV_RANGE[0] < samples["ti_tv"].min()
    assert not samples["flags"].map(bool).any(), samples["flags"]


def _passes_qc(call):
    """The documented per-call filters: GQ >= 20, DP >= 6, het allele balance 0.2-0.8."""
    if call["GT"] == "./.":
        return False
    dp, gq = int(call["DP"]), int(call["GQ"])
    if gq < 20 or dp < 6:
        return False
    alt = int(call["AD"].split(",")[1])
    return call["GT"] != "0/1" or 0.2 <= alt / dp <= 0.8


def test_planted_gene_is_the_best_candidate(demo_data):
    """Every inheritance model applied with the documented QC/AF filters, candidates ranked by how many of the
    case's HPO terms hpo3 annotates to the gene: the planted gene ranks first, strictly."""
    fields = {f: i for i, f in enumerate(CSQ_FIELDS)}
    rd = demo_data / "rare_disease"
    for row in _truth(demo_data).itertuples():
        status = dict(zip(*[_ped(rd / f"{row.case}.ped")[c] for c in ("iid", "phen")]))
        P, F, M = row.proband, f"{row.case}-F", f"{row.case}-M"
        cands, hets = {}, {}
        with gzip.open(rd / f"{row.case}.vcf.gz", "rt") as fh:
            for line in fh:
                if line.startswith("##"):
                    continue
                f = line.rstrip("\n").split("\t")
                if line.startswith("#"):
                    samples = f[9:]
                    continue
                if f[6] != "PASS" or "," in f[4]:
                    continue
                fmt = f[8].split(":")
                calls = {s: dict(zip(fmt, v.split(":"))) for s, v in zip(samples, f[9:])}
                if not all(_passes_qc(calls[s]) for s in (P, F, M)):
                    continue
                entries = [e.split("|") for e in f[7].split("CSQ=")[1].split(",")]
                mane = next(e for e in entries if e[fields["CANONICAL"]] == "YES")
                if mane[fields["IMPACT"]] not in ("HIGH", "MODERATE"):
                    continue
                af = float(mane[fields["MAX_AF"]] or 0)
                g = {s: calls[s]["GT"] for s in (P, F, M)}
                gene = mane[fields["SYMBOL"]]
                if g[P] == "0/1" and g[F] == g[M] == "0/0" and af <= 0.001:
                    cands.setdefault(gene, set()).add("de_novo")
                if g[P] == "1/1" and g[F] == g[M] == "0/1" and af <= 0.01:
                    cands.setdefault(gene, set()).add("autosomal_recessive")
                if f[0] == "chrX" and g[P] == "1/1" and g[M] == "0/1" and g[F] == "0/0" and af <= 0.01:
                    cands.setdefault(gene, set()).add("x_linked")
                for par, other in ((F, M), (M, F)):
                    if status[par] == "2" and g[P] == g[par] == "0/1" and g[other] == "0/0" and af <= 0.001:
                        cands.setdefault(gene, set()).add("autosomal_dominant")
                if g[P] == "0/1" and af <= 0.02 and {g[F], g[M]} == {"0/1", "0/0"}:
                    hets.setdefault(gene, set()).add("F" if g[F] == "0/1" else "M")
        for gene, sources in hets.items():
            if sources == {"F", "M"}:
                cands.setdefault(gene, set()).add("compound_heterozygous")
        observed = set(row.hpo_terms.split(","))
        scored = sorted(((len(observed & _hpo.gene_terms(g)), g) for g in cands), reverse=True)
        assert scored[0][1] == row.gene, (row.case, scored[:3])
        assert row.mode in cands[row.gene]
        assert len(scored) == 1 or scored[1][0] < scored[0][0], (row.case, scored[:3])
