"""What ``verbose=1`` shows: a progress bar on a terminal and the epoch table.

skorch's own ``PrintLog`` always runs last in an epoch, so it never prints the
epoch in which ``EarlyStopping`` stops training (that callback ends the epoch by
raising). Its table is also coloured with ANSI codes wherever it goes, and the
progress bar redraws itself many times a second. Both are fine on a terminal
and litter a log file. This module gives the estimators a table that is plain
text unless stdout is a terminal and that shows every epoch, and a progress bar
only where it can be drawn in place.
"""

from __future__ import annotations

import re
import sys

from skorch.callbacks import Callback, EarlyStopping, PrintLog, ProgressBar

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _interactive(stream) -> bool:
    """Whether ``stream`` is a terminal or a Jupyter notebook's output."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or ProgressBar().in_ipynb()


def _print_row(text: str) -> None:
    if not _interactive(sys.stdout):
        text = _ANSI.sub("", text)
    print(text, flush=True)


class EpochTable(Callback):
    """skorch's epoch table, coloured only on a terminal.

    Not a ``PrintLog`` subclass on purpose: skorch moves those behind every
    other callback, where an ``EarlyStopping`` that ends the epoch hides its row.
    """

    def initialize(self):
        self.log_ = PrintLog(sink=_print_row).initialize()
        return self

    def on_epoch_end(self, net, **kwargs):
        self.log_.on_epoch_end(net, **kwargs)


def arrange_callbacks(callbacks: list, verbose) -> list:
    """The net's named callbacks with what ``verbose`` asks to show.

    Callbacks that stop training (``EarlyStopping``, the estimator's or a
    user's) move to the end, so the ones before them, including the epoch
    table, also see the last epoch. With ``verbose`` the epoch table goes just
    before them, and a progress bar before it when stderr (where it draws) is
    a terminal. Pass ``callbacks__print_log=None`` to the net in place of
    skorch's own table.
    """

    stopping = [(name, cb) for name, cb in callbacks if _stops_training(cb)]
    others = [(name, cb) for name, cb in callbacks if not _stops_training(cb)]
    if verbose:
        if _interactive(sys.stderr):
            others.append(("progress_bar", ProgressBar()))
        others.append(("epoch_table", EpochTable()))
    return others + stopping


def _stops_training(cb) -> bool:
    cls = cb if isinstance(cb, type) else type(cb)
    return issubclass(cls, EarlyStopping)
