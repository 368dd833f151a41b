"""rlx.reconstruct, rlx.validate and rlx.capture: the library's jobs, in this process."""

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
                overwrite=False, validate=False, log_level="warn", log=None, progress=None):
    """Rebuilds the book from `inputs` and writes the event stream to `out_dir`, as
    `rlx reconstruct --in-process` does (same files, manifest and report; docs/CLI.md).

    source: "binance-raw", "lake" or "tardis". inputs: a path or a list of them.
    log_level: "debug", "info", "warn", "error" or "off". log: a callable (level, line) that
    receives each log line; by default the lines go to logging.getLogger("rlx").
    progress: a callable (done, total, rows) called at most every 200 ms and once at the end:
    input bytes read of total (0 when unknown) and output rows so far.
    Returns a dict: messages, rows, quarantined, seconds, and per symbol its rows, files, gaps
    and resyncs. Raises rlx.Error (code, file, row, field) on failure.
    """
    return _rlx.reconstruct(source, _paths(inputs), os.fspath(out_dir),
                            _symbols(symbols), date_from or "", date_to or "", int(top_n),
                            int(rows_per_file), on_bad_row, bool(overwrite), bool(validate),
                            log_level, log or _to_logging, progress)


def validate(golden, candidate, out_dir, golden_source="auto", candidate_source="auto",
             symbol=None, config=None, calibration=None, level="standard", on_bad_row="fail",
             read_parts=False, pdf=True, log_level="warn", log=None, progress=None):
    """Judges `candidate` against the golden sample and writes report.json, metrics.prom,
    report.html, summary.html and (pdf=True, with Debian's chromium) summary.pdf to `out_dir`,
    as `rlx validate` does (docs/VALIDATE.md).

    golden, candidate: a path or a list (rlx output, Lake root, Tardis files, raw Binance
    captures); *_source: "auto", "binance-raw", "lake", "tardis" or "rlx". level: "light",
    "standard" or "comprehensive". Returns a dict: verdict ("PASS", "WARN", "FAIL"), score,
    exchange, symbol, paired, windows, window_seconds, reasons, failures (metric, status, effect,
    threshold, remedy; worst first), notes, pdf_error. A FAIL verdict is a result, not an
    exception; rlx.Error is raised for what stops the judging. progress: a callable (text)
    called at each stage ("loading golden and candidate", "judging ...", "writing the reports",
    and the verdict last).
    """
    return _rlx.validate(_paths(golden), golden_source, _paths(candidate), candidate_source,
                         os.fspath(out_dir), symbol or "", os.fspath(config or ""),
                         os.fspath(calibration or ""), level, on_bad_row, bool(read_parts),
                         bool(pdf), log_level, log or _to_logging, progress)


def capture(symbols, out_dir, market="spot", duration=None,
            streams=("depth@100ms", "trade", "bookTicker"), events_dir=None, ws_url=None,
            rest_url=None, ca_file=None, log_level="warn", log=None, progress=None):
    """Records live Binance data as a golden sample, as `rlx capture` does (docs/CAPTURE.md):
    the raw record in `out_dir` (and the live book's events as Parquet in `events_dir`).

    market: "spot", "usdm" or "coinm". duration: seconds (None: until Ctrl-C, which stops the
    capture cleanly and then raises KeyboardInterrupt). ws_url, rest_url, ca_file: another
    server than Binance's (a local exchange, `rlx exchange`). Returns a dict of counters: frames,
    durable_lines, reconnects, duplicates, malformed, seconds, events, events_rows, and per
    symbol frames, sync_state, gaps, resyncs and snapshots. progress: a callable (text) given
    a status line ("12s  1234 frames (56/s)  1/1 synced  0 gaps ...") every 250 ms and at the end.
    """
    return _rlx.capture(market, _symbols(symbols), list(streams), os.fspath(out_dir),
                        os.fspath(events_dir or ""), float(duration or 0), ws_url or "",
                        rest_url or "", os.fspath(ca_file or ""), log_level,
                        log or _to_logging, progress)
