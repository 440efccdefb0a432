"""The README.md that :func:`bigmed_utils.synthetic.generate` writes next to the cohorts."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ._vcf import CSQ_FIELDS, SYNTHETIC_NOTICE

_DEMO = """\
# BigMed synthetic cohorts: SYNTHETIC DATA

**{notice}.** No file here describes a real person. Written by `bigmed_utils.synthetic.generate`
(bigmed_utils {version}) with seed {seed}, scale `{scale}`; the same seed and version give byte-identical files.

## Conventions of every VCF
VCF 4.2 on GRCh38 (contigs chr1..chr22, chrX, chrY, chrM declared with lengths), BGZF-compressed with a tabix
index (`.tbi`), `##source=bigmed_utils.synthetic ... SYNTHETIC DATA` header line, FORMAT `GT:AD:DP:GQ:PL`
(calls derived from simulated read counts; males are written diploid `1/1` / `0/0` on chrX as GATK does),
FILTER `PASS`, `LowQual`, `VQSRTrancheSNP99.90to100.00`, `VQSRTrancheINDEL99.00to100.00`.
INFO `CSQ` is declared exactly as Ensembl VEP declares it, with the fields
`{csq}`.
Every variant has 2-3 transcript entries (comma-separated): the MANE Select transcript (`CANONICAL=YES`,
`MANE_SELECT=NM_...`, real ENST id) and 1-2 other isoforms (placeholder ids `ENST9...`, not real);
the canonical entry is not always first. Consequences may be `&`-joined (`splice_region_variant&intron_variant`).
Gene ids (`ENSG9...`) and protein ids are placeholders. REF bases are random (no reference genome is
bundled) except at the colorectal hotspots, which carry their real GRCh38 alleles. Every variant lies inside
the GRCh38 span of the MANE Select transcript of the gene it is annotated with
(`bigmed_utils/data/genes/mane_select_grch38_genes.tsv.gz`, GENCODE 50 via pzweuj/ManeSelectBed, MIT).

## rare_disease/
Cases `RD001` ... per case: `RDnnn.vcf.gz` (+ `.tbi`; samples `RDnnn-P` proband, `RDnnn-F` father, `RDnnn-M`
mother, optional `RDnnn-S` sibling), `RDnnn.ped` (6 columns, tab-separated, no header: family, individual,
father, mother, sex 1=male 2=female, phenotype 1=unaffected 2=affected), `RDnnn.phenopacket.json` (GA4GH
Phenopacket v2: observed and `excluded: true` HPO terms; metaData names the HPO version hpo3 ships),
`RDnnn.notes.txt` (short English clinical note using HPO term names, one finding negated: "No ...").
`truth.tsv` (tab-separated, one `#` comment line: read with `comment="#"`): case, proband, sex, gene,
variants (comma-separated `chrom:pos:ref:alt` exactly as in the VCF), mode (de_novo, autosomal_recessive,
compound_heterozygous, x_linked, autosomal_dominant), disease_id (OMIM id in hpo3), hpo_terms (observed),
excluded_hpo_terms, sibling (affected/unaffected/empty), affected_parent (F/M for autosomal dominant),
icd10, competitors (comma-separated `kind:gene:chrom:pos:ref:alt`, see below).

About 23,000 sites per family from a shared population catalogue (AF spectrum: common 1-95 %, rare
0.001-1 %, plus private variants), artefacts (1.5 % low-depth calls with low GQ, 1 % hets with skewed
allele balance, 0.4 % missing calls, 2 % VQSR-filtered and LowQual sites, 4 Mendelian errors, 6 multi-allelic
sites) and decoys in genes without any HPO annotation: de novo-looking calls with low depth / skewed
allele balance / a failing FILTER, a harmless high-quality de novo synonymous variant, rare LoF variants
inherited from an unaffected parent, a homozygous missense with AF 3-8 %, two rare hets in one gene in
cis, a hemizygous missense with AF 4 % (males), a frameshift with AF 0.4 %. Two competing candidates per
family, so that neither the variant evidence nor the phenotype alone suffices: a `variant` competitor (a
high-quality de novo stop-gained or frameshift variant in a dominant disease gene whose annotations share
the fewest terms with the patient) and a `phenotype` competitor (a homozygous missense, AF 0.1-0.4 %, REVEL
0.05-0.25, in the gene sharing the most terms with the patient after the planted gene).
The planted variant(s) are PASS with GQ >= 20, DP >= 6, allele balance 0.2-0.8 and gnomAD/MAX_AF below
0.1 % (de novo, dominant, X-linked), 1 % (recessive) or 2 % (compound het); with these filters, the mode
of inheritance and phenotype ranking, the planted gene is the best candidate. Phenotypes: 4-6 terms of
the disease (1-2 replaced by a parent term) plus 1-2 unrelated findings; 1-2 unrelated findings excluded.

