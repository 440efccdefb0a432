"""VCF import cache: read once, keyed by the file's checksum, never a stale or half-written cache."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.io.vcf import read_vcf
from bigmed_utils.io.vcf_cache import (cache_key, cached_derived, cached_json, default_min_partitions, is_complete,
                                      read_vcf_cached)

TRIO = Path(__file__).resolve().parents[1] / "data" / "vcf" / "trio.vcf"
TRIO_ROWS = 20  # 19 records, one with two ALT alleles (as in test_vcf.py)




def _caches(vcf: Path) -> list[Path]:
    folder = vcf.with_name(vcf.name + ".bigmed-cache")
    return sorted(p for p in folder.glob("*.mt") if not p.name.startswith(".")) if folder.is_dir() else []


def _content(mt):
    import hail as hl

    if "bigmed_cache" in mt.globals:  # where the cache lives: what read_vcf_cached adds
        mt = mt.drop("bigmed_cache")
    return mt.rows().collect(), mt.entries().collect(), hl.eval(mt.globals)


def test_second_read_uses_the_cache_and_gives_read_vcf_rows(hail_session, vcf, imports):
    first = read_vcf_cached(vcf)
    assert imports == [str(vcf)]
    [cache] = _caches(vcf)
    assert is_complete(cache)
    key, _ = cache_key(vcf, options={"genome_build": "GRCh38", "min_partitions": None})
    assert cache.name == f"{key}.mt" and len(key) == 16
    mtime = (cache / "metadata.json.gz").stat().st_mtime_ns

    second = read_vcf_cached(vcf)
    assert imports == [str(vcf)]  # no second import
    assert (cache / "metadata.json.gz").stat().st_mtime_ns == mtime  # not rewritten
    assert second.count_rows() == TRIO_ROWS
    # read_vcf imported at the top of this module is the real one, not the spy
    assert _content(second) == _content(read_vcf(vcf)) == _content(first)


def test_changed_vcf_never_reads_the_stale_cache(hail_session, vcf, imports):
    read_vcf_cached(vcf)
    [old] = _caches(vcf)
    # change one genotype quality of the first record: same size, same rows, different bytes
    text = vcf.read_text()
    changed = text.replace("0/1:15,15:30:60:200,0,200", "0/1:15,15:30:10:200,0,200", 1)
    assert changed != text
    vcf.write_text(changed)
    mt = read_vcf_cached(vcf)
    assert imports == [str(vcf), str(vcf)]
    [new] = _caches(vcf)  # the stale cache of the earlier version is removed
    assert new != old
    first = mt.filter_rows(mt.locus.position == 1000100)
    assert first.GQ.collect()[0] == 10


def test_index_and_options_are_part_of_the_key(vcf):
    base = cache_key(vcf, options={"genome_build": "GRCh38"})
    assert cache_key(vcf, options={"genome_build": "GRCh37"})[0] != base[0]
    vcf.with_name(vcf.name + ".tbi").write_bytes(b"an index")
    assert cache_key(vcf, options={"genome_build": "GRCh38"})[0] != base[0]
    assert cache_key(vcf, options={"genome_build": "GRCh38"})[1] == base[1]  # the VCF's own checksum


def test_half_written_cache_is_ignored(hail_session, vcf, imports):
    read_vcf_cached(vcf)
    [cache] = _caches(vcf)
    (cache / "_SUCCESS").unlink()  # as if the writer died before the end
    assert not is_complete(cache)
    mt = read_vcf_cached(vcf)
    assert len(imports) == 2
    assert is_complete(cache) and mt.count_rows() == TRIO_ROWS


def test_corrupt_cache_is_rebuilt(hail_session, vcf, imports):
    read_vcf_cached(vcf)
    [cache] = _caches(vcf)
    (cache / "metadata.json.gz").write_bytes(b"not gzip at all")  # complete markers, garbage metadata
    mt = read_vcf_cached(vcf)
    assert len(imports) == 2
    assert mt.count_rows() == TRIO_ROWS


def test_abandoned_temporary_write_is_not_read(hail_session, vcf, imports):
    folder = vcf.with_name(vcf.name + ".bigmed-cache")
    key, _ = cache_key(vcf, options={"genome_build": "GRCh38", "min_partitions": None})
    (folder / f".tmp-{key}-dead.mt").mkdir(parents=True)
    read_vcf_cached(vcf)
    assert len(imports) == 1
    assert [c.name for c in _caches(vcf)] == [f"{key}.mt"]


def test_unwritable_folder_falls_back_to_the_work_dir(hail_session, vcf, imports, tmp_path, monkeypatch):
    # a file where the cache folder would go: the folder cannot be created (works as root too)
    vcf.with_name(vcf.name + ".bigmed-cache").write_text("in the way")
    monkeypatch.setenv("BIGMED_WORK_DIR", str(tmp_path / "work"))
    read_vcf_cached(vcf)
    read_vcf_cached(vcf)
    assert len(imports) == 1
    assert len(list((tmp_path / "work" / "vcf-cache" / "trio.vcf.bigmed-cache").glob("*.mt"))) == 1


def test_no_writable_folder_reads_without_cache(hail_session, vcf, imports, monkeypatch, caplog):
    vcf.with_name(vcf.name + ".bigmed-cache").write_text("in the way")
    monkeypatch.delenv("BIGMED_WORK_DIR", raising=False)
    with caplog.at_level(logging.WARNING, logger="bigmed_utils.io.vcf_cache"):
        mt = read_vcf_cached(vcf)
    assert mt.count_rows() == TRIO_ROWS
    assert "reading without a cache" in caplog.text


def test_bad_input_gives_read_vcf_error(hail_session, tmp_path):
    with pytest.raises(InputDataError, match=r"^VCF file not found: .*absent\.vcf$"):
        read_vcf_cached(tmp_path / "absent.vcf")


def test_partitions_from_file_size(tmp_path):
    small = tmp_path / "small.vcf"
    small.write_bytes(b"x" * 1000)
    assert default_min_partitions(small, cores=2) == 2
    big = tmp_path / "big.vcf.gz"
    with open(big, "wb") as fh:  # sparse file of 283 MB, the size of the WGS trio
        fh.truncate(283_000_000)
    assert default_min_partitions(big, cores=2) == 9  # ceil(283 MB / 32 MiB)
    assert default_min_partitions(big, cores=8) == 32  # four per core
    huge = tmp_path / "huge.vcf.gz"
    with open(huge, "wb") as fh:
        fh.truncate(100 * 2**30)
    assert default_min_partitions(huge, cores=2) == 512


def test_shared_cache_dir_keeps_other_vcfs_caches(hail_session, vcf, tmp_path, imports):
    other = vcf.with_name("other.vcf")
    other.write_text(vcf.read_text().replace("0/1:15,15:30:60:200,0,200", "0/1:15,15:30:50:200,0,200", 1))
    shared = tmp_path / "shared-cache"
    read_vcf_cached(vcf, cache_dir=shared)
    read_vcf_cached(other, cache_dir=shared)
    assert len([p for p in shared.glob("*.mt") if not p.name.startswith(".")]) == 2
    read_vcf_cached(vcf, cache_dir=shared)
    assert len(imports) == 2  # the first VCF's cache survived the second VCF's import


def test_cache_dir_from_the_environment_leaves_the_data_folder_untouched(hail_session, vcf, imports, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("BIGMED_CACHE_DIR", str(tmp_path / "lab-cache"))
    before = sorted(p.name for p in vcf.parent.iterdir())
    read_vcf_cached(vcf)
    read_vcf_cached(vcf)
    assert len(imports) == 1
    assert sorted(p.name for p in vcf.parent.iterdir()) == before  # nothing written beside the raw data
    assert len([p for p in (tmp_path / "lab-cache").glob("*.mt") if not p.name.startswith(".")]) == 1


def test_derived_tables_are_built_once_per_vcf_and_options(hail_session, vcf):
    import hail as hl

    builds: list[str] = []

    def build(mt):
        builds.append("mt")
        return mt.filter_rows(mt.locus.contig == "chr3")

    def qc():
        builds.append("json")
        return {"n": 2}

    mt = read_vcf_cached(vcf)
    first = cached_derived(mt, name="chr3", options={"c": 3}, build=build)
    assert first.count_rows() == 2 and builds == ["mt"]
    again = cached_derived(read_vcf_cached(vcf), name="chr3", options={"c": 3}, build=build)
    assert _content(again) == _content(first) and builds == ["mt"]  # read, not built
    assert hl.eval(again.vcf_path) == str(vcf)
    cached_derived(mt, name="chr3", options={"c": 4}, build=build)
    assert builds == ["mt", "mt"]  # other options, other table
    assert cached_json(mt, name="qc", options={}, build=qc) == {"n": 2}
    assert cached_json(mt, name="qc", options={}, build=qc) == {"n": 2} and builds == ["mt", "mt", "json"]
    folder = vcf.with_name(vcf.name + ".bigmed-cache")
    assert len(list(folder.glob("*.chr3-*.mt"))) == 2 and len(list(folder.glob("*.qc-*.json"))) == 1
    # a changed VCF: its derived tables are built again, and those of the old version are removed
    vcf.write_text(vcf.read_text().replace("0/1:15,15:30:60:200,0,200", "0/1:15,15:30:10:200,0,200", 1))
    cached_derived(read_vcf_cached(vcf), name="chr3", options={"c": 3}, build=build)
    assert builds == ["mt", "mt", "json", "mt"]
    assert len(list(folder.glob("*.chr3-*.mt"))) == 1 and not list(folder.glob("*.qc-*.json"))


def test_derived_table_without_a_cache_is_built_each_time(hail_session, vcf):
    mt = read_vcf(vcf)
    builds = []
    out = cached_derived(mt, name="x", options={}, build=lambda m: builds.append(1) or m.head(3))
    assert out.count_rows() == 3 and builds == [1]
    assert cached_json(mt, name="y", options={}, build=lambda: [1]) == [1]
