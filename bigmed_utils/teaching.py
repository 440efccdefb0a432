"""Teaching helpers for the notebooks in ``notebooks/teaching/``: an exercise checker and a QTc explorer.

Students call :func:`check` with an exercise name and their answer; the checker says *right* or
*not yet* with a hint and never prints the expected answer. Expected answers are computed at check
time from the synthetic demo data and its truth files (``data/demo/**/truth.*``), so they follow the
data: if the synthetic generator changes, the checker changes with it. The one answer that cannot be
computed from the data (a concept question) is stored as a SHA-256 digest of its normalised form.

Examples
--------
>>> from bigmed_utils.teaching import check                      # doctest: +SKIP
>>> check("rd001_gene", "BRCA2")                                   # doctest: +SKIP
✘ rd001_gene: not yet. Hint: ...

Research use only; not a medical device. Synthetic data only.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ._fs import sha256_bytes
from .errors import InputDataError, ParameterError

#: Environment variable naming the synthetic data folder (default: ``<project>/data/demo``).
ENV_DEMO_DIR = "BIGMED_DEMO_DIR"

_RIGHT = "✔"
_WRONG = "✘"


# --------------------------------------------------------------------------------------------- data


def demo_data_dir(data: str | os.PathLike | None = None) -> Path:
    """The synthetic demo data folder: ``data``, else ``$BIGMED_DEMO_DIR``, else ``<project>/data/demo``."""
    if data is None:
        data = os.environ.get(ENV_DEMO_DIR)
    if data is None:
        from .demo import project_root

        data = project_root() / "data" / "demo"
    folder = Path(data)
    if not (folder / "README.md").is_file():
        raise InputDataError(
            f"synthetic demo data not found in {folder.name!r}: run "
            "`python -c \"from bigmed_utils.demo import ensure_demo_data; ensure_demo_data()\"`"
        )
    return folder


def _truth_tsv(data: Path, area: str) -> pd.DataFrame:
    return pd.read_csv(data / area / "truth.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False)


def _rd_truth(data: Path, case: str) -> pd.Series:
    return _truth_tsv(data, "rare_disease").set_index("case").loc[case]


def _scd_truth(data: Path, family: str) -> pd.Series:
    return _truth_tsv(data, "sudden_cardiac_death").set_index("family_id").loc[family]


def _crc_truth(data: Path) -> dict[str, Any]:
    return json.loads((data / "colorectal_cancer" / "truth.json").read_text())


def _ids(value: str) -> list[str]:
    return [v for v in str(value).split(",") if v]


def read_vcf_table(path: str | os.PathLike) -> pd.DataFrame:
    """A small VCF as a pandas table (the ``#CHROM`` header line gives the columns).

    For teaching and for small panels only (a VCF is a tab-separated text file); genome-scale work
    belongs in Hail (:func:`bigmed_utils.read_vcf`).
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"VCF {p.name!r} does not exist")
    df = pd.read_csv(p, sep="\t", comment=None, header=None, dtype=str, compression="gzip"
                     if p.suffix == ".gz" else None, skiprows=_n_meta_lines(p))
    df.columns = [str(c).lstrip("#") for c in df.iloc[0]]
    return df.iloc[1:].reset_index(drop=True)


def _n_meta_lines(p: Path) -> int:
    import gzip

    opener = gzip.open if p.suffix == ".gz" else open
    n = 0
    with opener(p, "rt") as handle:
        for line in handle:  # header lines only: stops at #CHROM
            if not line.startswith("##"):
                break
            n += 1
    return n


def genotypes_at(vcf: str | os.PathLike, variant_id: str, *, samples: list[str] | None = None) -> dict[str, str]:
    """Genotype string (``0/1``, ``0/0`` ...) of every sample (or of ``samples``) at one variant.

    ``variant_id`` is ``chrom:pos:ref:alt`` as written in the VCF (bi-allelic records).
    """
    df = read_vcf_table(vcf)
    chrom, pos, ref, alt = _split_variant(variant_id)
    hit = df[(df["CHROM"] == chrom) & (df["POS"] == pos) & (df["REF"] == ref) & (df["ALT"] == alt)]
    if hit.empty:
        raise InputDataError(f"variant {variant_id} is not in {Path(vcf).name}")
    fmt = hit.iloc[0]["FORMAT"].split(":")
    gt_index = fmt.index("GT")
    sample_cols = list(df.columns[9:])
    wanted = samples if samples is not None else sample_cols
    missing = [s for s in wanted if s not in sample_cols]
    if missing:
        raise InputDataError(f"sample {missing[0]!r} is not in {Path(vcf).name}")
    return {s: hit.iloc[0][s].split(":")[gt_index] for s in wanted}


