"""The shape every analysis has: parameters in, a :class:`Result` out, Hail started in one place.

An analysis is a subclass of :class:`Analysis` with its id, its parameter model (a subclass of
:class:`~bigmed_utils.params.AnalysisParams`), the keys its ``summary.json`` must hold and an
:meth:`Analysis.analyse` that returns a :class:`Result`. :meth:`Analysis.run` (behind ``bm.analyse``)
validates the parameters, runs the cheap input checks, starts Hail when the analysis needs it and only then
calls ``analyse``. A result holds computed data only; the notebook shows it with the display functions of
its area (``<area>/display.py``), as scanpy splits ``tl`` (compute) from ``pl`` (plot).
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, ClassVar, Mapping

import pandas as pd

from ..params import AnalysisParams, AnalysisSpec


def start_hail(params: AnalysisParams, *, bounded: bool = False) -> Any:
    """Start Hail (once per process) with the run's ``spark_master`` and ``driver_memory``; the one place
    an analysis run starts Hail. Returns the ``hail`` module.

    ``bounded``: the analysis's Hail work is a case's few short jobs (:meth:`Analysis.bounded_hail_work`). In
    a ``bigmed run`` kernel (``$BIGMED_ONE_CASE``), which exits after the case, the JVM then compiles with C1
    only (:data:`~bigmed_utils.hail_session.C1_ONLY`); never in an interactive session, which may go on to
    long work.
    """
    from ..hail_session import ENV_ONE_CASE, init_hail

    one_case = os.environ.get(ENV_ONE_CASE) == "1"
    return init_hail(spark_master=params.spark_master, driver_memory=params.driver_memory,
                     c1_only=bounded and one_case)


class Result:
    """What an analysis computed: ``summary()``, ``headline``, ``tables`` and ``figures``.

    Subclasses wrap the area's result object (``data``) and expose its parts; they compute nothing that
    only serves display. In JupyterLab a result shows its headline and tables (``_repr_html_``).
    """

    #: the analysis id (the notebook and ``summary.json``'s ``analysis``)
    analysis: ClassVar[str] = ""

    def __init__(self, data: Any, *, params: AnalysisParams) -> None:
        self.data = data
        self.params = params

    def __getattr__(self, name: str) -> Any:
        # the area's result object stays reachable as before (result.findings, result.top, ...)
        data = self.__dict__.get("data")
        if name.startswith("_") or data is None:
            raise AttributeError(name)
        return getattr(data, name)

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` (without ``analysis`` and ``bigmed_utils_version``)."""
        raise NotImplementedError

    @property
    def headline(self) -> str:
        """One sentence: the main finding."""
        return str(getattr(self.data, "headline", ""))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name."""
        return {}

    @property
    def figures(self) -> dict[str, Any]:
        """Figures by name (matplotlib figures)."""
        return dict(getattr(self.data, "figures", None) or {})

    def write_summary(self, out_dir: str | Path | None = None) -> Path:
        """Validate and write ``summary.json`` into ``out_dir`` (default: the run's output folder)."""
        from ..summary import write_summary

        return write_summary(self.analysis, self.summary(), out_dir=out_dir)

    def _repr_html_(self) -> str:
        parts = [f"<p><b>{html.escape(self.analysis)}</b>: {html.escape(self.headline)}</p>"]
        for name, table in self.tables.items():
            parts.append(f"<h4>{html.escape(name)}</h4>")
            parts.append(table.head(20).to_html() if len(table) else "<p><i>empty</i></p>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.analysis}: {self.headline}>"


class Analysis:
    """One analysis: its id, parameter model, notebook and ``analyse``.

    Subclasses set the class attributes and implement :meth:`analyse`; the registry
    (:func:`bigmed_utils.contract.analyses`) finds an instance as ``ANALYSIS`` in the ``contract`` module
    of a ``bigmed_utils`` subpackage.
    """

    #: analysis id: the notebook name, ``bigmed run ID``, ``summary.json``'s ``analysis``
    id: ClassVar[str]
    #: report title
    title: ClassVar[str]
    #: the pydantic parameter model
    params_model: ClassVar[type[AnalysisParams]]
    #: the parameter that identifies the case (``case_id``, ``family_id``, ``patient_id``)
    id_key: ClassVar[str] = "case_id"
    #: keys ``summary.json`` must hold besides the id key
    summary_keys: ClassVar[tuple[str, ...]] = ()
    #: the notebook's name in the notebooks folder, without ``.ipynb`` (default the id)
    notebook: ClassVar[str | None] = None

    @property
    def spec(self) -> AnalysisSpec:
        """What the runner and the summary check need (:class:`~bigmed_utils.params.AnalysisSpec`)."""
        return AnalysisSpec(self.id, self.title, self.params_model, self.id_key, tuple(self.summary_keys),
                            self.notebook or self.id)

    def params(self, params: AnalysisParams | Mapping[str, Any]) -> AnalysisParams:
        """``params`` validated against :attr:`params_model` (a model instance is taken as it is)."""
        if isinstance(params, self.params_model):
            return params
        from ..params import validate_params

        values = params.model_dump() if isinstance(params, AnalysisParams) else dict(params)
        return validate_params(self.id, values)

    def check(self, params: AnalysisParams) -> None:
        """Cheap input checks before Hail starts (the runner's pre-flight: VCF header, PED, phenopacket,
        MAF), raising :class:`~bigmed_utils.errors.InputDataError` naming the file, sample or term."""
        from ..io.preflight import check_inputs
        from ..params import to_jsonable

        check_inputs(self.id, to_jsonable(params))

    def needs_hail(self, params: AnalysisParams) -> bool:  # noqa: ARG002 - subclasses decide by parameters
        """Whether :meth:`run` starts Hail before :meth:`analyse` (default: yes)."""
        return True

    def bounded_hail_work(self, params: AnalysisParams) -> bool:  # noqa: ARG002 - subclasses decide by inputs
        """Whether, after :meth:`check`, the Hail work is known to be a case's few short jobs (no whole-VCF
        import); :func:`start_hail` then lets a one-case process skip the optimising compiler (default: no)."""
        return False

    def analyse(self, params: AnalysisParams) -> Result:
        """Compute the result (Hail is running if :meth:`needs_hail` said so)."""
        raise NotImplementedError

    def run(self, params: AnalysisParams | Mapping[str, Any]) -> Result:
        """Validate, check the inputs, start Hail when needed, then :meth:`analyse`."""
        params = self.params(params)
        self.check(params)
        if self.needs_hail(params):
            start_hail(params, bounded=self.bounded_hail_work(params))
        return self.analyse(params)

    def __repr__(self) -> str:
        return f"<analysis {self.id}: {self.title}>"


__all__ = ["Analysis", "Result", "start_hail"]
