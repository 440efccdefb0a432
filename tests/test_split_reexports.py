"""Old import paths keep working after modules were split: notebooks and tests import these names from the
module that used to define them, and must get the very same objects as the new homes."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

#: (old module, name, new module): the name imported from the old module is the new module's object
MOVED = [
    *[("bigmed_utils.cardiac.analysis", name, "bigmed_utils.cardiac.results")
      for name in ("FamilyResult", "CohortResult", "CardiacCohortResult", "CLASS_RANK", "REPORTED_CLASSES",
                   "DIAGNOSTIC_CLASSES", "FINDING_COLUMNS", "RISK_COLUMNS")],
    ("bigmed_utils.cardiac.analysis", "load_pedigree", "bigmed_utils.cardiac.inputs"),
    *[("bigmed_utils.cardiac.analysis", name, "bigmed_utils.cardiac.screening")
      for name in ("panel_table", "screen_panel", "screen_and_classify", "classify_family_candidates",
                   "family_genotypes")],
    *[("bigmed_utils.cardiac.analysis", name, "bigmed_utils.cardiac.family_risk")
      for name in ("family_qtc", "family_hcm_risk", "HCM_MWT_DIAGNOSTIC_MM", "HCM_MWT_Z_DIAGNOSTIC")],
    ("bigmed_utils.cardiac.analysis", "clinical_screening_list", "bigmed_utils.cardiac.cascade"),
    ("bigmed_utils.cardiac.analysis", "figure_labels", "bigmed_utils.cardiac.figures"),
    ("bigmed_utils.cardiac.analysis", "family_summary", "bigmed_utils.cardiac.summary"),
    ("bigmed_utils.cardiac.analysis", "headline", "bigmed_utils.cardiac.summary"),
    ("bigmed_utils.cardiac.analysis", "_leading_finding", "bigmed_utils.cardiac.overview"),
    ("bigmed_utils.cardiac.analysis", "CONDITION_LABELS", "bigmed_utils.cardiac.panels"),
    ("bigmed_utils.oncology.cohort", "read_clinical", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology.cohort", "match_barcodes", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology", "read_clinical", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology", "match_barcodes", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology.analysis", "side_from_icd10", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology.analysis", "DAYS_PER_MONTH", "bigmed_utils.io.clinical"),
    ("bigmed_utils.oncology.analysis", "clinical_from_omop", "bigmed_utils.oncology.clinical"),
    ("bigmed_utils.oncology.analysis", "read_clinical_any", "bigmed_utils.oncology.clinical"),
    ("bigmed_utils.oncology.analysis", "CohortResult", "bigmed_utils.oncology.analysis"),
    ("bigmed_utils.oncology", "CohortResult", "bigmed_utils.oncology.analysis"),
    ("bigmed_utils.provenance", "sha256_file", "bigmed_utils._fs"),
    *[("bigmed_utils.rare_disease.analysis", name, "bigmed_utils.rare_disease.inputs")
      for name in ("Phenotypes", "check_inputs", "gather_phenotypes", "read_gene_panel", "default_min_partitions")],
    *[("bigmed_utils.rare_disease.analysis", name, "bigmed_utils.rare_disease.summary")
      for name in ("MODE_LABELS", "build_summary", "headline", "top_table")],
    ("bigmed_utils.batch", "RunIndex", "bigmed_utils.run_index"),
    *[("bigmed_utils.genomics.acmg", name, "bigmed_utils.genomics.acmg_pm3")
      for name in ("PM3_POINTS", "PM3_STRENGTH", "pm3_points", "pm3_criterion")],
    *[("bigmed_utils.synthetic.rare_disease", name, "bigmed_utils.synthetic.rare_disease_phenotypes")
      for name in ("sample_phenotypes", "clinical_note", "phenopacket", "NOISE_TERMS", "EXCLUDABLE_TERMS")],
    ("bigmed_utils.params", "HPO_ID_RE", "bigmed_utils.phenotype.ontology"),
]
#: (module, old name, new name): renamed classes keep their former name as an alias
RENAMED = [
    ("bigmed_utils.batch", "CaseResult", "BatchCaseOutcome"),
    ("bigmed_utils.cardiac.analysis", "CohortResult", "CardiacCohortResult"),
    ("bigmed_utils.oncology.analysis", "CohortResult", "ColorectalCohortResult"),
]


@pytest.mark.parametrize(("old", "name", "new"), MOVED, ids=[f"{o}.{n}" for o, n, _ in MOVED])
def test_old_import_path_gives_the_same_object(old, name, new):
    assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(new), name)


@pytest.mark.parametrize(("module", "old", "new"), RENAMED, ids=[f"{m}.{o}" for m, o, _ in RENAMED])
def test_renamed_class_keeps_its_former_name(module, old, new):
    mod = importlib.import_module(module)
    assert getattr(mod, old) is getattr(mod, new)
    assert getattr(mod, new).__name__ == new


def _scd_module(text: str) -> str:
    """The module a source binds to ``scd`` (``from bigmed_utils.x import y as scd`` or ``import ... as scd``)."""
    found = re.search(r"from\s+([\w.]+)\s+import\s+(\w+)\s+as\s+scd\b", text)
    if found:
        return f"{found.group(1)}.{found.group(2)}"
    found = re.search(r"import\s+([\w.]+)\s+as\s+scd\b", text)
    return found.group(1) if found else "bigmed_utils.cardiac.analysis"


def test_every_name_the_cardiac_notebook_and_tests_use_is_importable_from_the_module_they_call_scd():
    root = Path(__file__).resolve().parents[1]
    sources = [root / "notebooks" / "sudden_cardiac_death.ipynb", *sorted((root / "tests" / "cardiac").glob("*.py"))]
    missing, checked = [], 0
    for src in sources:
        text = src.read_text(encoding="utf-8").replace('\\n', "\n")
        used = set(re.findall(r"\bscd\.([A-Za-z_]\w*)", text))
        if used:
            module = importlib.import_module(_scd_module(text))
            checked += len(used)
            missing += [f"{src.name}: {module.__name__}.{n}" for n in sorted(used) if not hasattr(module, n)]
    assert checked, "no scd.<name> found: the notebook or tests changed how they import the analysis"
    assert missing == []


def test_io_does_not_import_area_packages():
    io = Path(importlib.import_module("bigmed_utils.io").__file__).parent
    offenders = [f"{p.name}:{i}" for p in sorted(io.glob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"from \.\.(oncology|cardiac|rare_disease)\b|import bigmed_utils\.(oncology|cardiac|rare_disease)", line)]
    assert offenders == []