def _split_variant(variant_id: str) -> tuple[str, str, str, str]:
    parts = re.split(r"[:\-_]", str(variant_id).strip())
    if len(parts) != 4:
        raise ParameterError(f"variant {variant_id!r} is not written chrom:pos:ref:alt")
    return parts[0], parts[1], parts[2].upper(), parts[3].upper()


# --------------------------------------------------------------------------------- normalisation


def _norm_text(x: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(x).strip().lower())


def _norm_gene(x: Any) -> str:
    return str(x).strip().upper()


def _norm_variant(x: Any) -> str:
    chrom, pos, ref, alt = _split_variant(str(x))
    chrom = chrom if chrom.lower().startswith("chr") else f"chr{chrom}"
    return f"chr{chrom[3:].upper()}:{int(pos)}:{ref}:{alt}"


def _norm_hpo(x: Any) -> str:
    m = re.fullmatch(r"(?i)\s*hp[:_]?(\d{7})\s*", str(x))
    if not m:
        raise _AnswerFormat("an HPO id written like HP:0001250")
    return f"HP:{m.group(1)}"


_MODE_ALIASES = {"denovo": "de_novo", "de_novo": "de_novo", "ar": "autosomal_recessive",
                 "autosomal_recessive": "autosomal_recessive", "recessive": "autosomal_recessive",
                 "compound_het": "compound_heterozygous", "compound_heterozygous": "compound_heterozygous",
                 "comphet": "compound_heterozygous", "x_linked": "x_linked", "xlinked": "x_linked",
                 "ad": "autosomal_dominant", "autosomal_dominant": "autosomal_dominant",
                 "dominant": "autosomal_dominant"}


def _norm_mode(x: Any) -> str:
    return _MODE_ALIASES.get(_norm_text(x), _norm_text(x))


def _norm_sex(x: Any) -> str:
    return {"f": "female", "female": "female", "2": "female", "m": "male", "male": "male",
            "1": "male"}.get(_norm_text(x), _norm_text(x))


def _norm_formula(x: Any) -> str:
    t = _norm_text(x).replace("qtc_", "")
    return t


def _norm_confounder(x: Any) -> str:
    t = _norm_text(x).replace("p.", "").replace(".", "_")
    return "braf" if t.startswith("braf") else t


class _AnswerFormat(ValueError):
    """The answer has the wrong shape; the message says what shape is expected."""


def _as_number(x: Any) -> float:
    if isinstance(x, bool):
        raise _AnswerFormat("a number")
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise _AnswerFormat("a number") from None
    if math.isnan(value):
        raise _AnswerFormat("a number")
    return value


def _as_id_set(x: Any, norm: Callable[[Any], str]) -> frozenset[str]:
    if isinstance(x, str):
        items = [i for i in re.split(r"[,\s;]+", x) if i]
    elif isinstance(x, (list, tuple, set, frozenset, pd.Series, pd.Index)):
        items = [str(i) for i in x]
    else:
        raise _AnswerFormat("a list of ids, e.g. ['SCD01-101', 'SCD01-102']")
    return frozenset(norm(i) for i in items)


# ------------------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to compute the expected answer and how to compare the student's answer."""

    name: str
    notebook: str
    question: str
    hint: str
    kind: str  # "text", "number", "set", "hash"
    expected: Callable[[Path], Any] | None = None
    normalise: Callable[[Any], Any] = _norm_text
    tolerance: float = 0.0  # numbers: absolute tolerance
    digest: str | None = None  # kind "hash": sha256 of the normalised right answer


def _rd001_n_pass(data: Path) -> int:
    # FILTER = PASS records, each ALT allele counted once (bm.read_vcf splits multi-allelic sites)
    vcf = read_vcf_table(data / "rare_disease" / "RD001.vcf.gz")
    passing = vcf[vcf["FILTER"] == "PASS"]
    return int((passing["ALT"].str.count(",") + 1).sum())