## sudden_cardiac_death/
Families `SCD01` ... (3 generations, 6-15 members, ids `SCDnn-101`: generation digit, then number).
`families.ped` (6 columns, no header, all families), `cardiac.vcf.gz` (+ `.tbi`, joint panel/exome-like calls
of every tested member; untested relatives are absent), `ecg.csv` (person_id, family_id, date, age, sex,
heart_rate, rr_s = 60/heart_rate, qt_ms, qrs_ms, pr_ms; several visits per person; QTc (Bazett) prolonged
in long-QT carriers), `echo.csv` (person_id, date, max_wall_thickness_mm, la_diameter_mm, lvot_gradient_mmhg;
HCM families only; a few values deliberately missing), `clinical.csv` (person_id, family_id, age (age at
death if deceased), sex, deceased, age_at_death, cause_of_death, family_history_scd, nsvt,
unexplained_syncope, prior_cardiac_arrest_or_sustained_vt, athlete, affected_status, proband),
`truth.tsv` (`#` comment line; family_id, proband, gene, variant, condition (long_qt, brugada, hcm, acm,
cpvt), carriers, non_carriers, untested (comma-separated ids), untested_carriers, consequence, icd10).
The planted variant segregates dominantly from a founder with incomplete penetrance; some carriers died
suddenly. CSV files have no comment line (plain CSV readers).

## colorectal_cancer/
Patients `CRC0001` ... `somatic.maf` (GDC MAF columns, `#version 2.4` and a `#` synthetic notice first;
barcodes `CRC0001-T` / `CRC0001-N`), `clinical.csv` (patient_id, age, sex, stage I-IV, side
left/right/rectum, msi_status MSI-H/MSS, mmr_ihc deficient/proficient, msi_score (MSIsensor-style %),
treatment_lines, sequencing_months, os_months, os_event, pfs_months, pfs_event; times in months from
diagnosis; a patient enters the cohort when the tumour is sequenced, so analyse survival with delayed entry at
sequencing_months), `truth.json` (planted Cox hazard ratios,
callable_mb for TMB, MSI-H and POLE groups, BRAF V600E and KRAS G12C carriers, driver frequencies,
`demo_patients`), and tumour/normal VEP-annotated VCFs for the demo patients in `vcf/`.

## ehr/
OMOP CDM v5.4-shaped CSV tables with standard column names: person (person_source_value = the ids above),
observation_period, visit_occurrence, condition_occurrence (ICD-10 in condition_source_value), measurement
(QTc, heart rate, MSI score, AJCC stage, MMR IHC, tumour sequencing date), drug_exposure (colorectal-cancer regimens), death, and
cdm_source (source_description states that the data are synthetic). Concept ids are OMOP conventions where
fixed (gender 8507/8532, visits 9201/9202, type 32817) and 0 otherwise; source codes are kept.

## Files that cannot carry a notice
PED files (no comment syntax that Hail's `import_fam` or PLINK accept), plain CSV tables and tabix indexes
are synthetic like everything else in this folder.
"""

_WGS = """\
# BigMed synthetic whole-genome trio: SYNTHETIC DATA

**{notice}.** Written by `bigmed_utils.synthetic.generate(scale="wgs")` (bigmed_utils {version}, seed
{seed}); the same seed and version give byte-identical files.

`rare_disease_wgs/`: `WGS001.vcf.gz` (+ `.tbi`), one trio (`WGS001-P`, `WGS001-F`, `WGS001-M`) with about
5 million sites genome-wide, `WGS001.ped`, `WGS001.phenopacket.json`, `WGS001.notes.txt` and `truth.tsv`
(same columns as the demo `rare_disease/truth.tsv`) with one planted de novo variant. VCF conventions as in
the demo data: VCF 4.2, GRCh38 contigs, BGZF + tabix, VEP-style CSQ
(`{csq}`),
FORMAT GT:AD:DP:GQ:PL. Intergenic sites carry a single `intergenic_variant` CSQ entry.
"""


def write_readme(out: Path, *, seed: int, scale: str) -> None:
    """README.md in ``out``; the whole-genome README also goes into ``rare_disease_wgs/`` and does not
    replace a demo README already in ``out``."""
    template = _WGS if scale == "wgs" else _DEMO
    text = template.format(notice=SYNTHETIC_NOTICE, version=__version__, seed=seed, scale=scale,
                           csq="|".join(CSQ_FIELDS))
    out = Path(out)
    if scale == "wgs":
        (out / "rare_disease_wgs" / "README.md").write_text(text)
        if (out / "README.md").exists() and (out / "README.md").read_text().startswith("# BigMed synthetic cohorts"):
            return
    (out / "README.md").write_text(text)
