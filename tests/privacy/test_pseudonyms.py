"""Pseudonyms by keyed HMAC, key loading rules, replacement in tables/JSON/text, per-patient date shifts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError, ParameterError
from bigmed_utils.privacy.pseudonyms import (
    ENV_KEY,
    ENV_KEY_FILE,
    Pseudonymiser,
    date_shift_days,
    load_key,
    pseudonym,
    shift_dates,
)

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_pseudonym_is_hmac_sha256_base32():
    # planted truth computed independently with the standard library
    digest = hmac.new(KEY, b"bigmed-pseudonym\x00RD001", hashlib.sha256).digest()
    expected = "PSN-" + base64.b32encode(digest).decode()[:12]
    assert pseudonym("RD001", key=KEY) == expected
    assert re.fullmatch(r"PSN-[A-Z2-7]{12}", expected)


def test_pseudonym_stable_and_key_dependent():
    assert pseudonym("RD001", key=KEY) == pseudonym("RD001", key=KEY)
    assert pseudonym("RD001", key=KEY) != pseudonym("RD001", key=OTHER)
    assert pseudonym("RD001", key=KEY) != pseudonym("RD002", key=KEY)
    assert pseudonym("RD001", key=KEY, prefix="FAM").startswith("FAM-")


def test_short_key_refused():
    with pytest.raises(ParameterError, match="at least 16 bytes"):
        pseudonym("x", key=b"short")


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def _key_file(folder, text, mode=0o600):
    path = folder / "pseudonym.key"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_no_key_configured_says_how_to_create_one(clean_env):
    with pytest.raises(ParameterError) as err:
        load_key()
    msg = str(err.value)
    assert msg.startswith("pseudonymise is on but no pseudonym key is configured ($BIGMED_PSEUDONYM_KEY_FILE")
    assert 'python -c "import secrets;print(secrets.token_hex(32))" > ~/.bigmed/pseudonym.key' in msg
    assert "chmod 600" in msg and "\n" not in msg


def test_key_from_file_param_and_env(clean_env, tmp_path, monkeypatch):
    path = _key_file(tmp_path, KEY.hex() + "\n")
    assert load_key(path) == KEY
    monkeypatch.setenv(ENV_KEY_FILE, str(path))
    assert load_key() == KEY


def test_key_from_env_hex_and_base64(clean_env, monkeypatch):
    monkeypatch.setenv(ENV_KEY, KEY.hex())
    assert load_key() == KEY
    monkeypatch.setenv(ENV_KEY, base64.b64encode(KEY).decode())
    assert load_key() == KEY


def test_key_file_readable_by_others_refused(clean_env, tmp_path):
    path = _key_file(tmp_path, KEY.hex(), mode=0o644)
    with pytest.raises(ParameterError, match=rf"^pseudonym key file {re.escape(str(path))} can be read by group or others \(mode 0644\): chmod 600 "):
        load_key(path)


def test_key_file_inside_git_work_tree_refused(clean_env, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf").mkdir()
    path = _key_file(tmp_path / "conf", KEY.hex())
    with pytest.raises(ParameterError, match=r"lies inside the git work tree .*: keys must live outside the repository"):
        load_key(path)


def test_key_too_short_or_garbage(clean_env, tmp_path):
    with pytest.raises(ParameterError, match="has 4 bytes, at least 16 are needed"):
        load_key(_key_file(tmp_path, "deadbeef"))
    with pytest.raises(ParameterError, match="not found"):
        load_key(tmp_path / "missing.key")


IDS = ["RD001", "RD001-P", "RD001-M", "RD001-F"]


def test_text_longest_first_and_whole_words():
    p = Pseudonymiser(IDS, key=KEY)
    text = "Proband RD001-P (mother RD001-M) of family RD001; file RD001_trio.vcf.gz; not RD0010."
    out = p.text(text)
    assert p["RD001-P"] in out and p["RD001-M"] in out and p["RD001"] in out
    assert f"{p['RD001']}-P" not in out  # RD001-P got its own pseudonym
    assert p.find(out.replace("RD0010", "")) == []  # nothing left but the unrelated id
    assert "RD0010" in out  # a different id is left alone
    assert f"file {p['RD001']}_trio.vcf.gz" in out


def test_html_escaped_form_replaced():
    p = Pseudonymiser(["A&B-01"], key=KEY)
    assert p.text("<td>A&amp;B-01</td>") == f"<td>{p['A&B-01']}</td>"


def test_json_keys_and_values():
    p = Pseudonymiser(IDS, key=KEY)
    data = {"case_id": "RD001", "samples": {"RD001-P": {"role": "proband"}}, "note": ["RD001-M is affected", 3]}
    out = p.json(data)
    assert out == {
        "case_id": p["RD001"],
        "samples": {p["RD001-P"]: {"role": "proband"}},
        "note": [f"{p['RD001-M']} is affected", 3],
    }


def test_frame_values_columns_and_index():
    p = Pseudonymiser(IDS, key=KEY)
    df = pd.DataFrame({"sample": ["RD001-P", "RD001-M"], "RD001-F": [0, 1], "gq": [30, 40]}, index=["RD001", "x"])
    out = p.frame(df)
    assert list(out["sample"]) == [p["RD001-P"], p["RD001-M"]]
    assert list(out.columns) == ["sample", p["RD001-F"], "gq"]
    assert list(out.index) == [p["RD001"], "x"]
    assert list(out["gq"]) == [30, 40]


def test_short_ids_not_replaced_inside_text():
    p = Pseudonymiser(["1", "FAM12"], key=KEY)
    assert p.text("member 1 of FAM12") == f"member 1 of {p['FAM12']}"
    assert p.value("1") == p["1"]  # a whole cell is still replaced
    assert p.text_skipped == ["1"]


def test_date_shift_deterministic_bounded_nonzero():
    shifts = [date_shift_days(f"P{i}", key=KEY, max_days=30) for i in range(400)]
    assert all(1 <= abs(s) <= 30 for s in shifts)
    assert len(set(shifts)) > 40  # spread over the range
    assert date_shift_days("P1", key=KEY) == date_shift_days("P1", key=KEY)
    assert [date_shift_days(f"P{i}", key=OTHER, max_days=30) for i in range(400)] != shifts


def test_shift_dates_preserves_intervals():
    df = pd.DataFrame({
        "person_id": ["P1", "P1", "P2"],
        "diagnosis": ["2020-01-10", "2020-03-01", "2019-12-31"],
        "death": pd.to_datetime(["2021-01-10", None, "2020-06-30"]),
    })
    out = shift_dates(df, id_column="person_id", date_columns=["diagnosis", "death"], key=KEY)
    d1 = date_shift_days("P1", key=KEY)
    assert out.loc[0, "diagnosis"] == (pd.Timestamp("2020-01-10") + pd.Timedelta(days=d1)).strftime("%Y-%m-%d")
    # intervals within a patient unchanged
    diag = pd.to_datetime(out["diagnosis"])
    assert (diag[1] - diag[0]).days == 51
    assert (out.loc[0, "death"] - diag[0]).days == 366
    assert pd.isna(out.loc[1, "death"])
    assert out.loc[2, "diagnosis"] != "2019-12-31"


def test_shift_dates_errors_name_the_fault():
    df = pd.DataFrame({"person_id": ["P1", None], "d": ["2020-01-01", "2020-02-02"]})
    with pytest.raises(InputDataError, match=r"^shift_dates: row 1 has dates but no 'person_id'$"):
        shift_dates(df, id_column="person_id", date_columns=["d"], key=KEY)
    bad = pd.DataFrame({"person_id": ["P1"], "d": ["yesterday"]})
    with pytest.raises(InputDataError, match=r"^shift_dates: column 'd', row 0: 'yesterday' is not a date$"):
        shift_dates(bad, id_column="person_id", date_columns=["d"], key=KEY)
    with pytest.raises(InputDataError, match="no column 'x'"):
        shift_dates(bad, id_column="person_id", date_columns=["x"], key=KEY)


def test_pseudonymise_folder_then_search_finds_no_ids(tmp_path):
    import base64 as b64
    import json

    import nbformat

    from bigmed_utils.privacy.pseudonyms import find_identifiers, pseudonymise_folder

    run = tmp_path / "run"
    (run / "logs").mkdir(parents=True)
    (run / "figures").mkdir()
    (run / "summary.json").write_text(json.dumps({"case_id": "RD001", "candidates": [{"sample": "RD001-P"}]}))
    (run / "report.html").write_text("<h1>Case RD001</h1><td>RD001-M</td>")
    (run / "logs" / "kernel.log").write_text("reading RD001-F.g.vcf\n")
    png = b"\x89PNG\r\n\x1a\n" + b"binary"
    (run / "figures" / "RD001-P.png").write_bytes(png)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show('RD001')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": "Proband **RD001-P**", "image/png": b64.b64encode(png).decode()})]
    nb.cells.append(cell)
    nbformat.write(nb, str(run / "notebook.ipynb"))

    assert set(find_identifiers(run, IDS)) == {"summary.json", "report.html", "logs/kernel.log",
                                              "figures/RD001-P.png", "notebook.ipynb"}
    p = Pseudonymiser(IDS, key=KEY)
    report = pseudonymise_folder(run, p)
    assert report["renamed"] == ["figures/RD001-P.png"]
    assert report["skipped"] == ["figures/RD001-P.png"]
    assert find_identifiers(run, IDS) == {}
    assert (run / "figures" / f"{p['RD001-P']}.png").read_bytes() == png
    out_nb = nbformat.read(str(run / "notebook.ipynb"), as_version=4)
    assert out_nb.cells[0].outputs[0]["data"]["text/markdown"] == f"Proband **{p['RD001-P']}**"
    assert b64.b64decode(out_nb.cells[0].outputs[0]["data"]["image/png"]) == png
    assert json.loads((run / "summary.json").read_text()) == {"case_id": p["RD001"], "candidates": [{"sample": p["RD001-P"]}]}
    # an id drawn into an image cannot be rewritten: the search still finds it
    (run / "figures" / "pedigree.png").write_bytes(png + b"tEXtRD001-M")
    assert find_identifiers(run, IDS) == {"figures/pedigree.png": ["RD001", "RD001-M"]}


def test_collect_identifiers_from_inputs(tmp_path):
    import gzip

    from bigmed_utils.privacy.pseudonyms import collect_identifiers

    vcf = tmp_path / "trio.vcf.gz"
    with gzip.open(vcf, "wt") as fh:
        fh.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tRD001-P\tRD001-M\tRD001-F\n")
    ped = tmp_path / "trio.ped"
    ped.write_text("RD001 RD001-P RD001-F RD001-M 1 2\nRD001 RD001-F 0 0 1 1\nRD001 RD001-M 0 0 2 1\n")
    omop = tmp_path / "omop"
    omop.mkdir()
    (omop / "person.csv").write_text("person_id,year_of_birth\nP-1001,1960\nP-1002,1971\n")
    maf = tmp_path / "cohort.maf"
    maf.write_text("#version 2.4\nHugo_Symbol\tTumor_Sample_Barcode\nKRAS\tCRC-07-T\n")
    ids = collect_identifiers({"case_id": "RD001", "proband": "RD001-P", "vcf": str(vcf), "ped": str(ped),
                               "clinical": str(omop), "maf": str(maf), "min_gq": 20})
    assert ids == {"RD001", "RD001-P", "RD001-M", "RD001-F", "P-1001", "P-1002", "CRC-07-T"}
