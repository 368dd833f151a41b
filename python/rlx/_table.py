"""rlx.read and rlx.stream: an output's rows as numpy columns."""

import datetime as _dt
from collections.abc import Mapping

import numpy as np

from . import _rlx

# Columns that are never NULL (docs/SCHEMA.md); every other column comes as a
# numpy.ma.MaskedArray when its values are numbers, with None or NaN for NULL otherwise.
_NOT_NULL = {"exchange", "symbol", "event_seq", "event_type", "price", "size",
             "last_in_message", "flags", "date"}
_DEFAULT_SCALE = 8  # Binance's finest price tick and quantity step are 1e-8


def _ns(t, what):
    """A time bound as int nanoseconds since the Unix epoch (UTC)."""
    if t is None:
        return None
    if isinstance(t, (int, np.integer)):
        return int(t)
    if isinstance(t, str):
        t = np.datetime64(t.rstrip("Z"), "ns")
    if isinstance(t, _dt.datetime):
        if t.tzinfo is not None:
            t = t.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        t = np.datetime64(t, "ns")
    if isinstance(t, np.datetime64):
        return int(t.astype("datetime64[ns]").astype(np.int64))
    raise TypeError(f"{what} must be int nanoseconds, an ISO string, datetime or datetime64")


def _symbols(symbols):
    if symbols is None:
        return []
    if isinstance(symbols, str):
        return [symbols]
    return list(symbols)


class Table(Mapping):
    """Columns of rows read from an rlx output: a mapping from column name to numpy array.

    scale: for decimals="ticks", each decimal column's scale (value = ticks / 10**scale).
    """

    def __init__(self, columns, scale, rows, decimals):
        self._columns = columns
        self.scale = scale
        self.rows = rows
        self.decimals = decimals

    def __getitem__(self, name):
        return self._columns[name]

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)

    def __repr__(self):
        return f"rlx.Table({self.rows} rows, columns={list(self._columns)})"

    def to_pandas(self):
        """A pandas DataFrame: masked integers as nullable Int64/UInt32 columns."""
        import pandas as pd

        data = {}
        for name, values in self._columns.items():
            if isinstance(values, np.ma.MaskedArray):
                mask = np.ma.getmaskarray(values)
                data[name] = pd.arrays.IntegerArray(values.data, mask) \
                    if values.dtype.kind in "iu" else values.filled(np.nan)
            else:
                data[name] = values
        return pd.DataFrame(data)


def _table(raw, decimals):
    columns, scale, rows = raw
    out = {}
    for name, (values, mask) in columns.items():
        if name not in _NOT_NULL and values.dtype.kind in "iub":
            out[name] = np.ma.MaskedArray(values, mask=False if mask is None else mask)
        elif mask is not None and values.dtype.kind == "M":
            out[name] = np.where(mask, np.datetime64("NaT"), values)
        else:
            out[name] = values
    return Table(out, dict(scale), rows, decimals)


def _scales(reader, scale):
    decimal_columns = [n for n, t in reader.schema() if t == "decimal"]
    if isinstance(scale, Mapping):
        return {n: int(scale.get(n, _DEFAULT_SCALE)) for n in decimal_columns}
    return {n: int(scale) for n in decimal_columns}


def _reader(out_dir, symbols, start, end, columns, batch_rows, threads):
    return _rlx.Reader(str(out_dir), _symbols(symbols), _ns(start, "start"), _ns(end, "end"),
                       list(columns or []), int(batch_rows), int(threads))


def read(out_dir, symbols=None, start=None, end=None, columns=None, decimals="ticks",
         scale=_DEFAULT_SCALE, threads=2):
    """Every selected row of an rlx output, as one Table.

    out_dir: the folder `rlx reconstruct --out` wrote (its manifest.json lists the parts read).
    symbols: a symbol or a list of them (default: all). Rows come per symbol in event_seq order.
    start, end: keep rows with start <= origin_time < end (int ns, ISO text, datetime, datetime64).
    columns: the columns to read (default: all of docs/SCHEMA.md).
    decimals: "ticks" (int64 at `scale`), "float" (float64) or "decimal" (decimal.Decimal).
    scale: for "ticks": an int for every decimal column, a dict {column: int} (others 8), or
        "auto": the fewest decimals that hold every price column, and every size column, exactly.
    """
    reader = _reader(out_dir, symbols, start, end, columns, 1 << 20, threads)
    scales = "auto" if isinstance(scale, str) and scale == "auto" else _scales(reader, scale)
    return _table(reader.read_all(decimals, scales), decimals)


def stream(out_dir, symbols=None, start=None, end=None, columns=None, decimals="ticks",
           scale=_DEFAULT_SCALE, batch_rows=65536, threads=2):
    """The rows of read(), as Tables of at most batch_rows rows, in order, one at a time.

    Memory stays bounded by the batch (and DuckDB's decoding of one part), whatever the output's
    size. scale cannot be "auto" here: the batches must share one scale.
    """
    if isinstance(scale, str):
        raise ValueError("stream() needs a fixed scale (an int or a dict); 'auto' is for read()")
    reader = _reader(out_dir, symbols, start, end, columns, batch_rows, threads)
    scales = _scales(reader, scale)
    while True:
        raw = reader.next(decimals, scales)
        if raw is None:
            return
        yield _table(raw, decimals)
