"""Any input to any reader ends in success or in ONE line naming the file (and the line or field when there is
one): a BigMedError (InputDataError / ParameterError), never another exception, never a traceback.

The strategies mix valid structure with damage (a column too few, a wrong type, binary bytes, a truncated
gzip), because purely random bytes only ever exercise the first check of a reader.
"""

from __future__ import annotations

import gzip
import json
import string
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bigmed_utils.errors import BigMedError

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def outcome(fn, path: Path | str, *, parameters: tuple[str, ...] = ()):
    """Call ``fn``; return its value, or the BigMedError it raised after checking that its message is one
    line naming the file (or, for a bad argument, the parameter)."""
    try:
        return fn()
    except BigMedError as err:
        msg = str(err)
        assert "\n" not in msg, msg
        assert "Traceback" not in msg
        named = str(path) in msg or Path(str(path)).name in msg or msg.startswith(tuple(f"{p}:" for p in parameters))
        assert named, (msg, path)
        return err


# ------------------------------------------------------------------------------------------------- tokens
token = st.one_of(
    st.sampled_from(["0", "1", "2", "-9", ".", "", "NA", "#x", "F1", "P1", "M1", "chr1", "1e400", "-1", "3.5",
                     "ÿ", "nan", "A", "T", "HP:0001250", "2020-13-45", "2020-01-01", "99999999999999999999"]),
    st.text(alphabet=string.ascii_letters + string.digits + "._-:#é", min_size=0, max_size=8),
)
line_of = lambda sep, n: st.lists(token, min_size=0, max_size=n).map(sep.join)  # noqa: E731
raw_bytes = st.binary(min_size=0, max_size=300)


def write(tmp: Path, name: str, content: bytes | str, *, gz: bool = False, truncate: int = 0) -> Path:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if gz:
        data = gzip.compress(data)
        if truncate:
            data = data[: max(1, len(data) - truncate)]
    path = tmp / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------------ PED
ped_text = st.one_of(
    st.lists(st.one_of(line_of("\t", 8), line_of(" ", 8)), max_size=6).map("\n".join),
    st.lists(st.tuples(st.sampled_from(["F1", "F2"]), st.sampled_from(["A", "B", "C", "D"]),
                       st.sampled_from(["0", "A", "B", "X"]), st.sampled_from(["0", "C", "D", "Y"]),
                       st.sampled_from(["0", "1", "2", "9"]), st.sampled_from(["0", "1", "2", "-9"])),
             max_size=6).map(lambda rows: "\n".join("\t".join(r) for r in rows)),
)


@given(text=ped_text, binary=raw_bytes, use_binary=st.booleans())
@settings(max_examples=150)
def test_ped_reader(tmp_path_factory, text, binary, use_binary):
    from bigmed_utils.io.ped import read_ped

    path = write(tmp_path_factory.mktemp("ped"), "family.ped", binary if use_binary else text)
    outcome(lambda: read_ped(path), path)


# ------------------------------------------------------------------------------------------------------ MAF
MAF_COLS = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele",
            "Tumor_Seq_Allele2", "Variant_Classification", "Tumor_Sample_Barcode", "HGVSp_Short", "Protein_Change"]


@given(cols=st.lists(st.sampled_from(MAF_COLS + ["x", "#c"]), min_size=0, max_size=10, unique=True),
       rows=st.lists(st.lists(token, min_size=0, max_size=11), max_size=5), comment=st.booleans(),
       gz=st.booleans(), truncate=st.integers(0, 12), sample=st.sampled_from([None, "T1", "A.B"]))
@settings(max_examples=150)
def test_maf_reader(tmp_path_factory, cols, rows, comment, gz, truncate, sample):
    from bigmed_utils.io.maf import read_maf

    text = ("#version 2.4\n" if comment else "") + "\t".join(cols) + "\n" + "\n".join("\t".join(r) for r in rows)
    path = write(tmp_path_factory.mktemp("maf"), "somatic.maf.gz" if gz else "somatic.maf", text, gz=gz,
                 truncate=truncate)
    outcome(lambda: read_maf(path, tumor_sample=sample), path)


# ----------------------------------------------------------------------------------------------------- OMOP
OMOP = {
    "person": ["person_id", "person_source_value", "year_of_birth", "gender_source_value"],
    "condition_occurrence": ["condition_occurrence_id", "person_id", "condition_source_value",
                             "condition_start_date"],
}


@given(tables=st.fixed_dictionaries({name: st.tuples(
    st.lists(st.sampled_from(cols + ["extra"]), min_size=0, max_size=len(cols) + 1, unique=True),
    st.lists(st.lists(token, min_size=0, max_size=len(cols) + 1), max_size=4)) for name, cols in OMOP.items()}),
    drop=st.sampled_from([None, "person", "condition_occurrence"]), binary=st.one_of(st.none(), raw_bytes))