def _qtc_hr90(method: str) -> float:
    from .cardiac import ecg

    return float(getattr(ecg, f"qtc_{method}")(400, heart_rate=90))


_QTC_METHODS = ("bazett", "fridericia", "framingham", "hodges")


def _scd01_follow_up(data: Path) -> frozenset[str]:
    from .cardiac.cascade import cascade_list
    from .io.ped import read_ped

    truth = _scd_truth(data, "SCD01")
    genotypes = {i: "carrier" for i in _ids(truth["carriers"])}
    genotypes.update({i: "non-carrier" for i in _ids(truth["non_carriers"])})
    clinical = pd.read_csv(data / "sudden_cardiac_death" / "clinical.csv")
    family = clinical[clinical["family_id"] == "SCD01"]
    deceased = family.loc[family["deceased"] == 1, "person_id"].tolist()
    ped = read_ped(data / "sudden_cardiac_death" / "families.ped")
    cascade = cascade_list(ped, proband=truth["proband"], genotypes=genotypes, condition=truth["condition"],
                           deceased=deceased, family_id="SCD01")
    return frozenset(cascade.loc[cascade["follow_up"], "person"])


def _crc0136_tmb(data: Path) -> float:
    from .io.maf import read_maf
    from .oncology.tmb import compute_tmb

    maf = read_maf(data / "colorectal_cancer" / "somatic.maf", tumor_sample="CRC0136-T")
    return compute_tmb(maf, callable_mb=_crc_truth(data)["callable_mb"]).value


def crc_cohort_table(data: str | os.PathLike | None = None) -> pd.DataFrame:
    """clinical.csv of the colorectal cohort plus ``braf_v600e`` (bool) from the truth file's carriers."""
    folder = demo_data_dir(data)
    clinical = pd.read_csv(folder / "colorectal_cancer" / "clinical.csv")
    carriers = set(_crc_truth(folder)["braf_v600e"])
    return clinical.assign(braf_v600e=clinical["patient_id"].isin(carriers))


def _crc_stage_iv_hr(data: Path) -> float:
    from .oncology.survival import cox_ph

    cox = cox_ph(crc_cohort_table(data), time_col="os_months", event_col="os_event",
                 covariates=["age", "stage", "msi_status", "braf_v600e"])
    table = cox.hr_table.set_index("covariate")
    return float(table.loc["stage=IV", "hr"])


