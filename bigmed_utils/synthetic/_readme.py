"""README.md written next to the synthetic cohorts (placeholder)."""
from pathlib import Path
from ._vcf import SYNTHETIC_NOTICE


def write_readme(out: Path, *, seed: int, scale: str) -> None:
    (Path(out) / "README.md").write_text(f"# Synthetic BigMed cohorts\n\n{SYNTHETIC_NOTICE}\n")