@settings(max_examples=120)
def test_omop_reader(tmp_path_factory, tables, drop, binary):
    from bigmed_utils.io.omop import read_omop

    folder = tmp_path_factory.mktemp("omop")
    for name, (cols, rows) in tables.items():
        if name == drop:
            continue
        text = ",".join(cols) + "\n" + "\n".join(",".join(r) for r in rows)
        write(folder, f"{name}.csv", binary if (binary is not None and name == "person") else text)
    outcome(lambda: read_omop(folder), folder)


# ----------------------------------------------------------------------------------------------- phenopacket
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6),
              st.sampled_from(["HP:0001250", "FEMALE", "MAN", "hgvs", "chr1"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["id", "type", "excluded", "exclued", "label", "sex",
                                                             "subject", "pos", "vcfRecord", "chrom"]),
                                            inner, max_size=4)),
    max_leaves=12,
)


def _mutations():
    base = json.loads((REALDATA / "phenopacket-store_WWOX_PMID_30356099_Patient_1.json").read_text()) \
        if REALDATA.is_dir() else {"id": "p1", "phenotypicFeatures": [{"type": {"id": "HP:0001250"}}]}
    paths = []

    def walk(obj, trail):
        paths.append(trail)
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, trail + [k])
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, trail + [i])
    walk(base, [])
    return base, paths


_BASE, _PATHS = _mutations()


@given(where=st.sampled_from(_PATHS), new=json_value, how=st.sampled_from(["replace", "rename", "delete"]),
       text_damage=st.sampled_from([None, "truncate", "bom", "latin1"]))
@settings(max_examples=200)
def test_phenopacket_reader(tmp_path_factory, where, new, how, text_damage):
    from bigmed_utils.io.phenopacket import read_phenopacket

    data = json.loads(json.dumps(_BASE))
    if where:
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        if how == "replace":
            parent[last] = new
        elif how == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[str(last) + "x"] = parent.pop(last)
    else:
        data = new
    text = json.dumps(data, indent=2)
    raw = text.encode()
    if text_damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif text_damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif text_damage == "latin1":
        raw = raw.replace(b'"id"', b'"\xe9d"', 1)
    path = write(tmp_path_factory.mktemp("pp"), "case.json", raw)
    outcome(lambda: read_phenopacket(path), path)


# --------------------------------------------------------------------------------------- VCF header (no Hail)
INFO_TYPES = st.sampled_from(["Integer", "Float", "String", "Flag", "Character", "Bogus"])
header_line = st.one_of(
    st.builds(lambda i, n, t: f'##INFO=<ID={i},Number={n},Type={t},Description="x">',
              st.sampled_from(["CSQ", "BCSQ", "AF", "DP", "X"]), st.sampled_from(["1", "A", ".", "G", "R"]), INFO_TYPES),
    st.builds(lambda i, t: f'##FORMAT=<ID={i},Number=1,Type={t},Description="d">',
              st.sampled_from(["GT", "DP", "GQ", "AD", "QQ"]), INFO_TYPES),
    st.builds(lambda c, n: f"##contig=<ID={c},length={n}>", st.sampled_from(["1", "chr1", "2", "chrX"]),
              st.sampled_from(["249250621", "248956422", "abc", "", "10"])),
    st.just('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
            'Format: Allele|Consequence|SYMBOL">'),
    st.just("##fileformat=VCFv4.2"), st.just("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2"),
    line_of("\t", 12),
)


@given(lines=st.lists(header_line, max_size=8), gz=st.sampled_from([None, "gzip", "bgzf-cut"]),
       build=st.sampled_from(["GRCh37", "GRCh38", "hg19"]), csq=st.booleans())
@settings(max_examples=200)
def test_vcf_header_checks(tmp_path_factory, lines, gz, build, csq):
    from bigmed_utils.io.vcf import check_vcf

    text = "\n".join(lines) + ("\n" if lines else "")
    folder = tmp_path_factory.mktemp("vcf")
    path = write(folder, "x.vcf.gz" if gz else "x.vcf", text, gz=gz is not None, truncate=7 if gz == "bgzf-cut" else 0)
    outcome(lambda: check_vcf(path, genome_build=build, csq_required=csq), path, parameters=("genome_build",))


@given(info=st.lists(st.tuples(st.sampled_from(["AF", "DP", "CADD", "CSQ", "U"]), token), max_size=4),
       fmt=st.lists(st.sampled_from(["GT", "DP", "QQ", "AD"]), max_size=4, unique=True),
       samples=st.lists(st.lists(token, max_size=4), max_size=2))
