"""The ``sudden_cardiac_death`` analysis: the contract (``contract.py``) and the report's tables
(``display.py``) over the cardiac domain code in :mod:`bigmed_utils.cardiac`."""
