"""The first pass over a case's VCF (htslib, before Hail): it drops only rows the analysis would drop, so the
candidates, the funnel and the family QC are those of the whole-VCF import; the whole import is not built."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import trap_trios as T
from bigmed_utils.io import first_pass
from bigmed_utils.params import validate_params
from bigmed_utils.rare_disease.analysis import analyse_case


def _numbers() -> list[str]:
    """Frequencies as VEP and other tools write them, around and far from the 5 % ceiling."""
    values = [0, 1e-6, 2.5e-5, 0.001, 0.0123, 0.0499, 0.049999, 0.05, 0.0500001, 0.0501, 0.051, 0.06, 0.0999, 0.1,
              0.25, 0.5, 0.999, 1.0]
    out = []
    for v in values:
        out += [repr(v), f"{v:g}", f"{v:.6f}", f"{v:.3e}", f"{v:e}", f"{v:.4f}".lstrip("0") or "0"]
    return sorted(set(out))


def test_big_value_regex_matches_exactly_the_values_above_the_ceiling():
    rx = re.compile(first_pass.big_value_regex(1, max_af=0.05))
    for text in _numbers():
        assert bool(rx.search(f"A|{text}|x")) == (float(text) > 0.05), text
    # '&'-joined values: the largest counts; empty, missing and non-numeric values never drop a row
    assert rx.search("A|0.001&0.3|x") and not rx.search("A|0.001&0.04|x")
    for text in ("", ".", "NaN", "-1", "+0.5", "0.5x"):
        assert not rx.search(f"A|{text}|x"), text
    # another column's value is not read
    assert not rx.search("A|0.01|0.9")


def test_the_expression_bcftools_runs_keeps_the_analysis_rows(tmp_path):
    """bcftools (POSIX basic regular expressions) drops a proband-ALT row only when a first-kind frequency is
    above 5 %, never a possible QC site (a family member's ALT at a multiple of the step), never a
    multi-allelic record."""
    import pysam.bcftools

    fields = ["Allele", "Consequence", "MAX_AF", "gnomADe_AF", "gnomADg_AF"]
    rows = [  # (pos, alt, csq, proband GT, father GT, kept?)
        (101, "G", "G|x|0.9|0.2|", "0/1", "0/0", False),       # gnomAD 0.2: common
        (201, "G", "G|x|0.9|0.04|0.01", "0/1", "0/0", True),   # gnomAD 0.04: rare (MAX_AF is a later kind)
        (301, "G", "G|x|0.9||", "0/1", "0/0", True),           # no gnomAD value: kept
        (401, "G", "G|x|0.01|0.01|0.5,G|y|0.01|0.01|0.01", "0/1", "0/0", False),  # one entry common
        (451, "G", "G|x|0.01|0.01|0.01,G|y|0.01|0.5|0.01", "0/1", "0/0", False),  # a later entry common
        (501, "G,T", "G|x|0.9|0.5|0.5", "1/2", "0/0", True),    # multi-allelic: kept
        (601, "G", "G|x|0.01|0.01|", "0/0", "0/0", False),      # nobody carries it
        (701, "G", "G|x|0.01|1e-05&0.3|", "0/1", "0/0", False),  # '&': the largest counts
        (801, "G", "G|x|0.01|5e-02|", "0/1", "0/0", True),       # exactly the ceiling
        (1000, "G", "G|x|0.01|0.2|", "0/0", "0/1", True),       # a QC site (step 500): the father carries it
        (1500, "G", "G|x|0.01|0.2|", "0/1", "0/0", True),       # a QC site although common
        (1600, "G", "G|x|0.01|0.2|", "0/0", "0/0", False),      # position of a QC site, nobody carries it
    ]
    header = ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=248956422>",
              f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: '
              f'{"|".join(fields)}">', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP\tF"]
    vcf = tmp_path / "t.vcf"
    vcf.write_text("\n".join(header + [f"chr1\t{p}\t.\tA\t{a}\t.\t.\tCSQ={c}\tGT\t{gp}\t{gf}"
                                       for p, a, c, gp, gf, _ in rows]) + "\n")
    columns = first_pass.frequency_columns(fields, ["CSQ"])
    assert columns == [3, 4]  # gnomAD comes before MAX_AF (genomics.csq.AF_KINDS)
    expr = first_pass.drop_expression(samples=["P", "F"], proband="P", members=["P", "F"], step=500,
                                      big_columns=columns, max_af=0.05)
    kept = [int(line.split("\t")[1]) for line in pysam.bcftools.view("-H", "-e", expr, str(vcf)).splitlines()]
    assert kept == [p for p, *_, keep in rows if keep]


def test_funnel_counts_follow_hails_split():
    text = "\n".join(["G\t0/1", "G\t0/0", "G\t1/1", "G,T\t1/2", "G,T\t0/2", "G,*\t0/1", "G\t./1", "G\t1", "G\t./."])
    # rows after the split: 1+1+1+2+2+1 (no '*' row)+1+1+1 = 11; proband ALT: 0/1, 1/1, 1/2 (two), 0/2 (T),
    # 0/1 of G,* (G), haploid 1 = 7 (./1 is read as missing)
    assert first_pass.count_rows(text) == {"n_variants": 11, "n_proband_alt": 7}


def _run(vcf, ped, proband, monkeypatch, *, on: bool, **extra):
    monkeypatch.setenv(first_pass.ENV_FIRST_PASS, "1" if on else "0")
    params = validate_params("rare_disease", {"case_id": proband, "vcf": str(vcf), "ped": str(ped),
                                              "proband": proband, **extra})
    return analyse_case(params)


def _qc_flags(r):
    return (r.qc_samples[["sample", "imputed_sex", "flags"]].astype(str).to_dict("records"),
            [list(f) for f in r.qc_trios.get("flags", [])],
            r.qc_pairs[["sample_1", "sample_2", "observed_degree", "flags"]].to_dict("records"))


def _assert_same(with_pass, whole):
    cols = ["variant_id", "gene", "mode", "acmg_class", "acmg_points", "rank"]
    assert with_pass.candidates[cols].reset_index(drop=True).equals(whole.candidates[cols].reset_index(drop=True))
    assert with_pass.funnel == whole.funnel
    assert _qc_flags(with_pass) == _qc_flags(whole)
    assert with_pass.parentage == whole.parentage


def _copy(files, dest):
    dest.mkdir()
    for f in files:
        shutil.copy(f, dest / f.name)
    return [dest / f.name for f in files]


@pytest.mark.parametrize("proband", ["T1-P", "T2-P"])
def test_trap_trios_give_the_same_answer_with_and_without_the_first_pass(hail_session, tmp_path, monkeypatch,
                                                                         proband):
    vcf, ped = T.write_trap_trios(tmp_path / "src")
    a_vcf, a_ped = _copy([vcf, ped], tmp_path / "first-pass")
    b_vcf, b_ped = _copy([vcf, ped], tmp_path / "whole")
    with_pass = _run(a_vcf, a_ped, proband, monkeypatch, on=True, hpo_terms=T.HPO_TERMS)
    whole = _run(b_vcf, b_ped, proband, monkeypatch, on=False, hpo_terms=T.HPO_TERMS)
    _assert_same(with_pass, whole)
    # the planted answers (tests/rare_disease/test_clinical_traps.py): T2's PED father is refuted
    assert with_pass.parentage.confirmed == (proband == "T1-P")
    # the first pass built no whole-VCF import; the whole run did
    cache_a = a_vcf.with_name(a_vcf.name + ".bigmed-cache")
    cache_b = b_vcf.with_name(b_vcf.name + ".bigmed-cache")
    imports = lambda folder: [p for p in folder.glob("*.mt") if "." not in p.name[:-3]]  # noqa: E731
    assert imports(cache_a) == [] and len(imports(cache_b)) == 1
    assert list(cache_a.glob("*.first-pass-*.vcf.gz"))


def test_demo_case_gives_the_same_answer_with_and_without_the_first_pass(hail_session, demo_data, tmp_path,
                                                                         monkeypatch):
    rd = demo_data / "rare_disease"
    files = [rd / f"RD001{s}" for s in (".vcf.gz", ".vcf.gz.tbi", ".ped", ".phenopacket.json")]
    a = _copy(files, tmp_path / "first-pass")
    b = _copy(files, tmp_path / "whole")
    extra = lambda f: {"phenopacket": str(f[3])}  # noqa: E731
    with_pass = _run(a[0], a[2], "RD001-P", monkeypatch, on=True, **extra(a))
    whole = _run(b[0], b[2], "RD001-P", monkeypatch, on=False, **extra(b))
    _assert_same(with_pass, whole)
    truth = (rd / "truth.tsv").read_text()
    assert with_pass.top.iloc[0]["gene"] in truth


@pytest.mark.slow
def test_wgs_trio_gives_the_same_answer_with_and_without_the_first_pass(hail_session, tmp_path, monkeypatch):
    """The benchmark's whole-genome trio (about 5 million records): the first pass keeps about 7 % of them,
    and the candidates, the funnel and the family QC are those of the whole import; the planted variant
    ranks first."""
    from bigmed_utils.synthetic import DEFAULT_SEED
    from bigmed_utils.synthetic.wgs import generate_wgs

    src = generate_wgs(tmp_path / "src", seed=DEFAULT_SEED)
    names = ["WGS001.vcf.gz", "WGS001.vcf.gz.tbi", "WGS001.ped", "WGS001.phenopacket.json"]
    a = _copy([src / n for n in names], tmp_path / "first-pass")
    b = _copy([src / n for n in names], tmp_path / "whole")
    with_pass = _run(a[0], a[2], "WGS001-P", monkeypatch, on=True, phenopacket=str(a[3]))
    whole = _run(b[0], b[2], "WGS001-P", monkeypatch, on=False, phenopacket=str(b[3]))
    _assert_same(with_pass, whole)
    truth = (src / "truth.tsv").read_text().splitlines()
    header = next(line for line in truth if line.startswith("case")).split("\t")
    row = dict(zip(header, truth[-1].split("\t")))
    assert with_pass.candidates.iloc[0]["variant_id"] == row["variants"]
    kept = list(a[0].parent.glob("*.bigmed-cache/*.first-pass-*.vcf.gz"))
    assert len(kept) == 1 and kept[0].stat().st_size < a[0].stat().st_size / 10


def _three_contig_vcf(tmp_path, contig_names=None):
    """A bgzipped, indexed trio-less VCF: 6 records on chr1, 2 on chr2, 4 on chr3 (one multi-allelic)."""
    import pysam

    tmp_path.mkdir(parents=True, exist_ok=True)
    name = lambda c: (contig_names or {}).get(c, c)  # noqa: E731

    header = ["##fileformat=VCFv4.2", *(f"##contig=<ID={name(f'chr{i}')},length=1000000>" for i in (1, 2, 3)),
              '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
              'Format: Allele|Consequence|gnomADe_AF">', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP"]
    rows = [("chr1", pos, "G", "0.2" if pos // 100 % 2 else "0.001", "0/1") for pos in range(100, 700, 100)]
    rows += [("chr2", 100, "G", "0.001", "0/0"), ("chr2", 200, "G", "0.001", "1/1")]
    rows += [("chr3", 100, "G,T", "0.3", "1/2"), ("chr3", 200, "G", "", "0/1"), ("chr3", 300, "G", "0.9", "0/1"),
             ("chr3", 400, "G", "0.04", "./.")]
    text = tmp_path / "three.vcf"
    text.write_text("\n".join(header + [f"{name(c)}\t{p}\t.\tA\t{alt}\t.\t.\tCSQ={alt.split(',')[0]}|x|{af}\tGT\t{gt}"
                                        for c, p, alt, af, gt in rows]) + "\n")
    return Path(pysam.tabix_index(str(text), preset="vcf", force=True))


def test_region_chunks_are_contiguous_balanced_groups_of_contigs(tmp_path):
    vcf = _three_contig_vcf(tmp_path)
    assert first_pass.region_chunks(vcf, 2) == [["chr1"], ["chr2", "chr3"]]  # 6 records | 2 + 4
    assert first_pass.region_chunks(vcf, 3) == [["chr1"], ["chr2"], ["chr3"]]
    assert first_pass.region_chunks(vcf, 8) == [["chr1"], ["chr2"], ["chr3"]]  # never an empty chunk
    assert first_pass.region_chunks(vcf, 1) == [[]]  # one child: the whole file
    # a contig name with colons (an HLA contig) would be misread in bcftools' -r list: no regions then
    hla = _three_contig_vcf(tmp_path / "hla", contig_names={"chr3": "HLA-A*01:01:01:01"})
    assert first_pass.region_chunks(hla, 2) == [[]]
    vcf.with_name(vcf.name + ".tbi").unlink()
    assert first_pass.region_chunks(vcf, 2) == [[]]  # no index: no regions


def test_children_over_chunks_join_to_the_whole_files_records_and_counts(tmp_path):
    """One child per chunk of contigs, joined, gives the records and funnel counts of one child over the
    whole file (the header once, the records in file order)."""
    import subprocess
    import sys

    import pysam.bcftools

    vcf = _three_contig_vcf(tmp_path)
    expr = first_pass.drop_expression(samples=["P"], proband="P", members=["P"], step=1_000_000_000,
                                      big_columns=[2], max_af=0.05)

    def run(chunks, name):
        parts = []
        for i, regions in enumerate(chunks):
            prefix = tmp_path / f"{name}.part{i}"
            subprocess.run([sys.executable, "-m", "bigmed_utils.io.first_pass", str(vcf), str(prefix), expr, "P",
                            ",".join(regions), "1" if i == 0 else "0"], check=True)
            parts.append(prefix)
        view, count = tmp_path / f"{name}.vcf.gz", tmp_path / f"{name}.json"
        first_pass.join_parts(parts, view=view, count=count)
        return pysam.bcftools.view("--no-version", str(view)), count.read_text()

    chunked, whole = run(first_pass.region_chunks(vcf, 2), "chunked"), run([[]], "whole")
    assert chunked == whole
    records = [line.split("\t")[:2] for line in whole[0].splitlines() if not line.startswith("#")]
    # kept: the proband's rare chr1 ALTs, chr2:200, the multi-allelic chr3:100, chr3:200 (no frequency)
    assert records == [["chr1", "200"], ["chr1", "400"], ["chr1", "600"], ["chr2", "200"], ["chr3", "100"],
                       ["chr3", "200"]]
    # 13 rows after the split (chr3:100 is two); the proband carries an ALT on all but chr2:100 and chr3:400
    assert json.loads(whole[1]) == {"n_variants": 13, "n_proband_alt": 11}


def test_parts_that_cannot_be_joined_fall_back_to_the_whole_vcf(tmp_path, monkeypatch, caplog):
    """A full disk while joining the children's parts: one warning naming the VCF, False (the analysis then
    reads the whole VCF), no part or half-written output left behind."""
    import logging
    import subprocess
    import sys

    import pandas as pd

    vcf = _three_contig_vcf(tmp_path)
    tables = first_pass.FamilyTables(vcf=vcf, genome_build="GRCh38", min_partitions=None, ped=pd.DataFrame(),
                                     family=pd.DataFrame(), proband="P", ceiling=0.05)
    prefix = tmp_path / ".first-pass.part0"
    for suffix in (".vcf.gz", ".json"):
        Path(f"{prefix}{suffix}").write_text("x")
    tables._children = {str(prefix): subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.DEVNULL,
                                                       stderr=subprocess.PIPE)}
    tables._outputs = {"view": tmp_path / "first-pass.vcf.gz", "count": tmp_path / "first-pass.counts.json"}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(first_pass, "join_parts", full_disk)
    with caplog.at_level(logging.WARNING, logger="bigmed_utils.io.first_pass"):
        assert tables._wait() is False
    assert [r.getMessage() for r in caplog.records] == [
        f"{vcf}: first pass could not join its parts, reading the whole VCF: [Errno 28] No space left on device"]
    assert not list(tmp_path.glob(".first-pass.part0*")) and not list(tmp_path.glob("first-pass*"))


def test_close_kills_the_children_and_leaves_none_of_their_files(tmp_path):
    """An analysis that fails before it reads the rows (bad input found later, Ctrl-C) stops the first pass:
    the children are killed and neither their parts nor the temporary files they were writing are left in
    the cache folder (a killed child cannot remove its own); another part's files stay."""
    import subprocess
    import sys

    import pandas as pd

    tables = first_pass.FamilyTables(vcf=tmp_path / "x.vcf.gz", genome_build="GRCh38", min_partitions=None,
                                     ped=pd.DataFrame(), family=pd.DataFrame(), proband="P", ceiling=0.05)
    prefix = tmp_path / ".k.first-pass-t.part1"
    written = [tmp_path / ".tmp-0123abcd-.k.first-pass-t.part1.vcf.gz",
               tmp_path / ".tmp-4567ef01-.k.first-pass-t.part1.json", Path(f"{prefix}.vcf.gz")]
    other = [tmp_path / ".tmp-89abcdef-.k.first-pass-t.part10.vcf.gz", tmp_path / "k.first-pass-t.vcf.gz"]
    for path in written + other:
        path.write_text("x")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    tables._children = {str(prefix): child}
    tables.close()
    assert child.returncode is not None and tables._children == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in other)