@settings(max_examples=200)
def test_mistyped_fields_of_any_record(info, fmt, samples):
    """The record check behind the retyping never raises and never proposes GT/AD/DP/GQ/PL/CSQ."""
    from bigmed_utils.io.vcf import VcfHeader, mistyped_in_record

    header = VcfHeader(samples=["S1", "S2"], info={"AF": {"Type": "Float"}, "DP": {"Type": "Integer"},
                                                   "CADD": {"Type": "Integer"}, "CSQ": {"Type": "String"}},
                       format={"GT": {"Type": "String"}, "DP": {"Type": "Integer"}, "QQ": {"Type": "Integer"},
                               "AD": {"Type": "Integer"}})
    line = "\t".join(["1", "100", ".", "A", "G", "50", "PASS", ";".join(f"{k}={v}" for k, v in info) or ".",
                      ":".join(fmt) or "GT", *[":".join(s) for s in samples]])
    bad = mistyped_in_record(line, header)
    assert not set(bad) & {"GT", "AD", "DP", "GQ", "PL", "CSQ"}
    assert len(bad) == len(set(bad))
    for k, v in info:
        if k == "CADD" and v not in (".", "") and not v.lstrip("+-").isdigit():
            assert "CADD" in bad


# ----------------------------------------------------------------------------------------- whole VCF (Hail)
record_value = st.sampled_from(["0/1", "1/1", "./.", "0/.", ".", "0|1", "2/1", "x"])


@given(pos=st.sampled_from(["100", "0", "-5", "abc", "3000000000"]), ref=st.sampled_from(["A", "AT", "N", "", "a"]),
       alt=st.sampled_from(["G", "A", "<DEL>", "*", "G,T", ""]), gt=record_value,
       cadd=st.sampled_from(["2.5", "3", ".", "x"]), dp=st.sampled_from(["10", "1.5", "x", "."]))
@settings(max_examples=6)
def test_read_vcf_any_record(hail_session, tmp_path_factory, pos, ref, alt, gt, cadd, dp):
    from bigmed_utils.io.vcf import read_vcf

    text = "\n".join([
        "##fileformat=VCFv4.2",
        '##INFO=<ID=CADD,Number=1,Type=Integer,Description="declared Integer">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1",
        f"chr1\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\tCADD={cadd};CSQ=G|missense_variant|GENE\tGT:DP\t{gt}:{dp}",
    ]) + "\n"
    path = write(tmp_path_factory.mktemp("vcf"), "one.vcf", text)
    res = outcome(lambda: read_vcf(path).count_rows(), path)
    if not isinstance(res, BigMedError):
        assert res in (0, 1, 2)


# ------------------------------------------------------------------------- parameter YAML and -p (the CLI)
yaml_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.tuples(st.sampled_from(["case_id", "vcf", "ped", "proband", "min_gq", "hpo_terms", "genome_build",
                                        "unknown", "het_ab_min", "- x", "phenopacket"]),
                       st.sampled_from(["RD1", "x.vcf", "-3", "[HP:0001250]", "[HP:1]", "GRCh99", "0.5", "{a: 1}",
                                        "'", "[", "null", "1e999", "!!python/object:os.system x", "*a", "&a b"])),
             max_size=6).map(lambda kv: "\n".join(f"{k}: {v}" for k, v in kv)),
)


def _cli(args: list[str]):
    from click.testing import CliRunner

    from bigmed_utils.cli import main

    return CliRunner().invoke(main, args)


def _assert_one_line(res, *names: str) -> None:
    assert res.exit_code in (1, 2), (res.exit_code, res.output)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(("bigmed: error:", "Error:", "Usage:")), res.output
    assert "Traceback" not in res.output


@given(text=yaml_text)
@settings(max_examples=120)
def test_parameter_yaml(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("params")
    pfile = write(folder, "case.yaml", text)
    out = folder / "out"
    res = _cli(["run", "rare_disease", "--params", str(pfile), "--out", str(out)])
    _assert_one_line(res)
    assert not out.exists()  # never a half-written output
    assert not (folder / "out.partial").exists()


@given(pairs=st.lists(st.one_of(
    st.text(max_size=30),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["case_id", "min_gq", "hpo_terms", "vcf", "x", ""]),
              st.sampled_from(["", "[", "[HP:0001250]", "abc", "-1", "{", "'", "1e400", "null", "RD 1", "a=b"]))),
    min_size=1, max_size=4))
@settings(max_examples=120)
def test_p_values(tmp_path_factory, pairs):
    assume(all("\x00" not in p for p in pairs))
    out = tmp_path_factory.mktemp("p") / "out"
    args = ["run", "rare_disease", "--out", str(out)]
    for p in pairs:
        args += ["-p", p]
    res = _cli(args)
    _assert_one_line(res)
    assert not out.exists()


@pytest.mark.parametrize("analysis", ["rare_disease", "sudden_cardiac_death", "colorectal_cancer", "colorectal_cohort"])
def test_every_analysis_names_a_missing_parameter(tmp_path, analysis):
    res = _cli(["run", analysis, "-p", "spark_master=local", "--out", str(tmp_path / "o")])
    _assert_one_line(res)
    assert res.exit_code == 2 and "is required" in res.output
