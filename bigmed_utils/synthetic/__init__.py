"""Synthetic cohorts that look real, each carrying its own truth: ``bigmed synth``.

Everything written here is SYNTHETIC DATA (simulated; no real person's data) for teaching, tests and
benchmarks. :func:`generate` writes, deterministically for a seed (byte-identical files):

- ``rare_disease/``: trio/quartet VCFs with a planted causal genotype, PED, Phenopacket v2, clinical note,
  ``truth.tsv``
- ``sudden_cardiac_death/``: three-generation families, joint ``cardiac.vcf.gz``, ECG/echo/clinical CSVs,
  ``truth.tsv``
- ``colorectal_cancer/``: ``somatic.maf``, ``clinical.csv``, ``truth.json``, per-patient VCFs under ``vcf/``
- ``ehr/``: OMOP CDM v5.4-shaped tables for everybody above
- ``README.md`` describing all of it

``scale="wgs"`` writes only ``rare_disease_wgs/`` (one trio with about 5 million sites and a planted de novo).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from ..errors import ParameterError
from ._vcf import CSQ_FIELDS, SYNTHETIC_NOTICE
from .genes import GRCH38_CONTIGS, gene_span, gene_spans

SCALES = ("demo", "wgs")
#: folders each scale writes (and replaces) inside ``out``
DEMO_AREAS = ("rare_disease", "sudden_cardiac_death", "colorectal_cancer", "ehr")
WGS_AREAS = ("rare_disease_wgs",)
DEFAULT_SEED = 2016
DEFAULT_CASES = 24


def generate(out: str | Path, *, seed: int = DEFAULT_SEED, scale: str = "demo", cases: int | None = None,
             lock: bool = True) -> Path:
    """Write the synthetic cohorts into ``out`` and return it.

    Parameters
    ----------
    out
        Output folder (created if needed). The area folders it writes (``rare_disease/`` ... or
        ``rare_disease_wgs/``) are replaced as a whole, once all are written (in a hidden unique folder
        inside ``out``, under the lock ``.<out>.synth-lock`` beside ``out``); nothing else in ``out`` is touched except
        README.md.
    seed
        Random seed; the same seed gives byte-identical files.
    scale
        ``"demo"`` (all cohorts, small) or ``"wgs"`` (only ``rare_disease_wgs/``: one whole-genome trio).
    cases
        Number of rare-disease cases at demo scale (default 24; at least 5 so that every mode occurs).
    lock
        Take the lock of ``out`` while its folders are replaced (default). ``False`` only for a folder no
        other process can know (a unique temporary folder), so that no lock file is left beside it.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    if scale not in SCALES:
        raise ParameterError(f"scale: must be one of {', '.join(SCALES)}, got {scale!r}")
    if cases is not None and (not isinstance(cases, int) or cases < 1 or cases > 999):
        raise ParameterError(f"cases: must be an integer between 1 and 999, got {cases!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed: must be a non-negative integer, got {seed!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from ..io.locks import exclusive, lock_file_for, remove_abandoned, replace_folder

    # written into a unique hidden folder inside ``out``, then each area folder is replaced as a whole (no
    # stale cases from a larger earlier run) under a lock: two writers of the same ``out`` never mix files,
    # and a killed run leaves only its hidden folder (removed by a later run)
    remove_abandoned(out / "synth", "partial")
    work = out / f".synth.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        _generate_into(work, seed=seed, scale=scale, cases=cases)
        held = exclusive(lock_file_for(out.resolve(), "synth-lock"), what=f"the synthetic data in {out}") \
            if lock else contextlib.nullcontext()
        with held:
            for area in (WGS_AREAS if scale == "wgs" else DEMO_AREAS):
                replace_folder(work / area, out / area)
            os.replace(work / "README.md", out / "README.md")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _generate_into(out: Path, *, seed: int, scale: str, cases: int | None) -> None:
    from ..progress import expect, tick
    from ._readme import write_readme

    if scale == "wgs":
        from .wgs import generate_wgs

        generate_wgs(out, seed=seed)  # ticks once per chromosome
        write_readme(out, seed=seed, scale=scale)
        return
    from .rare_disease import generate_rare_disease

    expect(4)
    generate_rare_disease(out, seed=seed, cases=cases or DEFAULT_CASES)
    tick("rare-disease cases")
    from .cardiac import generate_cardiac
    from .colorectal import generate_colorectal
    from .ehr import generate_ehr

    generate_cardiac(out, seed=seed)
    tick("cardiac families")
    generate_colorectal(out, seed=seed)
    tick("colorectal cohort")
    generate_ehr(out, seed=seed)  # reads the files above, so ids, dates and diagnoses agree
    tick("health records")
    write_readme(out, seed=seed, scale=scale)


__all__ = ["generate", "gene_spans", "gene_span", "GRCH38_CONTIGS", "CSQ_FIELDS", "SYNTHETIC_NOTICE",
           "DEFAULT_SEED", "SCALES"]
