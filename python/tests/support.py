"""What the Python tests share: the rlx binary and the real captures, found as the C++ tests
find them (RLX_BINARY and RLX_SOURCE_DIR are set by ctest; see src/rlx/python/CMakeLists.txt)."""

import csv
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("RLX_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = Path(os.environ.get("RLX_BINARY", SOURCE_DIR / "build" / "rlx"))


def in_ci():
    return os.environ.get("CI", "") not in ("", "0", "false")


def data_file(relative):
    """A real capture under ../shared/data (or $RLX_DATA_DIR): skipped when missing, failed
    under CI, as the C++ tests do."""
    root = Path(os.environ.get("RLX_DATA_DIR", SOURCE_DIR.parent / "shared" / "data"))
    path = root / relative
    if not path.exists():
        if in_ci():
            raise AssertionError(f"CI is set but test data is missing: {path}")
        raise unittest.SkipTest(f"test data not found: {path}")
    return path


def run_rlx(*args):
    done = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"rlx {' '.join(map(str, args))} exited {done.returncode}: "
                             f"{done.stderr}")
    return done.stdout


def reconstruct(inputs, out, *options):
    args = ["reconstruct", "--in-process", "--progress", "never", "--out", out]
    for i in inputs:
        args += ["--input", i]
    run_rlx(*args, *options)
    return out


def duckdb_rows(sql):
    """Rows of `sql` as DuckDB prints them (every value cast to text; NULL as None), through
    `rlx sql`: DuckDB's own reading, independent of the module under test."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        run_rlx("sql", f"COPY ({sql}) TO '{path}' (HEADER, NULLSTR '\\N')")
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = [[None if v == "\\N" else v for v in row] for row in reader]
    return header, rows
