"""Clinical note to HPO: names, exact synonyms, longest match, negation."""

from __future__ import annotations

from bigmed_utils.phenotype.text_to_hpo import analyse_note, extract_hpo, family_history, terms_from_text


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


# --- ConText traps: each asserts what a clinical geneticist would code -----------------------------------

def _patient(note):
    return terms_from_text(note)


def test_cue_inside_a_phrase_negates_nothing_around_it():
    # the issue's example: "absent" belongs to "absent reflexes" (no HPO phrase), not to "seizures"
    assert _patient("Seizures and absent reflexes.") == (["HP:0001250"], [])
    # "Absent speech" is itself a finding: observed, and seizures stay observed
    assert _patient("Seizures and absent speech.") == (["HP:0001250", "HP:0001344"], [])


def test_negation_scope_lists_and_terminators():
    assert _patient("No seizures, ataxia or nystagmus.") == ([], ["HP:0001250", "HP:0001251", "HP:0000639"])
    # a comma that does not continue a list of findings ends the scope
    assert _patient("No fever, the child has hypotonia.") == (["HP:0001252"], ["HP:0001945"])
    assert _patient("No seizures but hypotonia.") == (["HP:0001252"], ["HP:0001250"])
    assert _patient("No seizures with generalized hypotonia since birth.") == (["HP:0001290"], ["HP:0001250"])


def test_pseudo_negations_negate_nothing():
    assert _patient("No increase in seizures since the last visit.") == (["HP:0001250"], [])
    assert _patient("Not only seizures but also ataxia.") == (["HP:0001250", "HP:0001251"], [])
    assert _patient("She no longer has seizures.") == (["HP:0001250"], [])  # a past finding is the patient's


def test_post_negation():
    assert _patient("Ataxia is absent.") == ([], ["HP:0001251"])
    assert _patient("Seizures, ataxia and nystagmus were ruled out.") == ([], ["HP:0001250", "HP:0001251", "HP:0000639"])
    assert _patient("Scoliosis was ruled out by radiography; hypotonia present.") == (["HP:0001252"], ["HP:0002650"])


def test_uncertain_and_hypothetical_mentions_are_not_phenotypes():
    # "rule out" (to be checked) is not "ruled out" (excluded); neither is a finding of the patient
    assert _patient("Rule out seizures.") == ([], [])
    assert _patient("Seizures cannot be ruled out.") == ([], [])
    assert _patient("Possible scoliosis.") == ([], [])
    assert _patient("If seizures occur, give buccal midazolam.") == ([], [])
    assert _patient("Return if fever develops. Hypotonia.") == (["HP:0001252"], [])
    table = analyse_note("If seizures occur, give buccal midazolam. Possible scoliosis.")
    assert table[["hpo_id", "status"]].values.tolist() == [["HP:0001250", "hypothetical"], ["HP:0002650", "uncertain"]]


def test_family_history_is_kept_apart_from_the_patient():
    assert _patient("Mother has seizures.") == ([], [])
    fam = family_history("Mother has seizures.")
    assert fam[["hpo_id", "relative", "excluded"]].values.tolist() == [["HP:0001250", "mother", False]]
    note = ("The patient has hypotonia; his father has scoliosis. Mother with seizures. Mother has seizures but he "
            "has ataxia. Hearing impairment in his maternal uncle. No family history of nystagmus.")
    assert _patient(note) == (["HP:0001252", "HP:0001251"], [])
    fam = family_history(note)
    assert fam[["hpo_id", "relative", "excluded"]].values.tolist() == [
        ["HP:0002650", "father", False],
        ["HP:0001250", "mother", False],
        ["HP:0001250", "mother", False],
        ["HP:0000365", "maternal uncle", False],
        ["HP:0000639", "family history", True],
    ]
    # the analysis reads extract_hpo: relatives' findings never reach the patient's phenotypes
    assert "HP:0001250" not in extract_hpo(note)["hpo_id"].tolist()


def test_an_excluded_ancestor_of_an_observed_term_is_not_reported():
    note = "No hearing impairment on newborn screening. Sensorineural hearing impairment diagnosed at 3 years."
    assert _patient(note) == (["HP:0000407"], [])
