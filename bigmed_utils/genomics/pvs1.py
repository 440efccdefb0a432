"""PVS1 strength by the ClinGen SVI decision tree (Abou Tayoun et al. 2018 Hum Mutat 39:1517, Figure 1),
as far as a VEP-annotated VCF allows.

What the VCF fields decide (VEP ``EXON``/``INTRON`` "k/N", ``Protein_position`` with ``--total_length``
"p/L", the VEP NMD plugin's ``NMD_escaping_variant`` flag):

* **Nonsense and frameshift**: predicted to undergo nonsense-mediated decay (NMD) unless the variant lies in
  the last exon or in the last 50 nucleotides of the penultimate exon. With the NMD plugin the plugin's
  flag decides (it also flags the first 100 coding bases and intronless transcripts). Without it, the
  last exon (``EXON`` k = N, a single-exon transcript included) escapes NMD; the penultimate exon
  (k = N - 1) is *undetermined*, because the exon's length and so the last 50 nucleotides are not in the
  VCF; earlier exons undergo NMD. NMD -> **PVS1** (the chosen transcript is the canonical/MANE one, taken
  as biologically relevant). NMD escape or undetermined -> the tree asks whether the lost region is
  critical (not in the VCF: unknown) and whether it removes more than 10 % of the protein: from
  ``Protein_position`` p/L, (L - p) / L > 0.10 -> **PVS1_Strong**, otherwise **PVS1_Moderate**; with no
  protein length, **PVS1_Strong** (the most this branch can give).
* **Canonical splice site (+/-1, 2)**: whether exon skipping or a cryptic site keeps the reading frame
  needs exon lengths, which the VCF does not carry. A site of the last intron (the altered region is at
  the 3' end, NMD escape) or one flagged by the NMD plugin -> **PVS1_Strong**; otherwise **PVS1** with the
  limitation stated in the reason (confirm with RNA or a splice prediction).
* **Initiation codon** (``start_lost``): **PVS1_Moderate** (the tree's strongest outcome for it; whether
  pathogenic variants lie upstream of the next in-frame methionine is not in the VCF).
* **Transcript ablation** (whole-gene deletion): **PVS1**.

Not decidable from the VCF, hence not applied: frameshifts whose new stop codon falls in the last exon
(the ``fsTer`` distance is known, exon boundaries are not), critical domains, exons absent from other
biologically relevant transcripts, and the PVS1_Supporting outcomes.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: the fraction of the protein a truncation must remove for PVS1_Strong when NMD is escaped (Abou Tayoun et
#: al. 2018, Figure 1: "removes > 10% of protein")
MIN_FRACTION_REMOVED = 0.10

_TRUNCATING = ("stop_gained", "frameshift_variant")
_SPLICE = ("splice_donor_variant", "splice_acceptor_variant")


def _rank(value: Any) -> tuple[int, int] | None:
    """(k, N) of a VEP ``"k/N"`` field (``"3-4/12"``: the last of a range), or ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    m = re.match(r"^\s*(?:\d+-)?(\d+)\s*/\s*(\d+)\s*$", str(value))
    if not m:
        return None
    k, n = int(m.group(1)), int(m.group(2))
    return (k, n) if 0 < k <= n else None


def fraction_removed(protein_position: Any) -> float | None:
    """Share of the protein after a truncation at ``Protein_position`` "p/L" (``None`` without L)."""
    pos = _rank(protein_position)
    if pos is None:
        return None
    p, length = pos
    return (length - p) / length


def _flag(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "nmd_escaping_variant"}
    return bool(value)


def _escape_branch(why: str, protein_position: Any) -> tuple[str, str]:
    frac = fraction_removed(protein_position)
    if frac is None:
        return "Strong", f"{why}; protein length not annotated: Strong (critical region not assessable)"
    if frac > MIN_FRACTION_REMOVED:
        return "Strong", f"{why}; removes {frac:.0%} of the protein (> 10%)"
    return "Moderate", f"{why}; removes {frac:.0%} of the protein (<= 10%)"


def pvs1_strength(
    *,
    consequences: list[str],
    exon: Any = None,
    intron: Any = None,
    protein_position: Any = None,
    nmd_escaping: Any = None,
) -> tuple[str, str] | None:
    """(strength, explanation) of PVS1 for a null variant, or ``None`` when the consequence is not null.

    ``strength`` is ``"Very strong"``, ``"Strong"`` or ``"Moderate"``. ``nmd_escaping`` is the NMD plugin's
    flag (``None``: the plugin did not run).

    Examples
    --------
    >>> pvs1_strength(consequences=["stop_gained"], exon="12/12", protein_position="880/900")
    ('Moderate', 'last exon (12/12): NMD not predicted; removes 2% of the protein (<= 10%)')
    >>> pvs1_strength(consequences=["frameshift_variant"], exon="3/12")[0]
    'Very strong'
    """
    terms = set(consequences)
    if "transcript_ablation" in terms:
        return "Very strong", "transcript ablation"
    escape = _flag(nmd_escaping)
    if terms & set(_TRUNCATING):
        if escape is True:
            return _escape_branch("NMD escape predicted (VEP NMD plugin)", protein_position)
        if escape is False:
            return "Very strong", "NMD predicted (VEP NMD plugin)"
        rank = _rank(exon)
        if rank is None:
            return "Very strong", "exon not annotated: NMD assumed (not assessable)"
        k, n = rank
        if k == n:
            return _escape_branch(f"last exon ({k}/{n}): NMD not predicted", protein_position)
        if k == n - 1:
            return _escape_branch(
                f"penultimate exon ({k}/{n}): the last 50 nt of the exon cannot be checked from VCF fields, "
                "NMD undetermined", protein_position)
        return "Very strong", f"exon {k}/{n}: NMD predicted"
    if terms & set(_SPLICE):
        if escape is True:
            return _escape_branch("canonical splice site, NMD escape predicted (VEP NMD plugin)", protein_position)
        rank = _rank(intron)
        if rank is not None and rank[0] == rank[1]:
            return "Strong", (f"canonical splice site of the last intron ({rank[0]}/{rank[1]}): the altered "
                              "region is at the 3' end (NMD escape)")
        return "Very strong", ("canonical splice site; effect on the reading frame not assessable from VCF "
                               "fields (exon lengths unknown): confirm with RNA or a splice prediction")
    if "start_lost" in terms or "initiator_codon_variant" in terms:
        return "Moderate", "initiation codon variant: moderate strength"
    return None


__all__ = ["MIN_FRACTION_REMOVED", "fraction_removed", "pvs1_strength"]
