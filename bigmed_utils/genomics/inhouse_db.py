"""The in-house variant database: 'have we seen this before?' over the cases a lab has analysed.

Layout of a database folder (``db_path``)::

    CURRENT              name of the current version folder (replaced atomically with os.replace)
    v000001/ v000002/    versions; each complete before CURRENT points to it
        calls.ht         Hail Table, one row per (variant, case): locus, alleles (key), variant_id,
                         case_id, zygosity ("het"/"hom"), acmg_class (missing if not a candidate), gene
        variants.ht      Hail Table keyed by locus/alleles: variant_id, n_het, n_hom, n_cases,
                         classes (array of {case_id, acmg_class, gene}), aggregated from calls.ht
        cases.json       the case table: case_id, hpo_terms, excluded_terms, candidate_genes, headline, added
        meta.json        genome_build, version, cases

Counts come from the proband's genotypes of every variant in the case's VCF (non-reference calls), so the
allele counts are an in-house frequency, not only of earlier candidates; previous ACMG classes come from
the earlier cases' candidate lists. Adding a case that is already present replaces its contribution
(re-runs do not double count). Every addition writes a new version folder and then swaps ``CURRENT``, so
a reader never sees a half-written database; the two most recent versions are kept.

Wiring for the command line: ``bigmed inhouse add RUN_DIR --db PATH`` = :func:`add_case` ``(PATH, RUN_DIR)``
(returns a :class:`AddResult` whose ``message`` is the line to print).
"""

from __future__ import annotations

import json
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd

from .._fs import atomic_write_text
from ..errors import InputDataError, ParameterError
from ..progress import tick

CURRENT_FILE = "CURRENT"
#: candidate genes of a case kept for patient similarity: the genes of its best-ranked candidates
CANDIDATE_GENES_PER_CASE = 10
#: added to the phenotype similarity of an earlier case that shares a candidate gene (project heuristic:
#: a shared gene moves a moderately similar patient above dissimilar ones, never a gene alone above a
#: clearly similar phenotype)
SHARED_GENE_BONUS = 0.25
_CLASS_ORDER = ("Pathogenic", "Likely pathogenic", "Uncertain significance", "Likely benign", "Benign")


@dataclass
class AddResult:
    """What :func:`add_case` did."""

    db_path: Path
    version: str
    case_id: str
    n_variants: int
    n_cases: int
    replaced: bool

    @property
    def message(self) -> str:
        verb = "replaced" if self.replaced else "added"
        return (f"{verb} case {self.case_id} ({self.n_variants} variants of the proband) in {self.db_path.name}: "
                f"{self.n_cases} cases, version {self.version}")


# --------------------------------------------------------------------------------------------------------
# versions


def current_version(db_path: str | Path) -> Path | None:
    """The folder of the current version, or ``None`` for an empty/new database."""
    db = Path(db_path)
    pointer = db / CURRENT_FILE
    if not pointer.is_file():
        return None
    folder = db / pointer.read_text(encoding="utf-8").strip()
    if not (folder / "meta.json").is_file():
        raise InputDataError(f"{db}: in-house database is damaged ({CURRENT_FILE} names a missing version {folder.name})")
    return folder


@contextmanager
def _locked(db: Path) -> Iterator[None]:
    """The database's writer lock: a second writer waits, saying who holds it (pid, host, since)."""
    from ..io.locks import exclusive

    db.mkdir(parents=True, exist_ok=True)
    with exclusive(db / ".lock", what=f"the in-house database {db}"):
        yield


def read_cases(db_path: str | Path) -> pd.DataFrame:
    """The case table (empty for a new database)."""
    cols = ["case_id", "hpo_terms", "excluded_terms", "candidate_genes", "headline", "added"]
    folder = current_version(db_path)
    if folder is None:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(json.loads((folder / "cases.json").read_text(encoding="utf-8")), columns=cols)


