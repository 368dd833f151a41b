"""rlx.reconstruct and rlx.validate: the library's jobs, in this process."""

import logging
import os

from . import _rlx
from ._table import _symbols

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
           "error": logging.ERROR}


def _to_logging(level, line):
    logging.getLogger("rlx").log(_LEVELS.get(level, logging.ERROR), line)


def _paths(paths):
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [os.fspath(p) for p in paths]


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
    return _rlx.reconstruct(source, _paths(inputs), os.fspath(out_dir),
                            _symbols(symbols), date_from or "", date_to or "", int(top_n),
                            int(rows_per_file), on_bad_row, bool(overwrite), bool(validate),
                            log_level, log or _to_logging)


def validate(golden, candidate, out_dir, golden_source="auto", candidate_source="auto",
             symbol=None, config=None, calibration=None, level="standard", on_bad_row="fail",
             read_parts=False, pdf=True, log_level="warn", log=None):
    """Judges `candidate` against the golden sample and writes report.json, metrics.prom,
    report.html, summary.html and (pdf=True, with Debian's chromium) summary.pdf to `out_dir`,
    as `rlx validate` does (docs/VALIDATE.md).

    golden, candidate: a path or a list (rlx output, Lake root, Tardis files, raw Binance
    captures); *_source: "auto", "binance-raw", "lake", "tardis" or "rlx". level: "light",
    "standard" or "comprehensive". Returns a dict: verdict ("PASS", "WARN", "FAIL"), score,
    exchange, symbol, paired, windows, window_seconds, reasons, failures (metric, status, effect,
    threshold, remedy; worst first), notes, pdf_error. A FAIL verdict is a result, not an
    exception; rlx.Error is raised for what stops the judging.
    """
    return _rlx.validate(_paths(golden), golden_source, _paths(candidate), candidate_source,
                         os.fspath(out_dir), symbol or "", os.fspath(config or ""),
                         os.fspath(calibration or ""), level, on_bad_row, bool(read_parts),
                         bool(pdf), log_level, log or _to_logging)
