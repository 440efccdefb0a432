"""Clinical note to HPO: names, exact synonyms, longest match, negation."""

from __future__ import annotations

from bigmed_utils.phenotype.text_to_hpo import extract_hpo, terms_from_text


def test_issue_example_with_negated_microcephaly():
    table = extract_hpo("Global developmental delay and seizures. No microcephaly.")
    assert table[["hpo_id", "excluded", "matched_text"]].values.tolist() == [
        ["HP:0001263", False, "Global developmental delay"],  # longest match, not "Developmental delay"
        ["HP:0001250", False, "seizures"],  # EXACT plural synonym of Seizure
        ["HP:0000252", True, "microcephaly"],
    ]
    assert table["name"].tolist() == ["Global developmental delay", "Seizure", "Microcephaly"]
    assert table.loc[2, "start"] == 44 and table.loc[2, "end"] == 56


def test_negation_cues_and_scope():
    note = ("The patient denies headaches but has hypotonia; absence of scoliosis. "
            "Negative for hearing impairment. Ventricular septal defect was ruled out. Without ataxia or nystagmus.")
    observed, excluded = terms_from_text(note)
    assert observed == ["HP:0001252"]  # "but" ends the scope of "denies"
    assert excluded == ["HP:0002315", "HP:0002650", "HP:0000365", "HP:0001629", "HP:0001251", "HP:0000639"]


def test_case_insensitive_and_synonym():
    table = extract_hpo("SMALL HEAD CIRCUMFERENCE noted at birth.")
    assert table[["hpo_id", "matched_text"]].values.tolist() == [["HP:0000252", "SMALL HEAD CIRCUMFERENCE"]]


def test_modifier_words_are_not_phenotypes():
    # "Severe" and "Progressive" are HPO clinical modifiers, not phenotypic abnormalities
    assert extract_hpo("Severe and progressive course.").empty


def test_empty_text():
    assert extract_hpo("").columns.tolist() == ["hpo_id", "name", "excluded", "matched_text", "start", "end"]
