"""Kaplan-Meier against a hand-computed table, log-rank, Cox with planted hazard ratios, PH check, errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from bigmed_utils.errors import InputDataError
from bigmed_utils.oncology.survival import (
    at_risk_table,
    cox_ph,
    forest_plot,
    kaplan_meier,
    logrank,
    plot_km,
    proportional_hazards_check,
    validate_survival,
)

# 6-MP arm of the Freireich et al. (Blood 1963) leukaemia remission trial, as tabulated by Gehan (1965) and in
# Kleinbaum & Klein, "Survival Analysis: A Self-Learning Text": events at 6,6,6,7,10,13,16,22,23; censored
# at 6,9,10,11,17,19,20,25,32,32,34,35 (21 patients).
SIX_MP_TIMES = [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
SIX_MP_EVENTS = [1] * 9 + [0] * 12
# hand-computed product-limit steps: S(t) = prod (1 - d_i / n_i)
#   t=6: n=21 d=3 -> 18/21          = 0.8571
#   t=7: n=17 d=1 -> 0.8571 * 16/17 = 0.8067
#   t=10: n=15 d=1 -> * 14/15       = 0.7529
#   t=13: n=12 d=1 -> * 11/12       = 0.6902
#   t=16: n=11 d=1 -> * 10/11       = 0.6275
#   t=22: n=7 d=1 -> * 6/7          = 0.5378
#   t=23: n=6 d=1 -> * 5/6          = 0.4482
HAND_KM = {6: 18 / 21, 7: 18 / 21 * 16 / 17}
HAND_KM[10] = HAND_KM[7] * 14 / 15
HAND_KM[13] = HAND_KM[10] * 11 / 12
HAND_KM[16] = HAND_KM[13] * 10 / 11
HAND_KM[22] = HAND_KM[16] * 6 / 7
HAND_KM[23] = HAND_KM[22] * 5 / 6


@pytest.fixture()
def six_mp():
    return pd.DataFrame({"patient_id": [f"P{i:02d}" for i in range(21)], "t": SIX_MP_TIMES, "e": SIX_MP_EVENTS,
                         "arm": ["a", "b"] * 10 + ["a"]})


def test_km_matches_hand_computed_table(six_mp):
    km = kaplan_meier(six_mp, time_col="t", event_col="e")
    sf = km.fitters["all"].survival_function_["all"]
    for t, s in HAND_KM.items():
        assert sf.loc[t] == pytest.approx(s, abs=1e-12)
    assert (round(HAND_KM[6], 4), round(HAND_KM[23], 4)) == (0.8571, 0.4482)  # textbook values
    row = km.summary.iloc[0]
    assert (row["n"], row["events"], row["median"]) == (21, 9, 23.0)  # first time S(t) <= 0.5
    assert km.to_dict()["all"]["ci_upper"] is None  # upper CI not reached -> null in JSON


def test_at_risk_table_and_plot(six_mp):
    km = kaplan_meier(six_mp, time_col="t", event_col="e", group_col="arm")
    table = at_risk_table(km, times=[0, 10, 20, 30])
    # arm a: times 6,6,10,16,23,9,11,19,25,32,35 -> still followed after 10: 16,23,11,19,25,32,35
    assert table.loc["a"].tolist() == [11, 7, 4, 2]
    fig = plot_km(km, title="6-MP")
    assert fig.axes[0].get_title() == "6-MP"


def test_logrank_identical_groups_and_different_groups():
    rng = np.random.default_rng(7)
    n = 200
    group = np.repeat(["A", "B"], n // 2)
    time = np.where(group == "A", rng.exponential(10, n), rng.exponential(30, n))
    df = pd.DataFrame({"patient_id": range(n), "time": time, "event": 1, "g": group})
    res = logrank(df, time_col="time", event_col="event", group_col="g")
    assert res.p < 1e-4 and res.dof == 1
    assert res.to_dict()["pairwise"][0]["group_a"] == "A"
    same = pd.concat([df.assign(g="X"), df.assign(g="Y")], ignore_index=True)
    assert logrank(same, time_col="time", event_col="event", group_col="g", id_col=None).p == pytest.approx(1.0)


def test_cox_recovers_planted_hazard_ratios():
    rng = np.random.default_rng(2026)
    n = 1500
    msi = rng.random(n) < 0.2
    stage = rng.choice(["II", "III", "IV"], n)
    planted = {"msi_status=MSI-H": 0.5, "stage=III": 1.5, "stage=IV": 3.0}
    hazard = 0.02 * np.where(msi, 0.5, 1.0) * np.select([stage == "III", stage == "IV"], [1.5, 3.0], 1.0)
    t = rng.exponential(1 / hazard)
    c = rng.uniform(0, 120, n)
    df = pd.DataFrame({"patient_id": [f"CRC{i:04d}" for i in range(n)], "os_months": np.minimum(t, c),
                       "os_event": (t <= c).astype(int), "msi_status": np.where(msi, "MSI-H", "MSS"), "stage": stage})
    cox = cox_ph(df, time_col="os_months", event_col="os_event", covariates=["msi_status", "stage"],
                 reference={"msi_status": "MSS"})
    table = cox.hr_table.set_index("covariate")
    for cov, hr in planted.items():
        assert table.loc[cov, "ci_lower"] <= hr <= table.loc[cov, "ci_upper"], cov
    assert table.loc["stage=IV", "reference"] == "stage=II"
    assert set(cox.to_dict()) == set(planted)
    ph = proportional_hazards_check(cox)
    assert set(ph["covariate"]) == set(planted) and ph["p"].between(0, 1).all()
    fig = forest_plot(cox)
    assert len(fig.axes[0].get_yticklabels()) == 3


def test_negative_time_names_column_and_patient(six_mp):
    six_mp.loc[4, "t"] = -2
    with pytest.raises(InputDataError, match=r"survival time 't' is negative \(-2\) for patient P04 \(row 5\)"):
        kaplan_meier(six_mp, time_col="t", event_col="e")


def test_missing_event_flag_names_column_and_patient(six_mp):
    six_mp["e"] = six_mp["e"].astype(object)
    six_mp.loc[7, "e"] = None
    with pytest.raises(InputDataError, match=r"event flag 'e' is missing for patient P07 \(row 8\)"):
        validate_survival(six_mp, time_col="t", event_col="e")


def test_bad_values(six_mp):
    bad = six_mp.assign(e=["yes"] + [0] * 20)
    with pytest.raises(InputDataError, match=r"must be 0/1.*'yes'.*patient P00"):
        validate_survival(bad, time_col="t", event_col="e")
    with pytest.raises(InputDataError, match="no column 'os_months'"):
        validate_survival(six_mp, time_col="os_months", event_col="e")
    no_id = six_mp.drop(columns="patient_id")
    no_id.loc[2, "t"] = np.nan
    with pytest.raises(InputDataError, match=r"'t' is missing for row 3"):
        validate_survival(no_id, time_col="t", event_col="e")
    missing_cov = six_mp.assign(stage=[None] + ["II"] * 20)
    with pytest.raises(InputDataError, match="covariate 'stage' is missing for patient P00"):
        cox_ph(missing_cov, time_col="t", event_col="e", covariates=["stage"])


# ----------------------------------------------------------------------------------------------------------
# Delayed entry (left truncation)

#: planted hazard ratio of the genomic subgroup and the baseline hazard (median 18 months) of the fixture
PLANTED_HR = 2.5
BASELINE_HAZARD = np.log(2) / 18


@pytest.fixture(scope="module")
def left_truncated():
    """A cohort that only exists from sequencing on: 6000 patients diagnosed at time 0 with exponential survival
    (hazard x 2.5 in the genomic subgroup), tumours sequenced at U(0, 36) months independently of survival,
    followed 6-60 months after sequencing. Only those alive at sequencing enter the cohort (left truncation),
    as in a registry of sequenced tumours; survival is counted from diagnosis."""
    rng = np.random.default_rng(15)
    n = 6000
    mutant = rng.random(n) < 0.4
    death = rng.exponential(1 / (BASELINE_HAZARD * np.where(mutant, PLANTED_HR, 1.0)))
    sequenced = rng.uniform(0, 36, n)
    end = sequenced + rng.uniform(6, 60, n)
    seen = death > sequenced
    return pd.DataFrame({"patient_id": [f"P{i:05d}" for i in np.flatnonzero(seen)], "mutant": mutant[seen],
                         "os_months": np.minimum(death, end)[seen], "os_event": (death <= end)[seen].astype(int),
                         "sequencing_months": sequenced[seen]})


def test_cox_recovers_planted_hr_only_with_delayed_entry(left_truncated):
    df = left_truncated
    assert 2000 < len(df) < 4000  # about half the patients died before their tumour was sequenced
    delayed = cox_ph(df, time_col="os_months", event_col="os_event", covariates=["mutant"],
                     entry_col="sequencing_months").hr_table.iloc[0]
    naive = cox_ph(df, time_col="os_months", event_col="os_event", covariates=["mutant"]).hr_table.iloc[0]
    assert delayed["ci_lower"] <= PLANTED_HR <= delayed["ci_upper"]
    # counting survival from diagnosis credits the immortal time before sequencing: biased (here upwards)
    assert not naive["ci_lower"] <= PLANTED_HR <= naive["ci_upper"] and naive["ci_lower"] > PLANTED_HR


def test_km_recovers_planted_survival_only_with_delayed_entry(left_truncated):
    truth = np.exp(-BASELINE_HAZARD * 12)  # wild type, 12 months after diagnosis: 0.63
    for entry, recovered in (("sequencing_months", True), (None, False)):
        km = kaplan_meier(left_truncated, time_col="os_months", event_col="os_event", group_col="mutant",
                          entry_col=entry)
        ci = km.fitters["False"].confidence_interval_.loc[:12].iloc[-1]
        assert bool(ci.iloc[0] <= truth <= ci.iloc[1]) is recovered, (entry, ci.tolist(), truth)
    # the naive curve is too optimistic: every patient had to survive until sequencing
    naive = kaplan_meier(left_truncated, time_col="os_months", event_col="os_event", group_col="mutant")
    assert float(naive.fitters["False"].survival_function_at_times(12).iloc[0]) > truth + 0.1


def test_logrank_with_delayed_entry_by_hand():
    # A: events at 2 and 5 (entry 0); B: event at 4 (entered at 3) and at 6 (entry 0). Risk sets with entry:
    #   t=2: A 2, B 1 (B1 not yet entered) -> E_A 2/3, V 2/9;  t=4: A 1, B 2 -> E_A 1/3, V 2/9
    #   t=5: A 1, B 1 -> E_A 1/2, V 1/4;  t=6: A 0, B 1 -> nothing.  O-E = 1/2, V = 25/36 -> chi2 = 9/25
    df = pd.DataFrame({"patient_id": ["A1", "A2", "B1", "B2"], "t": [2.0, 5, 4, 6], "e": [1, 1, 1, 1],
                       "g": ["A", "A", "B", "B"], "entry": [0.0, 0, 3, 0]})
    res = logrank(df, time_col="t", event_col="e", group_col="g", entry_col="entry")
    assert res.statistic == pytest.approx(9 / 25) and res.dof == 1
    # all entering at 0: 16/26, the classical log-rank statistic (lifelines)
    plain = logrank(df, time_col="t", event_col="e", group_col="g")
    assert plain.statistic == pytest.approx(16 / 26)
    assert logrank(df.assign(entry=0.0), time_col="t", event_col="e", group_col="g",
                   entry_col="entry").statistic == pytest.approx(plain.statistic)
    km = kaplan_meier(df, time_col="t", event_col="e", group_col="g", entry_col="entry")
    # at risk (entered by t and followed after t): B at 0 -> B2 only; at 3 -> B1, B2
    assert at_risk_table(km, times=[0, 3, 4.5]).loc["B"].tolist() == [1, 2, 1]


def test_delayed_entry_cox_ph_check_and_bad_entry(left_truncated):
    cox = cox_ph(left_truncated, time_col="os_months", event_col="os_event", covariates=["mutant"],
                 entry_col="sequencing_months")
    ph = proportional_hazards_check(cox)
    assert list(ph["covariate"]) == ["mutant"] and not ph["ph_violated"].any()  # planted: proportional hazards
    bad = left_truncated.head(10).copy()
    bad.loc[3, "sequencing_months"] = bad.loc[3, "os_months"] + 1
    with pytest.raises(InputDataError, match=rf"entry time 'sequencing_months' \(.+\) is after the end of follow-up "
                                             rf"'os_months' \(.+\) for patient {bad.loc[3, 'patient_id']} \(row 4\)"):
        kaplan_meier(bad, time_col="os_months", event_col="os_event", entry_col="sequencing_months")
    bad.loc[3, "sequencing_months"] = None
    with pytest.raises(InputDataError, match="entry time 'sequencing_months' is missing"):
        cox_ph(bad, time_col="os_months", event_col="os_event", covariates=["mutant"], entry_col="sequencing_months")


def test_km_with_an_emptied_risk_set_falls_back_to_fleming_harrington():
    # b dies at 3 while c, d ... enter only from 5 on: the product-limit estimate would be 0 for good
    df = pd.DataFrame({"patient_id": list("abcdef"), "t": [2, 3, 10, 12, 15, 20.0], "e": [1, 1, 1, 0, 1, 0],
                       "s": [0, 0, 5, 6, 6, 8.0]})
    km = kaplan_meier(df, time_col="t", event_col="e", entry_col="s")
    assert km.notes == ["all=all: the risk set empties before later patients enter (too few early entries); "
                        "Breslow-Fleming-Harrington estimate instead of Kaplan-Meier"]
    # exp(-(1/2 + 1/1)) after the two early deaths, not 0
    assert float(km.fitters["all"].survival_function_at_times(4).iloc[0]) == pytest.approx(np.exp(-1.5))
    row = km.summary.iloc[0]
    assert row["median_ci_lower"] <= row["median_ci_upper"]
