"""Progress lines of long command-line work: one per step with its seconds on stderr, a bar only on a terminal,
silent outside a command."""

from __future__ import annotations

import io

import pytest

from bigmed_utils import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clock(*times: float):
    return iter(times).__next__


def test_one_plain_line_per_step_off_a_terminal():
    out = io.StringIO()
    with progress.report("synth", total=3, stream=out, clock=_clock(0.0, 0.0, 2.0, 2.0, 2.25)):
        with progress.step("rare-disease cases"):
            pass
        with progress.step("cardiac families"):
            pass
    assert out.getvalue().splitlines() == ["synth [1/3] rare-disease cases: 2.0 s", "synth [2/3] cardiac families: 0.2 s"]
    assert "|" not in out.getvalue() and "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_a_bar_on_a_terminal():
    out = Terminal()
    with progress.report("batch", total=4, stream=out, clock=_clock(0.0, 0.0, 1.0)):
        with progress.step("rare_disease/RD001: done"):
            pass
    assert out.getvalue() == "batch [1/4] rare_disease/RD001: done: 1.0 s  |#####...............|\n"


def test_ticks_time_each_loop_body_and_the_total_can_come_later():
    out = io.StringIO()
    with progress.report("synth", stream=out, clock=_clock(10.0, 12.5, 20.0)):
        progress.expect(24)
        progress.tick("chr1 (400,000 sites)")
        progress.tick("chr2 (390,000 sites)")
    assert out.getvalue().splitlines() == ["synth [1/24] chr1 (400,000 sites): 2.5 s",
                                           "synth [2/24] chr2 (390,000 sites): 7.5 s"]


def test_a_failed_step_says_so_and_the_error_passes():
    out = io.StringIO()
    with pytest.raises(ValueError, match="bad VCF"):
        with progress.report("inhouse add", stream=out, clock=_clock(0.0, 0.0, 3.0)):
            with progress.step("calls read"):
                raise ValueError("bad VCF")
    assert out.getvalue() == "inhouse add [1] calls read (failed): 3.0 s\n"


def test_library_steps_are_silent_outside_a_command(capsys):
    with progress.step("anything"):
        pass
    progress.tick("loop body")
    progress.expect(3)
    assert capsys.readouterr() == ("", "")