def test_the_childrens_parts_go_to_the_runs_work_folder_and_only_the_joined_vcf_is_cached(tmp_path, monkeypatch):
    """Under ``bigmed run`` ($BIGMED_WORK_DIR set) the children write their parts in the run's work folder,
    which the runner removes even when it had to kill them; the cache folder receives only the joined VCF
    and its counts."""
    import pandas as pd

    vcf = _three_contig_vcf(tmp_path / "data")
    work, cache = tmp_path / "run" / ".work", tmp_path / "cache"
    monkeypatch.setenv("BIGMED_WORK_DIR", str(work))
    monkeypatch.setenv("BIGMED_CACHE_DIR", str(cache))
    monkeypatch.setenv(first_pass.ENV_FIRST_PASS, "1")
    ped = pd.DataFrame([{"family_id": "F", "individual_id": "P", "paternal_id": "0", "maternal_id": "0",
                         "sex": 2, "phenotype": 2}])
    tables = first_pass.FamilyTables.start(vcf=vcf, genome_build="GRCh38", min_partitions=None, ped=ped,
                                           family=ped, proband="P", ceiling=0.05)
    assert tables.source == "first pass" and len(tables._children) >= 1
    assert {Path(prefix).parent for prefix in tables._children} == {work / "first-pass"}
    assert tables._wait()
    assert list((work / "first-pass").iterdir()) == []
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in tables._outputs.values())
