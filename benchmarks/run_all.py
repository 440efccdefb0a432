"""``make bench``: genome-scale timings measured against bcftools in the same run, written to RESULTS.md.

(a) ``bcftools view`` with the equivalent de novo filter (child het, parents hom-ref, GQ >= 20 for all,
    population AF <= 0.001 from the VEP CSQ field via the split-vep plugin) on the WGS-scale trio;
(b) the full rare-disease analysis of the same trio through ``bigmed run`` (first run: the htslib first pass
    of ``io.first_pass`` overlapping the JVM's start, then Hail on the proband's possibly rare records and the
    family-QC sites), and (b') the same first analysis with the first pass off (``BIGMED_FIRST_PASS=0``: the
    whole VCF imported into the cache, as before the first pass), in a separate cache folder;
(c) a re-analysis with changed HPO terms and thresholds through ``bigmed run`` (a new kernel and JVM; the
    VCF import, the family QC and the proband's rare rows come from the cache), and (c') the same
    re-analysis inside a running session (``benchmarks/reanalysis.py``: Hail already started, as in JupyterLab);
(d) the demo case report end to end;
(e) batch throughput: cases per minute with ``--jobs 1`` and ``--jobs 2`` on the demo cases;
(f) cohort scale: in-house database update, variant lookup and patient-similarity query over 100, 250 and
    500 synthetic exomes (``benchmarks/cohort.py``);
(g) a profile of the import stages on one chromosome of the trio (``benchmarks/profile_import.py``);
(h) each teaching notebook executed from scratch, against its 2-minute budget (``benchmarks/teaching.py``);
(i) the WGS trio's compound-heterozygous pairs before and after the consequence gate
    (``benchmarks/comphet_gate.py``).

The WGS trio in ``data/bench`` is generated again when the synthetic generators changed since it was made.

Wall time, CPU time and peak RSS of each, as ratios to (a); (a), (b) and (c) run three times each
(``--repeats``) and the median is reported, with every run's wall time. bcftools is installed from Debian when absent
(needs root or sudo). Run from the project root: ``make bench`` or ``.venv/bin/python benchmarks/run_all.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measurement, machine_description, measure, median_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BENCH_DATA = ROOT / "data" / "bench"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def ensure_bcftools() -> str:
    found = shutil.which("bcftools")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("bcftools not found: installing Debian's bcftools ...", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "bcftools"], check=True)
    return shutil.which("bcftools") or "bcftools"


def ensure_wgs() -> Path:
    from bigmed_utils.demo import generator_fingerprint

    folder = BENCH_DATA / "rare_disease_wgs"
    stamp = BENCH_DATA / ".complete"
    fingerprint = f"wgs generator {generator_fingerprint()}\n"
    if not (folder / "WGS001.vcf.gz").is_file() or not stamp.is_file() or stamp.read_text() != fingerprint:
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([str(BIN / "bigmed"), "synth", "--out", str(BENCH_DATA), "--scale", "wgs"], check=True)
        stamp.write_text(fingerprint)
    return folder


def bcftools_de_novo(bcftools: str, vcf: Path, proband: str, father: str, mother: str) -> list[str]:
    """The de novo filter of the issue, in bcftools' expression language (sample order from the header)."""
    samples = subprocess.run([bcftools, "query", "-l", str(vcf)], capture_output=True, text=True, check=True).stdout.split()
    p, f, m = (samples.index(s) for s in (proband, father, mother))
    expr = (
        f'GT[{p}]="het" && GT[{f}]="RR" && GT[{m}]="RR" && GQ[{p}]>=20 && GQ[{f}]>=20 && GQ[{m}]>=20 '
        '&& (MAX_AF<=0.001 || MAX_AF=".")'
    )
    return [bcftools, "+split-vep", str(vcf), "-c", "MAX_AF:Float", "-s", "worst", "-i", expr, "-o", "/dev/null"]


