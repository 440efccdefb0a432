"""VCF import: compression detection, contig styles, the real files' quirks and the input errors."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.io.vcf import (
    BGZF_EOF,
    annotate_vcf_csq,
    check_bgzf_complete,
    detect_compression,
    read_vcf,
    read_vcf_header,
    require_samples,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "vcf"
TRIO = DATA / "trio.vcf"
TRIO_ROWS = 20  # 19 records, one of them with two ALT alleles


def bgzip_bytes(data: bytes) -> bytes:
    """A minimal BGZF writer (SAM spec 4.1): deflate blocks with the 'BC' extra field, then the EOF block."""
    out = bytearray()
    for i in range(0, len(data), 65280):
        chunk = data[i : i + 65280]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(chunk) + comp.flush()
        out += struct.pack("<BBBBIBBHBBHH", 31, 139, 8, 4, 0, 0, 255, 6, 66, 67, 2, len(cdata) + 25)
        out += cdata + struct.pack("<II", zlib.crc32(chunk) & 0xFFFFFFFF, len(chunk))
    return bytes(out + BGZF_EOF)


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


# -- compression and header (no Hail) --------------------------------------------------------------------


def test_detect_compression(tmp_path, realdata):
    plain_gz = tmp_path / "t.vcf.gz"
    plain_gz.write_bytes(gzip.compress(TRIO.read_bytes()))
    bgz = tmp_path / "t.bgz.vcf.gz"
    bgz.write_bytes(bgzip_bytes(TRIO.read_bytes()))
    assert detect_compression(TRIO) == "plain"
    assert detect_compression(plain_gz) == "gzip"
    assert detect_compression(bgz) == "bgzf"
    assert detect_compression(realdata / "scout_643594.clinical.vcf.gz") == "bgzf"
    assert detect_compression(realdata / "maftools_coad.maf.gz") == "gzip"  # SOURCES.md: plain gzip
    check_bgzf_complete(realdata / "slivar_ashk-trio.vcf.gz")  # complete: no error


def test_header_of_real_files(realdata):
    h = read_vcf_header(realdata / "scout_643594.clinical.vcf.gz")
    assert h.samples == ["ADM1059A1", "ADM1059A2", "ADM1059A3"]
    assert len(h.csq_fields) == 44 and h.csq_fields[-1] == "LoF_info"
    assert h.first_contig == "1" and h.contig_lengths["1"] == 249_250_621
    h2 = read_vcf_header(realdata / "scout_vep113_existing_variation.vcf")
    assert len(h2.csq_fields) == 82 and "REVEL_score" in h2.csq_fields
    assert h2.first_contig == "chr15"


def test_truncated_bgzip(tmp_path):
    data = bgzip_bytes(TRIO.read_bytes() * 5)
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputDataError) as err:
        read_vcf(cut)
    assert one_line(err) == f"{cut}: truncated bgzip file (the BGZF end-of-file marker is missing)"


def test_missing_and_non_vcf(tmp_path):
    with pytest.raises(InputDataError) as err:
        read_vcf(tmp_path / "nope.vcf")
    assert one_line(err) == f"VCF file not found: {tmp_path / 'nope.vcf'}"
    bad = tmp_path / "bad.vcf"
    bad.write_text("hello\nworld\n")
    with pytest.raises(InputDataError, match="not a VCF file"):
        read_vcf(bad)
    with pytest.raises(ParameterError, match="genome_build: 'hg19'"):
        read_vcf(TRIO, genome_build="hg19")


def test_build_mismatch_in_header():
    with pytest.raises(InputDataError) as err:
        read_vcf(TRIO, genome_build="GRCh37")
    assert one_line(err) == (
        f"{TRIO}: header declares contig chr1 of length 248956422 (GRCh38), but genome_build is GRCh37"
    )


def test_vcf_without_csq(realdata):
    path = realdata / "slivar_ashk-trio.vcf.gz"
    with pytest.raises(InputDataError) as err:
        read_vcf(path, genome_build="GRCh37")
    assert one_line(err) == (
        f"{path}: no VEP CSQ annotation (INFO/CSQ is not declared in the header) (it has bcftools BCSQ "
        "instead); annotate with VEP first"
    )
    path2 = realdata / "slivar_comphet.csq.vcf"
    with pytest.raises(InputDataError, match="it has bcftools BCSQ instead"):
        read_vcf(path2)


# -- Hail imports ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trio(hail_session):
    return read_vcf(TRIO)


def test_plain_gzip_and_bgzip_give_same_rows(hail_session, tmp_path, trio):
    plain_gz = tmp_path / "t.vcf.gz"
    plain_gz.write_bytes(gzip.compress(TRIO.read_bytes()))
    bgz = tmp_path / "t2.vcf.gz"
    bgz.write_bytes(bgzip_bytes(TRIO.read_bytes()))
    want = sorted(trio.variant_id.collect())
    assert len(want) == TRIO_ROWS
    assert sorted(read_vcf(plain_gz).variant_id.collect()) == want
    assert sorted(read_vcf(bgz, min_partitions=2).variant_id.collect()) == want


def test_contigs_without_chr_read_as_grch38(hail_session, tmp_path):
    text = TRIO.read_text().replace("ID=chr", "ID=").replace("\nchr", "\n")
    p = tmp_path / "nochr.vcf"
    p.write_text(text)
    mt = read_vcf(p, genome_build="GRCh38")
    rows = mt.rows().collect()
    assert {r.locus.contig for r in rows} >= {"chr1", "chrX"}  # recoded to the build's names
    ids = {r.variant_id for r in rows}
    assert "1:1000100:A:G" in ids and "X:50000000:G:A" in ids  # as written in the file
    assert not any(i.startswith("chr") for i in ids)


def test_require_samples(trio):
    with pytest.raises(InputDataError) as err:
        require_samples(trio, ["P1"], vcf_path="fam.vcf", ped_path="fam.ped", proband="Q1")
    assert one_line(err).startswith("fam.vcf: proband 'Q1' is not a sample of the VCF (samples: D_F, D_M")
    with pytest.raises(InputDataError) as err:
        require_samples(trio, ["P1", "X9", "X8"], vcf_path="fam.vcf", ped_path="fam.ped", proband="P1")
    assert one_line(err) == "fam.ped: samples 'X9', 'X8' of the PED are absent from the VCF fam.vcf"
    require_samples(trio, ["P1", "F1", "M1"], vcf_path="fam.vcf", ped_path="fam.ped", proband="P1")


def test_hail_parse_error_names_file(hail_session, tmp_path):
    lines = TRIO.read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("chr2\t"))
    fields = lines[i].split("\t")
    fields[9] = "0/1:15,x:30:60:200,0,200"  # AD not an integer
    lines[i] = "\t".join(fields)
    p = tmp_path / "broken.vcf"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputDataError) as err:
        read_vcf(p)
    msg = one_line(err)
    assert msg.startswith(f"{p}: Hail could not read the VCF: ")
    assert "chr2:2000200" in msg  # the offending record


def test_scout_trio_grch37_quirks(hail_session, realdata):
    path = realdata / "scout_643594.clinical.vcf.gz"
    mt = read_vcf(path, genome_build="GRCh37")
    assert mt.count() == (680, 3)
    # the header declares INFO/CADD Integer but values are decimals: read as text instead of failing
    assert hail_session.eval(mt.retyped_fields) == ["CADD"]
    # half-missing (0/., ./0), lone '.' and './.' are all missing calls: 40 + 16 + 11 + 66 in the file
    assert mt.aggregate_entries(hail_session.agg.count_where(hail_session.is_missing(mt.GT))) == 133
    # '1/0' is a het call
    assert mt.aggregate_entries(hail_session.agg.count_where(mt.GT.is_het())) == 908
    rows = {r.variant_id: r for r in mt.rows().collect()}
    assert all(r.has_csq for r in rows.values())  # every split allele found its CSQ entries
    ins = rows["1:7847367:T:TC"]  # VEP allele 'C'
    assert (ins.gene, ins.transcript, ins.consequence) == ("PER3", "ENST00000361923", "intron_variant")
    dele = rows["1:7889972:GAGAATCCATCCCATCCTACTGCCAGCGCTCTGTCCACAGGATCGCCTCCCATGA:G"]  # VEP allele '-'
    assert dele.consequence == "inframe_deletion" and dele.impact == "MODERATE"
    assert dele.hgvsp == "ENSP00000355031.2:p.Ala1007_Ser1024del"


def test_vep113_grch38_plain(hail_session, realdata):
    mt = read_vcf(realdata / "scout_vep113_existing_variation.vcf")
    (r,) = mt.rows().collect()
    assert r.variant_id == "chr15:48409410:C:T"
    assert (r.gene, r.consequence, r.hgvsc) == ("FBN1", "3_prime_UTR_variant", "NM_000138.5:c.*1580G>A")
    assert r.max_af == pytest.approx(0.0080119)  # INFO GNOMADAF_popmax, the largest AF field
    assert not r.af_missing
    assert "likely_benign" in r.clin_sig


def test_cancer_file_with_undeclared_format_keys(hail_session, realdata):
    mt = read_vcf(realdata / "scout_cancer_test.vcf.gz", genome_build="GRCh37")
    assert mt.count() == (10, 2)
    assert "ALT_F1R2" not in mt.entry  # undeclared FORMAT keys are dropped by Hail
    assert mt.GQ.dtype == hail_session.tint32  # written as Float by VarDict; cast for split_multi_hts
    rows = {r.variant_id: r for r in mt.rows().collect()}
    jak2 = rows["9:5073770:G:T"]
    assert jak2.gene == "JAK2" and jak2.hgvsp.endswith("p.Val617Phe")


def test_ashk_trio_without_csq_loads_when_allowed(hail_session, realdata):
    mt = read_vcf(realdata / "slivar_ashk-trio.vcf.gz", genome_build="GRCh37", csq_required=False)
    assert mt.count() == (9940, 3)
    assert mt.aggregate_rows(hail_session.agg.count_where(hail_session.is_defined(mt.gene))) == 0


@pytest.mark.parametrize("name", ["trio.vcf", "realdata:scout_vep113_existing_variation.vcf"])
def test_csq_parsed_later_gives_the_same_rows(hail_session, realdata, name):
    """read_vcf(parse_csq=False) + annotate_vcf_csq == read_vcf: the lazy path of a whole-genome analysis."""
    path = realdata / name.split(":")[1] if name.startswith("realdata:") else DATA / name
    eager = read_vcf(path)
    lazy = read_vcf(path, parse_csq=False)
    assert "max_af" not in lazy.row and "CSQ" in lazy.info
    parsed = annotate_vcf_csq(lazy)
    assert parsed.rows().collect() == eager.rows().collect()
    assert parsed.entries().collect() == eager.entries().collect()


def test_rarity_prefilter_keeps_every_rare_row(hail_session, demo_data):
    """may_be_rare drops common rows only: never one whose parsed max_af is within the ceiling."""
    import hail as hl

    from bigmed_utils.genomics.csq import may_be_rare

    for path, ceiling in ((TRIO, 0.02), (demo_data / "rare_disease" / "RD001.vcf.gz", 0.01)):
        mt = read_vcf(path)
        fields = list(hl.eval(mt.csq_fields))
        flags = mt.aggregate_rows(hl.struct(
            rare=hl.agg.count_where(mt.max_af <= ceiling),
            rare_kept=hl.agg.count_where((mt.max_af <= ceiling) & may_be_rare(mt, fields=fields, max_af=ceiling)),
            common_dropped=hl.agg.count_where(~may_be_rare(mt, fields=fields, max_af=ceiling)),
        ))
        assert flags.rare_kept == flags.rare > 0, path
        assert flags.common_dropped > 0, path  # and it does filter
