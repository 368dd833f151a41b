"""rlx.reconstruct: the library's reconstruction, in this process."""

import logging
import os

from . import _rlx
from ._table import _symbols

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
           "error": logging.ERROR}


def _to_logging(level, line):
    logging.getLogger("rlx").log(_LEVELS.get(level, logging.ERROR), line)


def reconstruct(inputs, out_dir, source="binance-raw", symbols=None, date_from=None,
                date_to=None, top_n=5, rows_per_file=1_000_000, on_bad_row="fail",
                overwrite=False, validate=False, log_level="warn", log=None):
    """Rebuilds the book from `inputs` and writes the event stream to `out_dir`, as
    `rlx reconstruct --in-process` does (same files, manifest and report; docs/CLI.md).

    source: "binance-raw", "lake" or "tardis". inputs: a path or a list of them.
    log_level: "debug", "info", "warn", "error" or "off". log: a callable (level, line) that
    receives each log line; by default the lines go to logging.getLogger("rlx").
    Returns a dict: messages, rows, quarantined, seconds, and per symbol its rows, files, gaps
    and resyncs. Raises rlx.Error (code, file, row, field) on failure.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    return _rlx.reconstruct(source, [os.fspath(i) for i in inputs], os.fspath(out_dir),
                            _symbols(symbols), date_from or "", date_to or "", int(top_n),
                            int(rows_per_file), on_bad_row, bool(overwrite), bool(validate),
                            log_level, log or _to_logging)
