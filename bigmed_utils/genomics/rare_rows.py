"""The proband's rare rows of a family VCF: what every candidate search of a case reads.

:func:`proband_rare_rows` keeps the rows where the proband carries an ALT allele with a population AF up to
a ceiling (:data:`FAMILY_TABLE_MAX_AF` when cached), for the proband's family only. No analysis parameter
changes it below that ceiling, so :class:`bigmed_utils.io.first_pass.FamilyTables` caches it beside the VCF
and a re-analysis reads it instead of the VCF; the cache key covers this module's code (an edit of the
candidate search in :mod:`bigmed_utils.genomics.inheritance` leaves cached tables valid).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import InputDataError
from .acmg import BA1_THRESHOLD

#: AF ceiling of the family table a re-analysis reads from the cache (:func:`proband_rare_rows`): the
#: ACMG/AMP stand-alone benign frequency (BA1: allele frequency > 5 %, :data:`.acmg.BA1_THRESHOLD`), above
#: every mode's default ceiling; a more common variant is Benign whatever its mode. A ceiling above it
#: builds the family table anew.
FAMILY_TABLE_MAX_AF = BA1_THRESHOLD


def family_of(pedigree_df: pd.DataFrame, proband: str) -> pd.DataFrame:
    """The PED rows of the proband's family (an error naming the PED when the proband is not in it)."""
    rows = pedigree_df[pedigree_df["individual_id"] == proband]
    if rows.empty:
        raise InputDataError(f"{pedigree_df.attrs.get('path', 'PED')}: proband {proband!r} is not in the PED")
    fam = rows.iloc[0]["family_id"]
    return pedigree_df[pedigree_df["family_id"] == fam].reset_index(drop=True)


def proband_rare_rows(mt: Any, pedigree_df: pd.DataFrame, *, proband: str, max_af: float,
                      counts: dict[str, int] | None = None) -> Any:
    """The rows a candidate search needs: the proband carries an ALT allele, population AF <= ``max_af``.

    Calls are as imported (no genotype filter yet), so the result serves any genotype thresholds and any AF
    ceiling up to ``max_af``: :func:`~bigmed_utils.genomics.inheritance.find_candidates` filters it further. Columns: the proband's family.
    A table read with ``parse_csq=False`` is filtered with the cheap
    :func:`~bigmed_utils.genomics.csq.may_be_rare` first and its CSQ parsed only for the rows kept.

    ``counts`` (``n_variants``, ``n_proband_alt``) are the funnel's first two counts when ``mt`` holds only
    some of the VCF's rows (:mod:`bigmed_utils.io.first_pass` counts them while it reads the VCF); without
    them they are counted on ``mt``.

    Returns
    -------
    hail.MatrixTable
        With the global ``bigmed_family``: ``proband``, ``max_af``, ``n_variants`` (rows of ``mt``) and
        ``n_proband_alt`` (rows where the proband carries an ALT allele), for the funnel.
    """
    import hail as hl

    from ..io.vcf import annotate_vcf_csq
    from .csq import may_be_rare

    members = set(family_of(pedigree_df, proband)["individual_id"])
    n_variants = counts["n_variants"] if counts else mt.count_rows()
    mt = mt.filter_cols(hl.literal(members).contains(mt.s))
    mt = mt.filter_rows(hl.agg.any((mt.s == proband) & hl.or_else(mt.GT.is_non_ref(), False)))
    n_proband_alt = counts["n_proband_alt"] if counts else mt.count_rows()
    if "max_af" not in mt.row:
        mt = mt.filter_rows(may_be_rare(mt, fields=list(hl.eval(mt.csq_fields)), max_af=max_af))
        mt = annotate_vcf_csq(mt)
    mt = mt.filter_rows(mt.max_af <= max_af)
    return mt.annotate_globals(bigmed_family=hl.struct(
        proband=proband, max_af=hl.float64(max_af), n_variants=hl.int64(n_variants),
        n_proband_alt=hl.int64(n_proband_alt),
    ))


__all__ = ["FAMILY_TABLE_MAX_AF", "family_of", "proband_rare_rows"]
