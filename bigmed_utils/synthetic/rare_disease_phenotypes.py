"""Phenotypes of the synthetic rare-disease probands: HPO terms sampled from the disease's annotations with
noise, the referral note written from them and the GA4GH phenopacket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _hpo
from ._vcf import SYNTHETIC_NOTICE

if TYPE_CHECKING:
    from .rare_disease import Case

#: frequent, unspecific findings used as phenotype noise (only when unrelated to the disease)
NOISE_TERMS = ["HP:0000545", "HP:0002019", "HP:0000964", "HP:0002099", "HP:0000403", "HP:0001537",
               "HP:0000486", "HP:0001763"]
#: findings a clinician typically records as absent (only when unrelated to the disease)
EXCLUDABLE_TERMS = ["HP:0001250", "HP:0000365", "HP:0001249", "HP:0000518", "HP:0000252", "HP:0002650",
                    "HP:0001639", "HP:0000175"]


def _term_name(t: str) -> str:
    return _hpo.term(t).name


def sample_phenotypes(rng: np.random.Generator, omim: int) -> tuple[list[str], list[str]]:
    """Observed and excluded HPO ids for a proband with disease ``omim``.

    Observed: 4-6 disease terms (1-2 replaced by a parent term) plus 1-2 unrelated findings;
    excluded: 1-2 common findings unrelated to the disease.
    """
    terms = list(_hpo.disease_terms(omim))
    k = min(len(terms), int(rng.integers(4, 7)))
    # prefer specific terms (higher information content), as clinicians record what stands out
    ic = np.array([_hpo.term(t).information_content.omim for t in terms]) + 0.5
    chosen = list(rng.choice(terms, size=k, replace=False, p=ic / ic.sum()))
    root = _hpo.term(_hpo.PHENOTYPIC_ABNORMALITY)
    n_anc = int(rng.integers(1, 3)) if k >= 4 else 0
    for i in rng.choice(k, size=n_anc, replace=False):
        parents = sorted(p.id for p in _hpo.term(chosen[i]).parents
                         if p.id != root.id and p.child_of(root) and p.id not in chosen)
        if parents:
            chosen[i] = parents[int(rng.integers(len(parents)))]
    chosen = list(dict.fromkeys(chosen))
    disease_all = terms

    def unrelated(t: str) -> bool:
        return not any(_hpo.related(t, d) for d in disease_all)

    noise = [t for t in NOISE_TERMS if unrelated(t)]
    excl = [t for t in EXCLUDABLE_TERMS if unrelated(t)]
    chosen += list(rng.choice(noise, size=min(len(noise), int(rng.integers(1, 3))), replace=False))
    excluded = list(rng.choice(excl, size=min(len(excl), int(rng.integers(1, 3))), replace=False))
    return [str(t) for t in chosen], [str(t) for t in excluded]


def _plain(name: str) -> str:
    """HPO term name as running text: lower-case first letter unless the first word is an acronym."""
    first = name.split()[0]
    return name if first.isupper() or any(c.isdigit() for c in first) else name[0].lower() + name[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def clinical_note(c: Case) -> str:
    he, his = ("He", "his") if c.sex == "M" else ("She", "her")
    kind = "boy" if c.sex == "M" else "girl"
    if c.age >= 18:
        kind = "man" if c.sex == "M" else "woman"
    obs = [_plain(_term_name(t)) for t in c.observed]
    half = max(1, len(obs) // 2)
    lines = [
        f"Clinical genetics referral note, case {c.case}.",
        f"[{SYNTHETIC_NOTICE}.]",
        "",
        f"The proband ({c.case}-P) is a {c.age}-year-old {kind} referred for exome sequencing. "
        f"{he} presents with {_join(obs[:half])}.",
    ]
    if obs[half:]:
        lines.append(f"On examination and review of {his} history we also note {_join(obs[half:])}.")
    lines.append(f"No {_plain(_term_name(c.excluded[0]))}.")
    if len(c.excluded) > 1:
        lines.append(f"There is no {_plain(_term_name(c.excluded[1]))}.")
    if c.mode == "autosomal_dominant":
        parent = "father" if c.affected_parent == "F" else "mother"
        lines.append(f"The {parent} has a similar, milder presentation; the other parent is healthy.")
    else:
        lines.append("Both parents are healthy and not known to be related.")
    if c.sibling:
        sib = "brother" if c.sibling_sex == "M" else "sister"
        lines.append(f"A {sib} ({c.case}-S) is {'similarly affected' if c.sibling == 'affected' else 'healthy'}.")
    return "\n".join(lines) + "\n"


def phenopacket(c: Case) -> dict:
    feats = [{"type": {"id": t, "label": _term_name(t)}} for t in c.observed]
    feats += [{"type": {"id": t, "label": _term_name(t)}, "excluded": True} for t in c.excluded]
    return {
        "id": c.case,
        "subject": {"id": f"{c.case}-P", "sex": "MALE" if c.sex == "M" else "FEMALE",
                    "timeAtLastEncounter": {"age": {"iso8601duration": f"P{c.age}Y"}}},
        "phenotypicFeatures": feats,
        "files": [{"uri": f"{c.case}.vcf.gz",
                   "individualToFileIdentifiers": {m: m for m in c.members},
                   "fileAttributes": {"genomeAssembly": "GRCh38", "fileFormat": "vcf"}}],
        "metaData": {
            "created": "2016-01-01T00:00:00Z",
            "createdBy": "bigmed_utils.synthetic",
            "submittedBy": "bigmed_utils.synthetic (SYNTHETIC DATA)",
            "resources": [{"id": "hp", "name": "human phenotype ontology",
                           "url": "http://purl.obolibrary.org/obo/hp.owl", "version": _hpo.hpo_version(),
                           "namespacePrefix": "HP", "iriPrefix": "http://purl.obolibrary.org/obo/HP_"}],
            "phenopacketSchemaVersion": "2.0",
            "externalReferences": [{"id": "bigmed:synthetic", "description": SYNTHETIC_NOTICE}],
        },
    }
