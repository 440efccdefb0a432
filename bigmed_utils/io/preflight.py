"""Input checks before an analysis starts: a bad input file gives one line and exit code 2 in a second,
instead of failing a notebook cell after Hail and the kernel started.

:func:`check_inputs` runs the cheap parts of the readers the analyses use (no Hail): the VCF header checks
of :func:`~bigmed_utils.io.vcf.check_vcf` (file, compression, VEP CSQ, build), the PED, the phenopacket
schema (GA4GH ``phenopackets``) and the MAF columns. The notebooks read the same files with the same
readers, so nothing accepted here is refused there for a reason checked here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..errors import InputDataError

#: analyses whose VCF must carry a VEP CSQ annotation (all that read a VCF)
CSQ_REQUIRED = {"rare_disease", "sudden_cardiac_death", "colorectal_cancer"}


def check_inputs(analysis: str, values: Mapping[str, Any]) -> None:
    """Check the input files named in the validated parameter ``values`` of ``analysis``.

    Raises
    ------
    InputDataError, ParameterError
        One line naming the file (and the line, field, sample or term) at fault.
    """
    build = values.get("genome_build") or "GRCh38"
    if values.get("vcf"):
        from .vcf import check_vcf

        header = check_vcf(values["vcf"], genome_build=build, csq_required=analysis in CSQ_REQUIRED)
        proband = values.get("proband")
        if analysis == "rare_disease" and proband and header.samples and proband not in header.samples:
            listed = ", ".join(sorted(header.samples)[:10])
            raise InputDataError(f"{values['vcf']}: proband {proband!r} is not a sample of the VCF (samples: {listed})")
    if values.get("ped"):
        from .ped import read_ped

        read_ped(values["ped"])
    if values.get("phenopacket"):
        from .phenopacket import read_phenopacket

        read_phenopacket(values["phenopacket"])
    maf = values.get("maf")
    if maf and Path(str(maf)).is_file():
        from .maf import read_maf

        read_maf(maf)


__all__ = ["check_inputs", "CSQ_REQUIRED"]