EXERCISES: dict[str, Exercise] = {e.name: e for e in [
    Exercise(
        "rd001_n_pass", "01_hail_basics",
        "How many variants of RD001 (after splitting multi-allelic sites) have FILTER = PASS?",
        "filter the rows on an empty `mt.filters` set, then count the rows (`mt.count_rows()`).",
        "number", expected=_rd001_n_pass, tolerance=0.0),
    Exercise(
        "rd001_proband_sex", "01_hail_basics",
        "Which sex does sample QC impute for the proband RD001-P (male or female)?",
        "look at the `imputed_sex` column of the sample QC table, in the row of RD001-P.",
        "text", expected=lambda d: _norm_sex(_rd_truth(d, "RD001")["sex"]), normalise=_norm_sex),
    Exercise(
        "rd001_excluded_term", "02_find_the_diagnosis",
        "Which HPO term does the clinical note of RD001 explicitly exclude (HP id)?",
        "in the `extract_hpo` table, look for the row whose `excluded` column is True.",
        "set", expected=lambda d: frozenset(_ids(_rd_truth(d, "RD001")["excluded_hpo_terms"])),
        normalise=_norm_hpo),
    Exercise(
        "rd001_mode", "02_find_the_diagnosis",
        "By which mode of inheritance did RD001's diagnostic variant arise?",
        "the parents are healthy and do not carry the variant; see the `mode` column of the candidates "
        "(write it as in that column).",
        "text", expected=lambda d: _norm_mode(_rd_truth(d, "RD001")["mode"]), normalise=_norm_mode),
    Exercise(
        "rd001_gene", "02_find_the_diagnosis",
        "Which gene explains RD001's phenotype?",
        "of the candidate genes, take the one whose diseases best match the phenotypes (top of the "
        "phenotype ranking) and whose variant the ACMG classification rates highest.",
        "text", expected=lambda d: _norm_gene(_rd_truth(d, "RD001")["gene"]), normalise=_norm_gene),
    Exercise(
        "rd001_variant", "02_find_the_diagnosis",
        "Which variant is RD001's diagnosis (chrom:pos:ref:alt)?",
        "copy the `variant_id` of the best candidate, written chrom:pos:ref:alt.",
        "set", expected=lambda d: frozenset(_norm_variant(v) for v in _ids(_rd_truth(d, "RD001")["variants"])),
        normalise=_norm_variant),
    Exercise(
        "qtc_bazett_hr90", "03_cardiac_family",
        "QT 400 ms at a heart rate of 90/min: what is the QTc by Bazett, in ms (whole number)?",
        "RR = 60 / heart rate (in seconds), and Bazett divides QT by the square root of RR.",
        "number", expected=lambda d: _qtc_hr90("bazett"), tolerance=1.0),
    Exercise(
        "qtc_lowest_formula_hr90", "03_cardiac_family",
        "QT 400 ms at 90/min: which of the four formulas gives the lowest QTc (bazett, fridericia, "
        "framingham or hodges)?",
        "compute all four (`bm.qtc_bazett(400, heart_rate=90)` and so on) and compare.",
        "text", expected=lambda d: min(_QTC_METHODS, key=_qtc_hr90), normalise=_norm_formula),
    Exercise(
        "scd01_follow_up", "03_cardiac_family",
        "Which relatives of SCD01's proband need clinical follow-up after cascade testing (list of ids)?",
        "in the cascade table, keep the rows whose `follow_up` is True (living carriers).",
        "set", expected=_scd01_follow_up, normalise=lambda x: str(x).strip().upper()),
    Exercise(
        "crc0136_tmb", "04_colorectal_cohort",
        "What is the TMB of tumour CRC0136-T in mutations per Mb (one decimal)?",
        "count the non-synonymous variants of CRC0136-T and divide by the callable territory "
        "(`callable_mb` in truth.json): `bm.compute_tmb(...)`.",
        "number", expected=_crc0136_tmb, tolerance=0.05),
    Exercise(
        "crc_stage_iv_hr", "04_colorectal_cohort",
        "In the Cox model with age, stage, MSI status and BRAF V600E, what is the hazard ratio of "
        "stage IV versus stage I (two decimals)?",
        "fit `bm.cox_ph` with those four covariates and read the `hr` of the row `stage=IV`.",
        "number", expected=_crc_stage_iv_hr, tolerance=0.01),
    Exercise(
        "crc_confounder", "04_colorectal_cohort",
        "Which variable makes MSI-H look harmless in the unadjusted survival comparison?",
        "MSI-H tumours differ from MSS tumours in more than MSI: compare the driver mutations of the two "
        "groups, then add covariates to the Cox model one at a time; which one moves the MSI-H hazard ratio?",
        "hash", normalise=_norm_confounder,
        # sha256 of the normalised answer (a concept question: nothing in the data states it)
        digest="72a666b75773fdc2ef192e43b603d404755c0d0fa593cd07810ef144afd1ae02"),
]}