def read_meta(db_path: str | Path) -> dict[str, Any]:
    folder = current_version(db_path)
    return {} if folder is None else json.loads((folder / "meta.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------
# gathering a case


@dataclass
class _Case:
    case_id: str
    vcf: str | None
    proband: str
    genome_build: str
    hpo_terms: list[str]
    excluded_terms: list[str]
    candidates: list[dict[str, Any]]
    headline: str


def _case_from_run_dir(run_dir: Path) -> _Case:
    summary_path = run_dir / "summary.json"
    if not summary_path.is_file():
        raise InputDataError(f"{run_dir}: not a finished run folder (no summary.json)")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    if summary.get("analysis") != "rare_disease":
        raise InputDataError(f"{summary_path}: not a rare_disease run (analysis {summary.get('analysis')!r})")
    params: dict[str, Any] = {}
    prov = run_dir / "provenance.json"
    if prov.is_file():
        record = json.loads(prov.read_text(encoding="utf-8"))
        params = record.get("parameters") or record.get("params") or {}
    pheno = summary.get("phenotypes") or {}
    return _Case(
        case_id=str(summary["case_id"]),
        vcf=params.get("vcf"),
        proband=str(summary.get("proband") or params.get("proband")),
        genome_build=str(params.get("genome_build") or "GRCh38"),
        hpo_terms=list(pheno.get("observed") or []),
        excluded_terms=list(pheno.get("excluded") or []),
        candidates=list(summary.get("candidates") or []),
        headline=str(summary.get("headline") or ""),
    )


def _case_from_result(result: Any) -> _Case:
    return _Case(
        case_id=result.case_id,
        vcf=result.vcf,
        proband=result.proband,
        genome_build=result.genome_build,
        hpo_terms=list(result.phenotypes.observed),
        excluded_terms=list(result.phenotypes.excluded),
        candidates=list(result.summary.get("candidates") or []),
        headline=result.headline,
    )


def _best_class(classes: Iterable[str]) -> str | None:
    known = [c for c in classes if c in _CLASS_ORDER]
    return min(known, key=_CLASS_ORDER.index) if known else None


def _case_calls(case: _Case) -> Any:
    """Hail Table of the proband's non-reference calls (locus, alleles, variant_id, zygosity)."""
    import hail as hl

    from ..io.variants import load_variants
    from ..io.vcf import read_vcf_header

    if case.vcf and Path(case.vcf).is_file():
        path = Path(case.vcf)
        header = read_vcf_header(path)
        if case.proband not in header.samples:
            raise InputDataError(f"{path}: proband {case.proband!r} is not a sample of the VCF")
        # read once, never again: no import cache beside the case's VCF; only the proband's calls are kept
        mt = load_variants(path, genome_build=case.genome_build, parse_csq=False, csq_required=False, cache=False)
        mt = mt.filter_cols(mt.s == case.proband).select_entries("GT").select_rows("variant_id")
        mt = mt.filter_entries(hl.or_else(mt.GT.is_non_ref(), False))
        mt = mt.annotate_entries(zygosity=hl.if_else(mt.GT.is_hom_var(), "hom", "het"))
        ht = mt.entries().key_by("locus", "alleles").select("variant_id", "zygosity")
        return ht.checkpoint(hl.utils.new_temp_file("bigmed_inhouse_calls", "ht"))
    # the VCF is gone: fall back to the candidates and the proband's genotype in summary.json
    rows = []
    for c in case.candidates:
        gt = str((c.get("genotypes") or {}).get(case.proband, "0/1"))
        alleles = gt.replace("|", "/").split("/")
        rows.append({"variant_id": c["variant"], "zygosity": "hom" if len(set(alleles)) == 1 and alleles[0] not in ("0", ".") else "het"})
    return _variants_table(pd.DataFrame(rows, columns=["variant_id", "zygosity"]).drop_duplicates("variant_id"),
                           case.genome_build)


def _split_variant_id(vid: str) -> tuple[str, int, str, str]:
    parts = str(vid).split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        raise InputDataError(f"variant {vid!r} is not written chrom:pos:ref:alt")
    return parts[0], int(parts[1]), parts[2], parts[3]


def _variants_table(df: pd.DataFrame, genome_build: str) -> Any:
    """Hail Table keyed by locus/alleles from a pandas table with ``variant_id`` (and other str columns)."""
    import hail as hl

    from ..io.vcf import CONTIG_RECODING

    recode = CONTIG_RECODING[genome_build]
    rows = []
    for r in df.to_dict("records"):
        contig, pos, ref, alt = _split_variant_id(r["variant_id"])
        rows.append({**{k: (None if pd.isna(v) else str(v)) for k, v in r.items()},
                     "contig": recode.get(contig, contig), "pos": pos, "ref": ref, "alt": alt})
    schema = hl.tstruct(**{k: hl.tstr for k in df.columns}, contig=hl.tstr, pos=hl.tint32, ref=hl.tstr, alt=hl.tstr)
    ht = hl.Table.parallelize(rows, schema=schema, n_partitions=1)
    ht = ht.filter(hl.is_valid_contig(ht.contig, genome_build) & hl.is_valid_locus(ht.contig, ht.pos, genome_build))
    ht = ht.annotate(locus=hl.locus(ht.contig, ht.pos, genome_build), alleles=[ht.ref, ht.alt])
    return ht.key_by("locus", "alleles").drop("contig", "pos", "ref", "alt")


# --------------------------------------------------------------------------------------------------------
# public API



def variant_counts(calls: Any) -> Any:
    """Per-variant summary of the calls table: het/hom counts, number of cases, earlier classifications."""
    import hail as hl

    return calls.group_by("locus", "alleles").aggregate(
        variant_id=hl.agg.take(calls.variant_id, 1)[0],
        n_het=hl.agg.count_where(calls.zygosity == "het"),
        n_hom=hl.agg.count_where(calls.zygosity == "hom"),
        n_cases=hl.len(hl.agg.collect_as_set(calls.case_id)),
        classes=hl.agg.filter(hl.is_defined(calls.acmg_class),
                              hl.agg.collect(hl.struct(case_id=calls.case_id, acmg_class=calls.acmg_class, gene=calls.gene))),
    )

def add_case(db_path: str | Path, source: Any, *, keep_versions: int = 2) -> AddResult:
    """Add a finished rare-disease case to the in-house database (creating it if needed).

    Parameters
    ----------
    db_path
        Database folder (created when absent).
    source
        A run folder of ``bigmed run rare_disease`` (reads ``summary.json`` and, for the VCF and proband,
        ``provenance.json``) or a :class:`~bigmed_utils.rare_disease.analysis.CaseResult`.
    keep_versions
        Versions kept on disk (the current one and older ones for readers still using them).

    Returns
    -------
    AddResult
        ``message`` is one line for the command line.

    Raises
    ------
    InputDataError
        Not a rare-disease run folder, or a genome build different from the database's.
    """
    from ..hail_session import init_hail

    case = _case_from_run_dir(Path(source)) if isinstance(source, (str, Path)) else _case_from_result(source)
    db = Path(db_path)
    if db.exists() and not db.is_dir():
        raise ParameterError(f"in-house database {db} is a file, not a folder")
    hl = init_hail()
    tick("Hail started")
    with _locked(db):
        meta = read_meta(db)
        if meta and meta.get("genome_build") != case.genome_build:
            raise InputDataError(f"{db}: the in-house database holds {meta.get('genome_build')} variants, "
                                 f"case {case.case_id} is {case.genome_build}")
        old = current_version(db)
        calls = _case_calls(case)
        tick(f"calls of {case.case_id} read")
        classes: dict[str, tuple[str | None, str | None]] = {}
        for c in case.candidates:
            best = _best_class([c.get("acmg_class"), (classes.get(c["variant"]) or (None, None))[0]])
            classes[c["variant"]] = (best, c.get("gene"))
        cls_lit = hl.literal({k: hl.Struct(acmg_class=v[0], gene=v[1]) for k, v in classes.items()} or {"": hl.Struct(acmg_class=None, gene=None)},
                             hl.tdict(hl.tstr, hl.tstruct(acmg_class=hl.tstr, gene=hl.tstr)))
        calls = calls.annotate(case_id=case.case_id, acmg_class=cls_lit.get(calls.variant_id).acmg_class,
                               gene=cls_lit.get(calls.variant_id).gene)
        calls = calls.select("variant_id", "case_id", "zygosity", "acmg_class", "gene")
        replaced = False
        cases = read_cases(db)
        if old is not None:
            previous = hl.read_table(str(old / "calls.ht"))
            replaced = case.case_id in set(cases["case_id"])
            calls = previous.filter(previous.case_id != case.case_id).union(calls)
        cases = cases[cases["case_id"] != case.case_id]
        genes = list(dict.fromkeys(c.get("gene") for c in sorted(case.candidates, key=lambda c: c.get("rank", 0)) if c.get("gene")))
        cases = pd.concat([cases, pd.DataFrame([{
            "case_id": case.case_id, "hpo_terms": case.hpo_terms, "excluded_terms": case.excluded_terms,
            "candidate_genes": genes[:CANDIDATE_GENES_PER_CASE], "headline": case.headline,
            "added": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }])], ignore_index=True)

        number = int(old.name[1:]) + 1 if old is not None else 1
        version = f"v{number:06d}"
        staging = db / f".staging-{uuid.uuid4().hex}"
        staging.mkdir()
        calls = calls.checkpoint(str(staging / "calls.ht"), overwrite=True)
        tick("calls of every case written")
        variants = variant_counts(calls)
        variants.write(str(staging / "variants.ht"), overwrite=True)
        tick("variant counts written")
        n_variants = calls.filter(calls.case_id == case.case_id).count()
        (staging / "cases.json").write_text(json.dumps(cases.to_dict("records"), indent=1) + "\n", encoding="utf-8")
        (staging / "meta.json").write_text(json.dumps({"genome_build": case.genome_build, "version": version,
                                                       "cases": len(cases)}, indent=1) + "\n", encoding="utf-8")
        staging.rename(db / version)
        atomic_write_text(db / CURRENT_FILE, version + "\n")  # the swap: readers see the old or the new version, whole
        versions = sorted(p for p in db.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit())
        for stale in versions[:-keep_versions]:
            shutil.rmtree(stale, ignore_errors=True)
    return AddResult(db_path=db, version=version, case_id=case.case_id, n_variants=int(n_variants),
                     n_cases=len(cases), replaced=replaced)


def lookup(
    db_path: str | Path,
    variants: Sequence[str],
    *,
    genome_build: str = "GRCh38",
    exclude_case: str | None = None,
) -> pd.DataFrame:
    """In-house counts and previous classes of ``variants`` (``chrom:pos:ref:alt``).

    Parameters
    ----------
    exclude_case
        Leave this case out (the case being analysed, if it was added before).

    Returns
    -------
    pandas.DataFrame
        One row per requested variant: ``variant_id`` (as given), ``inhouse_count`` (earlier cases
        carrying it), ``inhouse_het``, ``inhouse_hom``, ``inhouse_classes`` (list of
        ``"<class> (<case>)"``, best class first). Zero counts for variants never seen.
    """
    import hail as hl

    cols = ["variant_id", "inhouse_count", "inhouse_het", "inhouse_hom", "inhouse_classes"]
    wanted = list(dict.fromkeys(variants))
    empty = pd.DataFrame({"variant_id": wanted, "inhouse_count": 0, "inhouse_het": 0, "inhouse_hom": 0,
                          "inhouse_classes": [[] for _ in wanted]}, columns=cols)
    folder = current_version(db_path)
    if folder is None or not wanted:
        return empty
    meta = read_meta(db_path)
    if meta.get("genome_build") != genome_build:
        raise InputDataError(f"{db_path}: the in-house database holds {meta.get('genome_build')} variants, not {genome_build}")
    query = _variants_table(pd.DataFrame({"variant_id": wanted}), genome_build).rename({"variant_id": "query_id"})
    calls = hl.read_table(str(folder / "calls.ht"))
    if exclude_case:
        calls = calls.filter(calls.case_id != exclude_case)
    hits = calls.join(query, how="inner")
    agg = hits.group_by(hits.query_id).aggregate(
        inhouse_count=hl.len(hl.agg.collect_as_set(hits.case_id)),
        inhouse_het=hl.agg.count_where(hits.zygosity == "het"),
        inhouse_hom=hl.agg.count_where(hits.zygosity == "hom"),
        classes=hl.agg.filter(hl.is_defined(hits.acmg_class), hl.agg.collect(hl.struct(c=hits.acmg_class, case=hits.case_id))),
    ).to_pandas()
    found = {r["query_id"]: r for r in agg.to_dict("records")}
    rows = []
    for vid in wanted:
        r = found.get(vid)
        if r is None:
            rows.append({"variant_id": vid, "inhouse_count": 0, "inhouse_het": 0, "inhouse_hom": 0, "inhouse_classes": []})
            continue
        cls = sorted(((x["c"], x["case"]) for x in r["classes"]),
                     key=lambda x: (_CLASS_ORDER.index(x[0]) if x[0] in _CLASS_ORDER else 9, x[1]))
        rows.append({"variant_id": vid, "inhouse_count": int(r["inhouse_count"]), "inhouse_het": int(r["inhouse_het"]),
                     "inhouse_hom": int(r["inhouse_hom"]), "inhouse_classes": [f"{c} ({case})" for c, case in cls]})
    return pd.DataFrame(rows, columns=cols)


def similar_cases(
    db_path: str | Path,
    hpo_terms: Sequence[str],
    genes: Iterable[str],
    *,
    exclude_case: str | None = None,
    top: int = 10,
) -> pd.DataFrame:
    """Earlier cases ordered by phenotype similarity and shared candidate genes.

    ``match = similarity + SHARED_GENE_BONUS`` when the earlier case had one of ``genes`` among its
    candidate genes (similarity: :func:`bigmed_utils.phenotype.similarity.similar_patients`, 0..1).

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``match``, ``similarity``, ``shared_genes`` (list), ``n_shared_genes``, ``n_terms``,
        ``headline`` (the earlier case's main finding); best first, ties by case id; at most ``top`` rows.
    """
    from ..phenotype.similarity import similar_patients

    cols = ["case_id", "match", "similarity", "shared_genes", "n_shared_genes", "n_terms", "headline"]
    cases = read_cases(db_path)
    if exclude_case is not None:
        cases = cases[cases["case_id"] != exclude_case]
    if cases.empty or not hpo_terms:
        return pd.DataFrame(columns=cols)
    others = {r["case_id"]: r["hpo_terms"] for r in cases.to_dict("records") if r["hpo_terms"]}
    sims = similar_patients(list(hpo_terms), others).set_index("patient_id")
    mine = set(genes)
    rows = []
    for r in cases.to_dict("records"):
        shared = [g for g in r["candidate_genes"] if g in mine]
        sim = float(sims["similarity"].get(r["case_id"], 0.0))
        rows.append({"case_id": r["case_id"], "match": round(sim + (SHARED_GENE_BONUS if shared else 0.0), 6),
                     "similarity": sim, "shared_genes": shared, "n_shared_genes": len(shared),
                     "n_terms": len(r["hpo_terms"]), "headline": r["headline"]})
    out = pd.DataFrame(rows, columns=cols).sort_values(["match", "case_id"], ascending=[False, True], ignore_index=True)
    return out.head(top)


__all__ = ["AddResult", "SHARED_GENE_BONUS", "add_case", "current_version", "lookup", "read_cases", "similar_cases"]
