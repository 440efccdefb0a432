"""Parameters of every analysis: one pydantic model each, YAML loading, and errors that name the parameter.

The same parameter name means the same thing in every analysis (see README.md, "Architecture", and
docs/architecture.md). Each analysis package names its model in its ``contract`` module. A
notebook's first code cell (tagged ``parameters``) holds the defaults of the synthetic demo case; the next
cell calls :func:`validate_params`, so a wrong type, a missing input file or an unknown key fails there,
before Hail starts. ``bigmed run`` validates the same way before it starts a kernel.

Paths in a parameter file are relative to the folder of that file; paths given on the command line
(``-p vcf=...``) are relative to the current folder.

Examples
--------
>>> from bigmed_utils.params import validate_params
>>> validate_params("rare_disease", {"case_id": "X", "vcf": "missing.vcf.gz"})  # doctest: +SKIP
Traceback (most recent call last):
bigmed_utils.errors.ParameterError: rare_disease: parameter 'vcf': file not found: missing.vcf.gz
"""

from __future__ import annotations

from types import UnionType
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Mapping, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from .errors import ParameterError
from .phenotype.ontology import HPO_ID_RE

# ---------------------------------------------------------------------------------------------------------
# Field types shared by all analyses


def _resolve(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base_dir")
    return value if value.is_absolute() or base is None else Path(base) / value


def _existing_file(value: Path, info: ValidationInfo) -> Path:
    path = _resolve(Path(value).expanduser(), info)
    if not path.is_file():
        raise ValueError(f"file not found: {value}")
    return path.resolve()


def _existing_path(value: Path, info: ValidationInfo) -> Path:
    path = _resolve(Path(value).expanduser(), info)
    if not path.exists():
        raise ValueError(f"file or folder not found: {value}")
    return path.resolve()


def _any_path(value: Path, info: ValidationInfo) -> Path:
    return _resolve(Path(value).expanduser(), info).resolve()


#: an input file that must exist (resolved against the parameter file's folder)
InputFile = Annotated[Path, AfterValidator(_existing_file)]
#: an input file or folder that must exist (e.g. a folder of OMOP tables)
InputPath = Annotated[Path, AfterValidator(_existing_path)]
#: a path that may not exist yet (e.g. an in-house database that the run creates)
OutputPath = Annotated[Path, AfterValidator(_any_path)]

def _hpo_id(value: str) -> str:
    if not HPO_ID_RE.match(value):
        raise ValueError(f"{value!r} is not an HPO id of the form HP:0000000")
    return value


HpoId = Annotated[str, AfterValidator(_hpo_id)]
#: identifiers become folder names and report titles: letters, digits, '.', '_' and '-' only
SafeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
GenomeBuild = Literal["GRCh38", "GRCh37"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class AnalysisParams(BaseModel):
    """Parameters every analysis takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    genome_build: GenomeBuild = Field("GRCh38", description="Reference genome of the input files.")
    spark_master: str | None = Field(
        None, description="Spark master URL (spark://host:7077, yarn); empty = local mode on this machine."
    )
    driver_memory: str | None = Field(
        None, pattern=r"^\d+[kmgtKMGT]$", description="JVM heap of the Hail driver, e.g. '6g'."
    )
    pseudonymise: bool = Field(False, description="Replace patient and sample ids by keyed pseudonyms in outputs.")


# ---------------------------------------------------------------------------------------------------------
# One model per analysis


class RareDiseaseParams(AnalysisParams):
    """A family's VCF and the proband's phenotypes → ranked, ACMG-classified candidates."""

    case_id: SafeId = Field(description="Case identifier (report title and output folder).")
    vcf: InputFile = Field(description="VCF (bgzipped or plain) with a VEP CSQ annotation.")
    ped: InputFile = Field(description="PED file of the family (6 columns).")
    proband: str = Field(description="Sample id of the proband, as in the VCF and PED.")
    hpo_terms: list[HpoId] = Field(default_factory=list, description="Observed phenotypes as HPO ids.")
    phenopacket: InputFile | None = Field(None, description="GA4GH Phenopacket v2 JSON with the phenotypes.")
    clinical_note: InputFile | None = Field(None, description="Free-text clinical note (plain text file).")
    gene_panel: list[str] | InputFile | None = Field(
        None, description="Restrict to these genes: a list of symbols or a file with one symbol per line."
    )
    inhouse_db: OutputPath | None = Field(None, description="In-house variant database (Hail Table folder).")
    min_gq: int = Field(20, ge=0, description="Minimum genotype quality of a call.")
    min_dp: int = Field(6, ge=0, description="Minimum read depth of a call.")
    het_ab_min: Fraction = Field(0.2, description="Lowest allele balance of a heterozygous call.")
    het_ab_max: Fraction = Field(0.8, description="Highest allele balance of a heterozygous call.")
    homref_ab_max: Fraction = Field(0.02, description="Highest allele balance of a hom-ref call.")
    homalt_ab_min: Fraction = Field(0.98, description="Lowest allele balance of a hom-alt call.")
    require_pass: bool = Field(True, description="Keep only sites whose FILTER is PASS.")
    max_af_de_novo: Fraction = Field(0.001, description="Population AF ceiling for de novo candidates.")
    max_af_dominant: Fraction = Field(0.001, description="Population AF ceiling for dominant candidates.")
    max_af_recessive: Fraction = Field(0.01, description="Population AF ceiling for homozygous/X-linked candidates.")
    max_af_compound_het: Fraction = Field(0.02, description="Population AF ceiling for compound-het candidates.")
    consequence_gate: bool = Field(
        True, description="Keep only protein-altering, splice, SpliceAI >= 0.2 or ClinVar P/LP variants (before any mode)."
    )
    reduced_penetrance: bool = Field(
        False, description="Also list heterozygous variants inherited from an unaffected parent as dominant candidates."
    )
    top_n: int = Field(10, ge=1, description="Candidates shown in the report.")

    @model_validator(mode="after")
    def _needs_phenotypes(self) -> "RareDiseaseParams":
        if not (self.hpo_terms or self.phenopacket or self.clinical_note):
            raise ValueError("give the phenotypes as hpo_terms, phenopacket or clinical_note")
        return self


CardiacCondition = Literal["long_qt", "brugada", "hcm", "acm", "cpvt", "dcm"]


class SuddenCardiacDeathParams(AnalysisParams):
    """A family with an inherited cardiac condition: panel genetics, ECG, risk score, cascade screening."""

    family_id: SafeId = Field(description="Family identifier, as in the PED.")
    vcf: InputFile = Field(description="Joint VCF of the tested family members (VEP CSQ annotated).")
    ped: InputFile = Field(description="PED file of the family.")
    proband: str = Field(description="Individual id of the proband.")
    conditions: list[CardiacCondition] = Field(
        default_factory=lambda: ["long_qt", "brugada", "hcm", "acm", "cpvt", "dcm"],
        description="Gene panels to screen (long_qt, brugada, hcm, acm, cpvt, dcm).",
    )
    ecg: InputFile | None = Field(None, description="ECG visits (CSV: person_id, date, sex, rr_s, qt_ms, ...).")
    echo: InputFile | None = Field(None, description="Echocardiography (CSV: max wall thickness, LA, LVOT).")
    clinical: InputFile | None = Field(None, description="Clinical history per person (CSV).")
    inhouse_db: OutputPath | None = Field(
        None, description="In-house store of earlier families (case store folder): similar families."
    )


class ColorectalCancerParams(AnalysisParams):
    """One patient's molecular tumour-board report."""

    patient_id: SafeId = Field(description="Patient identifier.")
    maf: InputFile | None = Field(
        None, description="Somatic MAF: the patient's tumour, or a cohort (then TMB/MSI are shown against it)."
    )
    vcf: InputFile | None = Field(
        None, description="VEP-annotated somatic VCF of the patient (used instead of the MAF for the patient)."
    )
    tumor_sample: str | None = Field(
        None, description="Tumour sample barcode in the MAF/VCF; default patient_id-T (or the patient's only tumour)."
    )
    normal_sample: str | None = Field(
        None, description="Matched normal column of the VCF; default the other column of a two-sample VCF."
    )
    clinical: InputPath | None = Field(None, description="Clinical CSV or a folder of OMOP tables.")
    callable_mb: float = Field(38.0, gt=0, description="Callable size of the assay in megabases (TMB denominator).")
    tmb_classes: list[str] | None = Field(
        None, description="Variant classes counted for TMB; default the non-synonymous coding classes (maftools)."
    )
    msi_score: float | None = Field(
        None, ge=0, le=100, description="MSI score of the assay's tool (MSIsensor: % unstable sites); default from the clinical record."
    )
    msi_assay: Literal["tumor_normal", "msisensor_exome", "tumor_only", "mantis"] = Field(
        "tumor_normal", description="MSI tool and cut-offs: tumor_normal = MSIsensor panel (MSI-H >= 10, 3-10 indeterminate), "
        "msisensor_exome (>= 3.5), tumor_only = MSIsensor2 (>= 20), mantis (>= 0.4)."
    )
    msi_threshold: float | None = Field(None, gt=0, description="MSI-H threshold overriding the assay's default (no indeterminate band).")
    mmr_ihc: Literal["deficient", "proficient"] | None = Field(
        None, description="Mismatch-repair immunohistochemistry; default from the clinical record."
    )
    inhouse_db: OutputPath | None = Field(
        None, description="In-house store of earlier patients (case store folder): similar patients' outcomes."
    )
    mlh1_methylation: bool | None = Field(
        None, description="MLH1 promoter hypermethylation (true/false; null = not tested), for the Lynch syndrome triage."
    )
    her2_ihc: Literal["0", "1+", "2+", "3+"] | None = Field(
        None, description="HER2 immunohistochemistry score; 3+ matches the HER2-directed therapies."
    )

    @model_validator(mode="before")
    @classmethod
    def _her2_score_as_text(cls, data: Any) -> Any:
        # YAML reads `her2_ihc: 0` as a number
        if isinstance(data, dict) and isinstance(data.get("her2_ihc"), int) and not isinstance(data["her2_ihc"], bool):
            data = {**data, "her2_ihc": str(data["her2_ihc"])}
        return data

    @model_validator(mode="after")
    def _needs_variants(self) -> "ColorectalCancerParams":
        if self.maf is None and self.vcf is None:
            raise ValueError("give the somatic variants as maf or vcf")
        return self


class ColorectalCohortParams(AnalysisParams):
    """Cohort analysis: oncoplot, survival by molecular group, Cox model, EHR selection."""

    case_id: SafeId = Field("crc_cohort", description="Name of the cohort run.")
    maf: InputFile = Field(description="Somatic MAF of the cohort.")
    clinical: InputPath = Field(description="Clinical CSV (with survival columns) or a folder of OMOP tables.")
    ehr: InputPath | None = Field(None, description="Folder of OMOP CDM tables for patient selection.")
    icd10: list[str] = Field(default_factory=lambda: ["C18", "C19", "C20"], description="ICD-10 prefixes to select.")
    stage: list[Literal["I", "II", "III", "IV"]] | None = Field(
        None, description="Keep patients at these stages (from the EHR, else the clinical table)."
    )
    treatment: list[str] | None = Field(
        None, description="Keep patients with a drug exposure containing any of these names (needs ehr)."
    )
    callable_mb: float = Field(38.0, gt=0, description="Callable size of the assay in megabases.")
    msi_assay: Literal["tumor_normal", "msisensor_exome", "tumor_only", "mantis"] = Field(
        "tumor_normal", description="MSI tool of the scores in OMOP tables (cut-offs as for colorectal_cancer)."
    )
    top_n_genes: int = Field(20, ge=1, le=100, description="Genes shown in the oncoplot.")
    cox_covariates: list[Literal["stage", "msi_status", "side", "braf_v600e", "kras_mut", "age_per_10y", "sex"]] = Field(
        default_factory=lambda: ["stage", "msi_status", "braf_v600e", "age_per_10y"],
        description="Covariates of the Cox models (stage vs I, MSI-H vs MSS, side vs left, BRAF V600E, age per 10 years).",
    )
    delayed_entry: bool = Field(
        True, description="Survival with delayed entry at the sequencing date (column sequencing_months) when the data have one."
    )


# ---------------------------------------------------------------------------------------------------------
# Registry: the analysis packages declare their specs (bigmed_utils.contract finds them)


@dataclass(frozen=True)
class AnalysisSpec:
    """What the runner knows about an analysis."""

    name: str
    title: str
    model: type[AnalysisParams]
    id_key: str
    summary_keys: tuple[str, ...]
    #: the notebook's name in the notebooks folder (without ``.ipynb``); default the analysis name
    notebook: str = ""

    def __post_init__(self) -> None:
        if not self.notebook:
            object.__setattr__(self, "notebook", self.name)


class _Registered(Mapping[str, AnalysisSpec]):
    """The specs of the analyses the registry finds (:func:`bigmed_utils.contract.analyses`), by name.

    A mapping rather than a list here: an analysis package declares its own spec, so adding one edits
    nothing in this module.
    """

    def _specs(self) -> dict[str, AnalysisSpec]:
        from .contract.registry import analyses

        return {name: a.spec for name, a in analyses().items()}

    def __getitem__(self, name: str) -> AnalysisSpec:
        return self._specs()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs())

    def __len__(self) -> int:
        return len(self._specs())

    def __repr__(self) -> str:
        return f"ANALYSES({', '.join(self)})"


#: every registered analysis: name -> :class:`AnalysisSpec`
ANALYSES: Mapping[str, AnalysisSpec] = _Registered()

ID_KEYS = ("case_id", "family_id", "patient_id")


def analysis_spec(analysis: str) -> AnalysisSpec | None:
    """The registered spec of ``analysis``, or ``None`` for a notebook without a model (e.g. a new one)."""
    return ANALYSES.get(analysis)


# ---------------------------------------------------------------------------------------------------------
# Validation and loading


def _format_errors(analysis: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        # pydantic reports union members as extra loc parts (e.g. 'vcf.function-after[...]'): keep the field
        field = str(e["loc"][0]) if e["loc"] else ""
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown parameter '{field}'")
        elif e["type"] == "missing":
            parts.append(f"parameter '{field}' is required")
        elif field:
            parts.append(f"parameter '{field}': {msg}")
        else:
            parts.append(msg)
    # a union reports the same field once per member: keep the first message of each field
    seen: dict[str, str] = {}
    for p in parts:
        key = p.split(":")[0]
        seen.setdefault(key, p)
    return f"{analysis}: " + "; ".join(seen.values())


def validate_params(
    analysis: str, params: Mapping[str, Any], *, base_dir: str | Path | None = None
) -> AnalysisParams:
    """Validate ``params`` against the model of ``analysis``.

    Parameters
    ----------
    analysis
        Analysis name (``rare_disease``, ``sudden_cardiac_death``, ``colorectal_cancer``, ``colorectal_cohort``).
    params
        Parameter values; relative paths are resolved against ``base_dir`` (default: the current folder).
    base_dir
        Folder that relative paths are relative to.

    Returns
    -------
    AnalysisParams
        The validated, frozen parameters with absolute paths.

    Raises
    ------
    ParameterError
        One line naming every parameter at fault.
    """
    spec = analysis_spec(analysis)
    if spec is None:
        raise ParameterError(f"unknown analysis '{analysis}' (known: {', '.join(sorted(ANALYSES))})")
    try:
        return spec.model.model_validate(dict(params), context={"base_dir": base_dir})
    except ValidationError as err:
        raise ParameterError(_format_errors(analysis, err)) from None


def params_from_namespace(analysis: str, namespace: Mapping[str, Any]) -> AnalysisParams:
    """Validate the parameters a notebook holds as variables (its ``parameters`` cell plus injected ones).

    Used in the second cell of every analysis notebook::

        params = bm.params_from_namespace("rare_disease", globals())
    """
    spec = analysis_spec(analysis)
    if spec is None:
        raise ParameterError(f"unknown analysis '{analysis}'")
    fields = spec.model.model_fields
    return validate_params(analysis, {k: namespace[k] for k in fields if k in namespace})


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter file into a dict (no validation; paths stay as written)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"parameter file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParameterError(f"{path} line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ParameterError(f"{path}{_yaml_where(err, text)}: not valid YAML ({_yaml_problem(err)})") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: a parameter file must be a mapping of name: value")
    return data


def _yaml_where(err: yaml.YAMLError, text: str) -> str:
    """`` line N`` (and column) of a YAML error, when PyYAML says where."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is not None:
        return f" line {mark.line + 1} column {mark.column + 1}"
    position = getattr(err, "position", None)  # a ReaderError (a character YAML does not allow)
    if isinstance(position, int):
        return f" line {text[:position].count(chr(10)) + 1}"
    return ""


def _yaml_problem(err: yaml.YAMLError) -> str:
    """PyYAML's reason in one line (its messages span several lines)."""
    if isinstance(err, yaml.reader.ReaderError):
        char = err.character if isinstance(err.character, str) else chr(err.character)
        return f"character {char!r} (#x{ord(char):04x}) is not allowed"
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    text = f"{context}: {problem}" if context else str(problem)
    return " ".join(text.split())


def parse_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Parse ``key=value`` pairs from the command line; values are read as YAML (``-p hpo_terms=[HP:0001250]``)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"-p {pair!r}: expected key=value")
        if not key.strip().isidentifier():
            raise ParameterError(f"-p {pair!r}: {key.strip()!r} is not a parameter name (see 'bigmed params ANALYSIS')")
        try:
            out[key.strip()] = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            out[key.strip()] = value
    return out


def to_jsonable(params: BaseModel) -> dict[str, Any]:
    """Parameters as plain JSON values (paths as strings), for papermill and provenance."""
    return params.model_dump(mode="json")


def describe_params(analysis: str) -> list[dict[str, str]]:
    """Each parameter of ``analysis`` with its type, default and help text (``bigmed params``)."""
    spec = analysis_spec(analysis)
    if spec is None:
        raise ParameterError(f"unknown analysis '{analysis}' (known: {', '.join(sorted(ANALYSES))})")
    rows = []
    common = set(AnalysisParams.model_fields)
    ordered = sorted(spec.model.model_fields.items(), key=lambda kv: kv[0] in common)  # own fields first
    for name, field in ordered:
        if field.is_required():
            default = "(required)"
        elif field.default_factory is not None:
            default = repr(field.default_factory())
        else:
            default = repr(field.default)
        rows.append(
            {"name": name, "type": _type_name(field.annotation, field.metadata), "default": default, "help": field.description or ""}
        )
    return rows


_VALIDATOR_NAMES = {_existing_file: "file", _existing_path: "file or folder", _any_path: "path", _hpo_id: "HPO id"}


def _type_name(tp: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> str:
    """A readable type for ``bigmed params`` (``file``, ``list of HPO id``, ``'GRCh38' | 'GRCh37'``)."""
    for meta in metadata:
        if isinstance(meta, AfterValidator) and meta.func in _VALIDATOR_NAMES:
            return _VALIDATOR_NAMES[meta.func]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _type_name(args[0], args[1:])
    if origin in (Union, UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if tp is type(None):
        return "None"
    return getattr(tp, "__name__", str(tp))
