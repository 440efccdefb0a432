"""The ``colorectal_cancer`` analysis (one patient's molecular tumour-board report): the contract
(``contract.py``) and the report's display helpers (``display.py``) over :mod:`bigmed_utils.oncology`."""
