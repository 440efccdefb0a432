"""Exception hierarchy of bigmed_utils.

Every error a user can cause by their input derives from :class:`BigMedError` and carries a one-line
message that names the parameter, file, sample, field or term at fault. The CLI prints that line (and no
traceback) and exits non-zero; the batch runner uses the class to decide whether a retry can help.
"""

from __future__ import annotations


class BigMedError(Exception):
    """Base class of all errors raised on purpose by bigmed_utils."""

    #: whether running the same thing again may succeed (dead kernel, timeout); input errors never do
    transient: bool = False


class ParameterError(BigMedError, ValueError):
    """A parameter is missing, unknown, of the wrong type, or points to a file that does not exist."""


class InputDataError(BigMedError, ValueError):
    """An input file is malformed or inconsistent (names the file and the sample, field or term)."""


class ReferenceDataError(BigMedError):
    """Bundled reference data is missing or inconsistent (a packaging defect, not a user error)."""


class OutputExistsError(BigMedError, FileExistsError):
    """The output folder exists already and ``force`` was not given."""


class AnalysisError(BigMedError):
    """A notebook failed while it ran; the message names the failing cell and the error."""


class KernelDiedError(AnalysisError):
    """The Jupyter kernel died (out of memory, killed): worth one more try."""

    transient = True


class AnalysisTimeoutError(AnalysisError):
    """The notebook ran longer than the allowed time: worth one more try."""

    transient = True


class AnalysisInterruptedError(AnalysisError):
    """The run was stopped by a signal (SIGTERM, Ctrl-C): nothing is wrong with its inputs."""

    transient = True


__all__ = [
    "BigMedError",
    "ParameterError",
    "InputDataError",
    "ReferenceDataError",
    "OutputExistsError",
    "AnalysisError",
    "KernelDiedError",
    "AnalysisTimeoutError",
    "AnalysisInterruptedError",
]