def params_file(folder: Path, wgs: Path, **extra: object) -> Path:
    import yaml

    truth = (wgs / "truth.tsv").read_text().splitlines()
    header = next(l for l in truth if not l.startswith("#")).split("\t")
    row = dict(zip(header, next(l for l in truth if not l.startswith("#") and not l.startswith("case")).split("\t")))
    values = {
        "case_id": row["case"],
        "vcf": str(wgs / f"{row['case']}.vcf.gz"),
        "ped": str(wgs / f"{row['case']}.ped"),
        "proband": row["proband"],
        "phenopacket": str(wgs / f"{row['case']}.phenopacket.json"),
        **extra,
    }
    path = folder / f"wgs-{len(list(folder.glob('*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def cache_state(folder: Path) -> dict[str, int]:
    """Cached tables beside the VCF and the write time of each (a re-import would change them)."""
    if not folder.is_dir():
        return {}
    return {p.name: (p / "metadata.json.gz").stat().st_mtime_ns for p in folder.glob("*.mt")
            if not p.name.startswith(".") and (p / "metadata.json.gz").is_file()}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def run(name: str, cmd: list[str], env: dict | None = None) -> Measurement:
    print(f"{name} ... (load {load()})", flush=True)
    m = measure(name, cmd, env=env)
    if m.returncode != 0:
        print(m.stdout[-2000:], m.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"benchmark step failed: {name}")
    print(f"  {m.wall_s:.1f} s wall, {m.cpu_s:.1f} s CPU, {m.peak_rss_mb:.0f} MB peak", flush=True)
    return m


def batch_throughput(tmp: Path, jobs: int) -> tuple[Measurement, int]:
    cases = sorted((ROOT / "parameters").glob("*/demo.yaml"))
    folder = tmp / f"incoming-{jobs}"
    for c in cases:  # a private copy so both runs start from nothing
        dest = folder / c.parent.name
        dest.mkdir(parents=True, exist_ok=True)
        text = c.read_text().replace("../../data/", f"{ROOT}/data/")
        (dest / "demo.yaml").write_text(text)
    m = run(f"batch of {len(cases)} demo cases, --jobs {jobs}",
            [str(BIN / "bigmed"), "batch", str(folder), "--out", str(tmp / f"reports-{jobs}"), "--jobs", str(jobs)])
    return m, len(cases)


def cohort_step(tmp: Path, sizes: list[int]) -> tuple[Measurement, list[dict]]:
    out = tmp / "cohort.json"
    m = run(f"(f) cohort scale: in-house DB over {', '.join(map(str, sizes))} exomes",
            [str(BIN / "python"), str(ROOT / "benchmarks" / "cohort.py"), "--sizes", *map(str, sizes), "--json", str(out)])
    return m, json.loads(out.read_text())


def profile_step(tmp: Path, vcf: Path, region: str) -> dict:
    out = tmp / "profile.json"
    run(f"(g) import profile on {region}",
        [str(BIN / "python"), str(ROOT / "benchmarks" / "profile_import.py"), str(vcf), "--region", region, "--json", str(out)])
    return json.loads(out.read_text())


def teaching_step(tmp: Path) -> list[dict]:
    out = tmp / "teaching.json"
    run("(h) teaching notebooks, each from scratch",
        [str(BIN / "python"), str(ROOT / "benchmarks" / "teaching.py"), "--json", str(out)])
    return json.loads(out.read_text())


def comphet_step(tmp: Path, vcf: Path) -> dict:
    out = tmp / "comphet.json"
    run("(i) compound-het pairs before and after the consequence gate",
        [str(BIN / "python"), str(ROOT / "benchmarks" / "comphet_gate.py"), str(vcf), "--json", str(out)])
    return json.loads(out.read_text())