# ----------------------------------------------------------------------------------------- check


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer. Displays as its message; ``bool(result)`` is ``correct``."""

    name: str
    correct: bool
    answered: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


def exercises(notebook: str | None = None) -> pd.DataFrame:
    """The exercises (name, notebook, question), optionally of one notebook only."""
    rows = [{"name": e.name, "notebook": e.notebook, "question": e.question} for e in EXERCISES.values()]
    df = pd.DataFrame(rows)
    return df if notebook is None else df[df["notebook"] == notebook].reset_index(drop=True)


def _exercise(name: str) -> Exercise:
    exercise = EXERCISES.get(str(name).strip()) if isinstance(name, str) else None
    if exercise is None:
        raise ParameterError(
            f"unknown exercise {name!r}; known exercises: {', '.join(EXERCISES)}")
    return exercise


@lru_cache(maxsize=64)
def _expected(name: str, data: str) -> Any:
    return EXERCISES[name].expected(Path(data))


def _is_unanswered(answer: Any) -> bool:
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str) and answer.strip() in {"", "...", "?"}:
        return True
    return False


def check(name: str, answer: Any, *, data: str | os.PathLike | None = None) -> CheckResult:
    """Check a student's answer to exercise ``name``; the verdict names no expected value.

    Parameters
    ----------
    name
        Exercise name, e.g. ``"rd001_gene"`` (see :func:`exercises`).
    answer
        The student's answer: text, a number or a list, as the question asks. ``None`` or ``...``
        means "not answered yet".
    data
        Synthetic data folder (default :func:`demo_data_dir`).

    Returns
    -------
    CheckResult
        Shown as one line: ``✔ name: right`` or ``✘ name: not yet ... Hint: ...``.

    Raises
    ------
    ParameterError
        ``name`` is not a known exercise (the message lists the known ones).
    """
    exercise = _exercise(name)
    if _is_unanswered(answer):
        return CheckResult(exercise.name, False, False,
                           f"… {exercise.name}: no answer yet. {exercise.question}")
    try:
        correct, detail = _compare(exercise, answer, data)
    except _AnswerFormat as err:
        return CheckResult(exercise.name, False, True,
                           f"{_WRONG} {exercise.name}: expected {err}. Hint: {exercise.hint}")
    if correct:
        return CheckResult(exercise.name, True, True, f"{_RIGHT} {exercise.name}: right!")
    return CheckResult(exercise.name, False, True,
                       f"{_WRONG} {exercise.name}: not yet{detail}. Hint: {exercise.hint}")


def _compare(exercise: Exercise, answer: Any, data: str | os.PathLike | None) -> tuple[bool, str]:
    if exercise.kind == "hash":
        if not isinstance(answer, str):
            raise _AnswerFormat("a name (text)")
        return sha256_bytes(exercise.normalise(answer).encode()) == exercise.digest, ""
    expected = _expected(exercise.name, str(demo_data_dir(data)))
    if exercise.kind == "number":
        value = _as_number(answer)
        if abs(value - expected) <= exercise.tolerance + 1e-9:
            return True, ""
        return False, f" (your value is too {'high' if value > expected else 'low'})"
    if exercise.kind == "set":
        try:
            given = _as_id_set(answer, exercise.normalise)
        except (ParameterError, ValueError) as err:
            if isinstance(err, _AnswerFormat):
                raise
            raise _AnswerFormat(str(err)) from None
        if given == expected:
            return True, ""
        if given & expected:
            return False, " (some of your answer is right, something is missing or extra)"
        return False, ""
    if not isinstance(answer, str):
        raise _AnswerFormat("text (a str)")
    try:
        return exercise.normalise(answer) == expected, ""
    except ParameterError as err:
        raise _AnswerFormat(str(err)) from None


# ------------------------------------------------------------------------------------ QTc widget


def qtc_explorer(*, qt_ms: int = 440, heart_rate: int = 75, sex: str = "F") -> Any:
    """An ipywidgets QTc calculator: sliders for QT and heart rate, the four formulas and the flag.

    Returns an ``ipywidgets.VBox`` (CSS class ``bigmed-qtc-explorer``) to display in a notebook.
    """
    import ipywidgets as widgets

    qt = widgets.IntSlider(value=qt_ms, min=300, max=650, step=5, description="QT (ms)",
                           continuous_update=False)
    hr = widgets.IntSlider(value=heart_rate, min=40, max=150, step=1, description="HR (/min)",
                           continuous_update=False)
    sx = widgets.ToggleButtons(options=[("female", "F"), ("male", "M")], value=sex, description="Sex")
    out = widgets.HTML()

    def update(*_: Any) -> None:
        out.value = qtc_explorer_html(qt.value, hr.value, sx.value)

    for w in (qt, hr, sx):
        w.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HTML("<b>QTc explorer</b> (synthetic teaching tool)"), qt, hr, sx, out])
    box.add_class("bigmed-qtc-explorer")
    return box


def qtc_explorer_html(qt_ms: float, heart_rate: float, sex: str) -> str:
    """The explorer's result table as HTML (pure; tested)."""
    from .cardiac import ecg

    rows = []
    for method in _QTC_METHODS:
        value = float(getattr(ecg, f"qtc_{method}")(qt_ms, heart_rate=heart_rate))
        flag = ecg.qtc_flag(value, sex=sex)
        rows.append(f"<tr><td>{method.capitalize()}</td><td>{value:.0f} ms</td><td>{flag}</td></tr>")
    return ("<table class='bigmed-qtc-table' style='border-spacing: 14px 2px'><tr><th>formula</th><th>QTc</th><th>flag</th></tr>"
            + "".join(rows) + "</table>")
