"""Every synthetic VCF is valid: Hail imports it on GRCh38, bcftools (when installed) reads it, the header
declares CSQ like VEP, the tabix index finds records, and everything says it is synthetic."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct
import subprocess
import zlib

import pytest

from bigmed_utils.synthetic import generate
from bigmed_utils.synthetic._bgzf import BGZF_EOF
from bigmed_utils.synthetic.genes import GRCH38_CONTIGS

VEP_CSQ_PREFIX = ('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
                  'Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|')


def _vcfs(root):
    return sorted(root.rglob("*.vcf.gz"))


def _header(path):
    lines = []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            lines.append(line.rstrip("\n"))
    return lines


def test_vcf_headers(demo_data):
    vcfs = _vcfs(demo_data)
    assert len(vcfs) >= 20
    for path in vcfs:
        h = _header(path)
        assert h[0] == "##fileformat=VCFv4.2"
        assert any(line.startswith(VEP_CSQ_PREFIX) for line in h), path
        csq = next(line for line in h if line.startswith("##INFO=<ID=CSQ"))
        for f in ("CANONICAL", "MANE_SELECT", "MAX_AF", "gnomADe_AF", "gnomADg_AF", "CLIN_SIG", "REVEL"):
            assert f"|{f}|" in csq or csq.endswith(f'|{f}">')
        contigs = [line for line in h if line.startswith("##contig")]
        assert contigs == [f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in GRCH38_CONTIGS.items()]
        assert any(line.startswith("##source=bigmed_utils.synthetic") and "SYNTHETIC DATA" in line for line in h)
        assert h[-1].split("\t")[8] == "FORMAT"


def test_bgzf_structure_and_index(demo_data):
    """BGZF blocks carry the BC extra field and the file ends in the EOF block; the index is BGZF 'TBI\\1'."""
    path = demo_data / "rare_disease" / "RD001.vcf.gz"
    data = path.read_bytes()
    assert data.endswith(BGZF_EOF)
    assert data[:4] == b"\x1f\x8b\x08\x04" and data[12:14] == b"BC"
    bsize = struct.unpack("<H", data[16:18])[0] + 1
    assert data[bsize:bsize + 4] == b"\x1f\x8b\x08\x04"
    tbi = gzip.decompress((path.parent / (path.name + ".tbi")).read_bytes())
    assert tbi[:4] == b"TBI\x01"
    n_ref, fmt = struct.unpack("<2i", tbi[4:12])
    assert fmt == 2 and n_ref >= 20


def test_vcfs_import_in_hail(demo_data, hail_session):
    hl = hail_session
    for path in _vcfs(demo_data):
        with gzip.open(path, "rt") as fh:
            n_lines = sum(1 for line in fh if not line.startswith("#"))
        mt = hl.import_vcf(str(path), reference_genome="GRCh38", force_bgz=True)
        assert mt.count_rows() == n_lines, path
        assert mt.count_cols() >= 1


def test_planted_de_novo_in_hail(demo_data, hail_session):
    """Hail reads the planted genotype of the first de novo case exactly as truth.tsv has it."""
    import pandas as pd

    hl = hail_session
    t = pd.read_csv(demo_data / "rare_disease" / "truth.tsv", sep="\t", comment="#")
    row = t[t["mode"] == "de_novo"].iloc[0]
    chrom, pos, ref, alt = row.variants.split(":")
    mt = hl.import_vcf(str(demo_data / "rare_disease" / f"{row.case}.vcf.gz"), reference_genome="GRCh38",
                       force_bgz=True)
    mt = mt.filter_rows(mt.locus == hl.locus(chrom, int(pos), reference_genome="GRCh38"))
    calls = {r.s: (r.GT.n_alt_alleles(), r.GQ) for r in mt.entries().collect()}
    assert mt.alleles.collect() == [[ref, alt]]
    assert calls[row.proband][0] == 1 and calls[row.proband][1] >= 20
    assert calls[f"{row.case}-F"][0] == 0 and calls[f"{row.case}-M"][0] == 0


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_bcftools_view(demo_data):
    for path in _vcfs(demo_data):
        res = subprocess.run(["bcftools", "view", "-H", str(path)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        # region query through the tabix index
        first = res.stdout.split("\n", 1)[0].split("\t")
        res2 = subprocess.run(["bcftools", "view", "-H", "-r", f"{first[0]}:{first[1]}", str(path)],
                              capture_output=True, text=True)
        assert res2.returncode == 0 and first[1] in res2.stdout, res2.stderr


def test_every_file_says_synthetic(demo_data):
    from bigmed_utils.io.vcf_cache import CACHE_SUFFIX

    # the VCF import cache other tests leave beside the shared demo VCFs is not a generator output
    written = [p for p in demo_data.rglob("*")
               if p.is_file() and not any(part.endswith(CACHE_SUFFIX) for part in p.parts)]
    assert len(written) > 10
    for path in sorted(written):
        name = path.name
        if name.endswith((".tbi", ".ped", ".csv")) and name != "cdm_source.csv":
            # binary index; PED and plain CSV have no comment syntax the project's readers accept: the
            # README next to them says so, and the OMOP cdm_source table describes the source as synthetic
            continue
        if name.endswith(".gz"):
            text = "\n".join(_header(path)) if ".vcf" in name else gzip.open(path, "rt").read(4000)
        else:
            text = path.read_text()[:20000]
        assert "SYNTHETIC" in text.upper(), path
    readme = (demo_data / "README.md").read_text()
    assert readme.startswith("# BigMed synthetic cohorts: SYNTHETIC DATA")
    assert "Files that cannot carry a notice" in readme


def _digests(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_deterministic(tmp_path):
    a = generate(tmp_path / "a", seed=7, cases=5)
    b = generate(tmp_path / "b", seed=7, cases=5)
    da, db = _digests(a), _digests(b)
    assert da == db
    assert len(da) > 25