def comphet_table(result: dict) -> list[str]:
    """The consequence-gate section of RESULTS.md."""
    lines = ["## Compound heterozygotes of the WGS trio before and after the consequence gate", "",
             "`benchmarks/comphet_gate.py`: the candidate search on the proband's rare rows (from the cache) with the "
             "default thresholds, once without and once with the consequence gate (protein-altering, splice, "
             "SpliceAI >= 0.2 or ClinVar P/LP; both sides of a pair must pass). Pairs are phased by transmission "
             "and counted once.", "",
             "| candidate search | rare variants, good genotype | after the gate | compound-het pairs | "
             "variants in pairs | genes | all candidates | planted variant found | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, r in result.items():
        gate = f"{r['after_gate']:,}" if r.get("after_gate") is not None else "–"
        lines.append(f"| {label} | {r['proband_rare_good']:,} | {gate} | {r['pairs']:,} | {r['variants']:,} | "
                     f"{r['genes']:,} | {r['candidates']:,} | {'yes' if r.get('planted_found') else 'NO'} | "
                     f"{r['seconds']:.1f} |")
    return lines


def teaching_table(rows: list[dict]) -> list[str]:
    """The teaching notebooks' section of RESULTS.md (also pasted into the README)."""
    lines = ["## Teaching notebooks (budget: 2 minutes each on 2 cores)", "",
             "`benchmarks/teaching.py`: each notebook executed from scratch with `jupyter nbconvert --execute` (new "
             "kernel, new Hail session), reading the demo VCF (a fresh checkout) or, for the Hail notebooks, "
             "`RD001.mt` as `binder/postBuild` writes it (Binder).", "",
             "| notebook | data | wall s | CPU s | peak RSS MB | within 2 min |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| `{r['notebook']}` | {r['data']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']} | "
              f"{'yes' if r['within_budget'] else 'NO'} |" for r in rows]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-batch", action="store_true", help="skip the batch-throughput step")
    ap.add_argument("--skip-cohort", action="store_true", help="skip the cohort-scale step")
    ap.add_argument("--skip-profile", action="store_true", help="skip the import profile")
    ap.add_argument("--skip-teaching", action="store_true", help="skip the teaching-notebook timings")
    ap.add_argument("--skip-comphet", action="store_true", help="skip the compound-het count before/after the gate")
    ap.add_argument("--skip-whole", action="store_true", help="skip (b'), the first analysis without the first pass")
    ap.add_argument("--cohort-sizes", type=int, nargs="+", default=[100, 250, 500])
    ap.add_argument("--profile-region", default="chr2")
    ap.add_argument("--repeats", type=int, default=3,
                    help="runs of (a), (b) and (c) each; the median is reported (default 3)")
    ap.add_argument("--findings", action="store_true",
                    help="measure nothing: put an edited FINDINGS.md into RESULTS.md, keeping everything else")
    args = ap.parse_args()
    if args.findings:
        splice_findings()
        print(f"written {RESULTS}")
        return
    bcftools = ensure_bcftools()
    wgs = ensure_wgs()
    subprocess.run([str(BIN / "python"), "-c", "from bigmed_utils.demo import ensure_demo_data; ensure_demo_data()"], check=True)
    load_start = load()
    with tempfile.TemporaryDirectory(prefix="bigmed-bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = dict(os.environ)
        cache = wgs / "WGS001.vcf.gz.bigmed-cache"
        shutil.rmtree(cache, ignore_errors=True)  # (b) is a first analysis: no cached import
        repeats = max(1, args.repeats)
        a = median_of([run("(a) bcftools de novo filter", bcftools_de_novo(bcftools, wgs / "WGS001.vcf.gz", "WGS001-P",
                                                                        "WGS001-F", "WGS001-M")) for _ in range(repeats)])
        first = params_file(tmp, wgs)
        b_runs = []
        for i in range(repeats):
            shutil.rmtree(cache, ignore_errors=True)  # each run of (b) is a first analysis
            b_runs.append(run("(b) rare-disease analysis, first run", [
                str(BIN / "bigmed"), "run", "rare_disease", "--params", str(first), "--out", str(tmp / f"b{i}")], env=env))
        b = median_of(b_runs)
        after_b = cache_state(cache)
        second = params_file(tmp, wgs, hpo_terms=["HP:0001250", "HP:0001263"], phenopacket=None, min_gq=25, max_af_de_novo=0.0005)
        c = median_of([run("(c) re-analysis, changed HPO terms and thresholds", [
            str(BIN / "bigmed"), "run", "rare_disease", "--params", str(second), "--out", str(tmp / f"c{i}")], env=env)
            for i in range(repeats)])
        after_c = cache_state(cache)
        summaries_b = [json.loads((tmp / f"b{i}" / "summary.json").read_text()) for i in range(repeats)]
        summaries_c = [json.loads((tmp / f"c{i}" / "summary.json").read_text()) for i in range(repeats)]
        summary_b, summary_c = summaries_b[0], summaries_c[0]
        c2 = run("(c') the same re-analysis in a running session", [str(BIN / "python"), str(ROOT / "benchmarks" / "reanalysis.py"),
                 str(first), str(second), "--json", str(tmp / "c2.json")])
        session = json.loads((tmp / "c2.json").read_text())
        first_pass_used = bool(list(cache.glob("*.first-pass-*.vcf.gz"))) and not any(
            "." not in name[:-3] for name in after_b)  # a first-pass VCF and no whole-VCF import
        cache_log = ["first pass" if first_pass_used else ("import" if after_b else "no cache written"),
                     "cache" if after_b and after_c == after_b else ("import" if after_c else "no cache")]
        whole = None
        if not args.skip_whole:
            whole_env = {**env, "BIGMED_FIRST_PASS": "0", "BIGMED_CACHE_DIR": str(tmp / "whole-cache")}
            whole = run("(b') first analysis without the first pass (whole-VCF import)", [
                str(BIN / "bigmed"), "run", "rare_disease", "--params", str(first), "--out", str(tmp / "b-whole")],
                env=whole_env)
            summary_whole = json.loads((tmp / "b-whole" / "summary.json").read_text())
        # the demo case's first analysis, as on a fresh checkout (a cache left by earlier runs would make it a
        # re-analysis: 27.7 s warm against 38.5 s cold on 2026-12-07)
        for demo_cache in (ROOT / "data" / "demo" / "rare_disease").glob("RD001.vcf.gz.bigmed-cache"):
            shutil.rmtree(demo_cache, ignore_errors=True)
        d = run("(d) demo case report (RD001) end to end", [str(BIN / "bigmed"), "run", "rare_disease", "--params",
                 str(ROOT / "parameters" / "rare_disease" / "demo.yaml"), "--out", str(tmp / "d")])
        throughput = []
        if not args.skip_batch:
            for jobs in (1, 2):
                m, cases = batch_throughput(tmp, jobs)
                throughput.append((jobs, cases, m))
        cohort = None if args.skip_cohort else cohort_step(tmp, args.cohort_sizes)
        profile = None if args.skip_profile else profile_step(tmp, wgs / "WGS001.vcf.gz", args.profile_region)
        teaching = None if args.skip_teaching else teaching_step(tmp)
        comphet = None if args.skip_comphet else comphet_step(tmp, wgs / "WGS001.vcf.gz")
    load_end = load()
    truth_variant = _truth(wgs)["variants"]

    peak = max(b.peak_rss_mb, c.peak_rss_mb, c2.peak_rss_mb, d.peak_rss_mb)
    cores = len(os.sched_getaffinity(0))
    busy = max(float(x) for x in (load_start + " / " + load_end).split(" / "))
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {date.today().isoformat()}: {machine_description()}.",
        f"Load average (1/5/15 min) at the start {load_start}, at the end {load_end} "
        + (f"(about what the benchmark itself keeps busy on {cores} cores: a quiet machine)." if busy <= cores + 1
           else "(well above the core count: other jobs shared the machine, so wall times are noisy, CPU times "
                "less so)."),
        "",
        "Synthetic WGS-scale trio (`bigmed synth --scale wgs`, about 5 million sites, bgzipped VCF with VEP CSQ).",
        "Peak RSS is the largest resident memory of the whole process tree (Python, Jupyter kernel, Hail JVM).",
        "CPU time is user + system of the whole process tree.",
        "",
        "| step | wall s | CPU s | peak RSS MB | wall / (a) | CPU / (a) | RSS / (a) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        a.row(),
        b.row(a),
        *([whole.row(a)] if whole is not None else []),
        c.row(a),
        d.row(a),
        "",
        *([f"(a), (b) and (c) each ran {len(a.walls)} times, (b) with the cache removed before each run (every run a "
           "first analysis): the table shows the median wall and CPU time and the largest peak RSS; the runs' wall "
           "times: " + "; ".join(f"{m.name.split(' ')[0]} " + " / ".join(f"{w:.1f}" for w in m.walls)
                                 for m in (a, b, c)) + " s.", ""] if len(a.walls) > 1 else []),
        f"(c') the re-analysis of (c) inside a running session, as in JupyterLab (`benchmarks/reanalysis.py`: "
        f"Hail started in {session['hail_startup_s']:.1f} s, the case analysed once with the parameters of (b) "
        f"from the cache in {session['first_analysis_s']:.1f} s (cold: Hail compiles its pipelines on first use), "
        f"then with the changed parameters): **{session['analysis_s']:.1f} s** for `analyse_case`; whole process "
        f"{c2.wall_s:.1f} s wall, {c2.peak_rss_mb:.0f} MB peak. Steps of the re-analysis: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in session["steps"].items())
        + "; of the cold first analysis: " + ", ".join(f"{k} {v:.1f} s" for k, v in session["first_steps"].items()) + ".",
        "",
    ]
    lines += [
        f"Import cache: (b) {cache_log[0] if cache_log else '?'}, (c) {cache_log[1] if len(cache_log) > 1 else '?'} "
        "(`first pass` = the proband's possibly rare records and the QC sites read by htslib, no whole-VCF import; "
        "`import` = the whole VCF imported and cached; `cache` = the family QC and the proband's rare rows read "
        "from the cache).",
        "",
        "Targets (2 cores, 24 GB): (b) within 3x (a) wall time; (c) <= 20 s; peak RSS <= 4 GB; (d) <= 45 s; the "
        "planted variant ranked first.",
        "",
        f"- (b) within 3x bcftools: {'yes' if b.wall_s <= 3 * a.wall_s else 'NO'} ({b.wall_s / a.wall_s:.2f}x)"
        + (f"; without the first pass (b') {whole.wall_s / a.wall_s:.2f}x" if whole is not None else ""),
        f"- (c) re-analysis <= 15 s: in a running session {'yes' if session['analysis_s'] <= 15 else 'NO'} "
        f"({session['analysis_s']:.1f} s; cold first analysis from the cache {session['first_analysis_s']:.1f} s); "
        "through `bigmed run` with a new kernel and JVM (<= 20 s) "
        f"{'yes' if c.wall_s <= 20 else 'NO'} ({c.wall_s:.1f} s)",
        f"- peak RSS <= 4 GB: {'yes' if peak <= 4096 else 'NO'} ({peak:.0f} MB)",
        f"- (d) demo report <= 45 s: {'yes' if d.wall_s <= 45 else 'NO'} ({d.wall_s:.1f} s)",
        f"- top candidate of (b): {_top(summary_b)} (planted: {truth_variant}: "
        f"{'yes' if _top(summary_b).endswith(truth_variant) else 'NO'}); of (c): {_top(summary_c)}"
        + (f"; every run of (b) gives the same candidates: "
           f"{'yes' if all(x.get('candidates') == summary_b.get('candidates') for x in summaries_b) else 'NO'}, "
           f"of (c): {'yes' if all(x.get('candidates') == summary_c.get('candidates') for x in summaries_c) else 'NO'}"
           if repeats > 1 else "")
        + (f"; of (b'): {_top(summary_whole)}; (b) and (b') give the same candidates: "
           f"{'yes' if summary_b.get('candidates') == summary_whole.get('candidates') else 'NO'}"
           if whole is not None else ""),
    ]
    if throughput:
        lines += ["", "## Batch throughput (demo cases of every analysis)", "",
                  "| --jobs | cases | wall s | CPU s | peak RSS MB | cases per minute |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {j} | {n} | {m.wall_s:.1f} | {m.cpu_s:.1f} | {m.peak_rss_mb:.0f} | {60 * n / m.wall_s:.2f} |" for j, n, m in throughput]
    if cohort is not None:
        from cohort import CohortTiming, cohort_table

        m, rows = cohort
        timings = [CohortTiming(**r) for r in rows]
        lines += ["", "## Cohort scale: in-house database (synthetic exomes)", "",
                  f"`benchmarks/cohort.py`: whole step {m.wall_s:.0f} s wall, {m.cpu_s:.0f} s CPU, {m.peak_rss_mb:.0f} MB peak "
                  "(building the cohort databases included). Times of one operation against a database of N earlier "
                  "exomes; ratios to the smallest cohort (linear growth: the ratio equals the size ratio).", ""]
        lines += cohort_table(timings)
        worst = max(max(t.update_s / timings[0].update_s, t.lookup_s / timings[0].lookup_s) / (t.n_cases / timings[0].n_cases)
                    for t in timings[1:]) if len(timings) > 1 else 1.0
        lines += ["", f"- grows at most linearly: {'yes' if worst <= 1.0 else 'NO'} (largest time ratio / size ratio "
                      f"of update and lookup: {worst:.2f})"]
    if profile is not None:
        lines += ["", f"## Where the time goes: import stages on {args.profile_region} "
                      f"({profile['rows']:,} rows, {profile['partitions']} partitions; `benchmarks/profile_import.py`)", "",
                  "| stage | wall s |", "| --- | --- |"]
        lines += [f"| {k} | {v:.1f} |" for k, v in profile["seconds"].items()]
    if teaching is not None:
        lines += ["", *teaching_table(teaching)]
    if comphet is not None:
        lines += ["", *comphet_table(comphet)]
    previous = RESULTS.read_text() if RESULTS.is_file() else ""
    RESULTS.write_text("\n".join(lines) + "\n")
    splice_findings(previous=previous)
    # the phenopacket benchmark replaces its own marked section with fresh numbers
    subprocess.run([str(BIN / "python"), str(ROOT / "benchmarks" / "phenopacket_decoys.py")], check=True)
    print(f"written {RESULTS}")


def marked_sections(text: str) -> list[str]:
    """Marked sections of RESULTS.md (``<!-- name:begin -->`` ... ``<!-- name:end -->``), in order."""
    import re

    return [m.group(0) for m in re.finditer(r"<!-- ([\w-]+):begin -->.*?<!-- \1:end -->", text, flags=re.S)]


FINDINGS_BEGIN, FINDINGS_END = "<!-- findings:begin -->", "<!-- findings:end -->"


def splice_findings(results: Path | None = None, findings: Path | None = None,
                    previous: str | None = None) -> None:
    """Put FINDINGS.md into ``results`` as its marked ``findings`` section, after the generated part, and keep
    the sections other scripts own (the phenopacket benchmark's) after it.

    ``results`` holds the generated part, possibly followed by marked sections (``make bench`` writes the
    generated part only; ``run_all.py --findings`` re-splices an edited FINDINGS.md into a full RESULTS.md).
    ``previous``: the text before ``make bench`` rewrote the file, whose other marked sections are kept.
    """
    results = results or RESULTS
    findings = findings or ROOT / "benchmarks" / "FINDINGS.md"
    text = results.read_text() if results.is_file() else "# Benchmarks\n"
    sections = marked_sections(text)
    generated = text[: text.index(sections[0])] if sections else text
    others = [s for s in marked_sections(previous if previous is not None else text)
              if not s.startswith(FINDINGS_BEGIN)]
    blocks = ([f"{FINDINGS_BEGIN}\n{findings.read_text().strip()}\n{FINDINGS_END}"] if findings.is_file() else [])
    results.write_text("\n\n".join([generated.rstrip("\n"), *blocks, *others]) + "\n")


def _truth(wgs: Path) -> dict:
    truth = [l for l in (wgs / "truth.tsv").read_text().splitlines() if not l.startswith("#")]
    return dict(zip(truth[0].split("\t"), truth[1].split("\t")))


def _top(summary: dict) -> str:
    c = summary.get("candidates") or []
    return f"{c[0]['gene']} {c[0]['variant']}" if c else "none"


if __name__ == "__main__":
    main()
