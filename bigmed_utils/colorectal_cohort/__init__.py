"""The ``colorectal_cohort`` analysis (molecular groups and outcomes of a cohort): the contract
(``contract.py``) and the report's display helpers (``display.py``) over :mod:`bigmed_utils.oncology`."""
