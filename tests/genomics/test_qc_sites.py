"""The family-QC site cap: the ``max_sites`` sites of smallest (rank, locus, alleles), ties of rank included."""

from __future__ import annotations

import pytest

from bigmed_utils.genomics.qc_sites import informative_sites


@pytest.fixture(scope="module")
def sites_mt(hail_session):
    """600 biallelic SNV records on chr1 and chrX, two per position (equal ranks), every third carried by
    nobody of the family; one split record (never a QC site)."""
    hl = hail_session
    mt = hl.utils.range_matrix_table(600, 3)
    mt = mt.key_cols_by(s=hl.literal(["P", "F", "M"])[mt.col_idx])
    contig = hl.if_else(mt.row_idx < 400, "chr1", "chrX")
    mt = mt.annotate_rows(locus=hl.locus(contig, 1001 + (mt.row_idx // 2) * 7),
                          alleles=hl.if_else(mt.row_idx % 2 == 0, ["A", "C"], ["A", "G"]),
                          was_split=mt.row_idx == 11)
    mt = mt.key_rows_by("locus", "alleles")
    return mt.annotate_entries(GT=hl.if_else((mt.row_idx % 3 == 0) | (mt.col_idx > 0), hl.call(0, 0), hl.call(0, 1)))


def _keys(mt):
    return [(r.locus.contig, r.locus.position, tuple(r.alleles)) for r in mt.rows().collect()]


def _by_sorting(mt, *, max_sites):
    """The rule as written: carried, unsplit SNVs sorted by (rank, locus, alleles), the first ``max_sites``."""
    import hail as hl

    mt = mt.filter_rows(~mt.was_split & hl.agg.any(mt.GT.is_non_ref()))
    rows = mt.rows()
    rows = rows.annotate(rank=(hl.int64(rows.locus.global_position()) * 2654435761) % (2**32))
    keep = rows.order_by(rows.rank, rows.locus, rows.alleles).head(max_sites)
    return sorted((r.locus.contig, r.locus.position, tuple(r.alleles)) for r in keep.collect())


@pytest.mark.parametrize("max_sites", [1, 2, 57, 200, 399])
def test_the_cap_keeps_the_sites_of_smallest_rank(sites_mt, max_sites):
    got = _keys(informative_sites(sites_mt, members=["P", "F", "M"], step=7, max_sites=max_sites))
    assert sorted(got) == _by_sorting(sites_mt, max_sites=max_sites)
    assert len(got) == max_sites


def test_below_the_cap_every_informative_site_is_kept_with_calls_only(sites_mt):
    out = informative_sites(sites_mt, members=["P", "F", "M"], step=7)
    assert len(_keys(out)) == 399  # 600 records, 200 carried by nobody, one split
    assert list(out.row) == ["locus", "alleles"] and list(out.entry) == ["GT"]
    assert out.count_cols() == 3


def test_positions_off_the_thinning_step_are_not_sites(sites_mt):
    out = informative_sites(sites_mt, members=["P", "F", "M"], step=14)
    assert all(pos % 14 == 0 for _, pos, _ in _keys(out)) and len(_keys(out)) > 0


@pytest.mark.parametrize("max_sites", [0, -5])
def test_a_cap_below_one_site_is_refused_before_any_hail_work(max_sites):
    with pytest.raises(ValueError) as err:
        informative_sites(None, members=["P"], step=1, max_sites=max_sites)
    assert str(err.value) == f"max_sites: the family QC needs at least one site, not {max_sites}"
