"""Progress of long command-line work: one line per finished step with its elapsed seconds, on stderr.

Library code marks its long steps with :func:`step`; it prints nothing unless a command started a report
with :func:`report` (so notebooks, tests and library callers stay quiet). On a terminal each line also shows
a bar of the steps done out of the steps expected; written to a file or a pipe (a log, a scheduler) the
lines are plain, without control characters.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> with report("synth", total=2, stream=out, clock=iter([0.0, 0.0, 1.5, 1.5, 4.0]).__next__):
...     with step("rare-disease cohort"):
...         pass
...     with step("cardiac families"):
...         pass
>>> print(out.getvalue(), end="")
synth [1/2] rare-disease cohort: 1.5 s
synth [2/2] cardiac families: 2.5 s
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import time
from typing import Callable, Iterator, TextIO

#: the report that :func:`step` writes to (none: steps are silent)
_current: contextvars.ContextVar["Progress | None"] = contextvars.ContextVar("bigmed_progress", default=None)

BAR_WIDTH = 20


class Progress:
    """Lines ``<label> [i/n] <step>: <seconds> s`` on ``stream``; a bar as well when ``stream`` is a terminal."""

    def __init__(self, label: str, *, total: int | None = None, stream: TextIO | None = None,
                 bar: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.bar = _isatty(self.stream) if bar is None else bar
        self.clock = clock
        self.done = 0
        self.started = clock()

    def line(self, name: str, seconds: float) -> str:
        """The line printed for a finished step (without the bar)."""
        self.done += 1
        count = f"[{self.done}/{self.total}]" if self.total else f"[{self.done}]"
        return f"{self.label} {count} {name}: {seconds:.1f} s"

    def finished(self, name: str, seconds: float) -> None:
        """Report a step that took ``seconds``."""
        text = self.line(name, seconds)
        if self.bar and self.total:
            filled = round(BAR_WIDTH * min(self.done, self.total) / self.total)
            text = f"{text}  |{'#' * filled}{'.' * (BAR_WIDTH - filled)}|"
        print(text, file=self.stream, flush=True)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block and report it when it ends (also when it raises: the line says how far it got)."""
        start = self.clock()
        try:
            yield
        except BaseException:
            self.finished(f"{name} (failed)", self.clock() - start)
            raise
        self.finished(name, self.clock() - start)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def report(label: str, *, total: int | None = None, stream: TextIO | None = None, bar: bool | None = None,
           clock: Callable[[], float] = time.monotonic) -> Iterator[Progress]:
    """Make :func:`step` print for the duration of the block (a command's main work)."""
    progress = Progress(label, total=total, stream=stream, bar=bar, clock=clock)
    token = _current.set(progress)
    try:
        yield progress
    finally:
        _current.reset(token)


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """A long step of library code: reported when a command started a :func:`report`, else silent."""
    progress = _current.get()
    if progress is None:
        yield
        return
    with progress.step(name):
        yield


def tick(name: str) -> None:
    """Report the step ``name`` that ended now, timed from the previous tick (or the report's start): for a
    loop body, one call at its end."""
    progress = _current.get()
    if progress is None:
        return
    now = progress.clock()
    progress.finished(name, now - getattr(progress, "_last", progress.started))
    progress._last = now


def expect(total: int) -> None:
    """Set the number of steps of the running report (when the command learns it only later)."""
    progress = _current.get()
    if progress is not None:
        progress.total = total


__all__ = ["Progress", "expect", "report", "step", "tick"]
