"""Phenotypes with the Human Phenotype Ontology (hpo3): validation (:mod:`.ontology`), semantic similarity
and gene ranking (:mod:`.similarity`), free-text to HPO with negation (:mod:`.text_to_hpo`).

Submodules are imported on use: loading the ontology takes about a second.
"""
