"""rlx: exact L2 order-book reconstruction of crypto market data, for Python.

    import rlx
    t = rlx.read("rlx-demo/events", columns=["origin_time", "event_type", "price", "size"])
    t["price"], t.scale["price"]        # int64 ticks and their scale: price = ticks / 10**scale

Prices and sizes are DECIMAL(38,18) in the files. They come out as exact int64 ticks at a scale
(decimals="ticks", the default), as float64 (decimals="float") or as decimal.Decimal objects
(decimals="decimal"). A value that the ticks cannot hold exactly raises rlx.Error naming its file,
row and column; nothing is rounded unless float64 is asked for. See docs/PYTHON.md.
"""

import os as _os
import sys as _sys

# The extension carries its own DuckDB (librlx_duckdb.so beside it). RTLD_DEEPBIND makes the
# extension and that library resolve their symbols in themselves first, so a DuckDB that the
# process loaded earlier (the duckdb package, another extension) is never called by mistake.
_flags = _sys.getdlopenflags()
_sys.setdlopenflags(_os.RTLD_NOW | _os.RTLD_LOCAL | _os.RTLD_DEEPBIND)
try:
    from . import _rlx
finally:
    _sys.setdlopenflags(_flags)

from . import agents  # noqa: E402
from ._run import capture, reconstruct, validate  # noqa: E402
from ._table import Table, read, stream  # noqa: E402
from .env import ExecutionEnv  # noqa: E402

Error = _rlx.Error

__all__ = ["Error", "ExecutionEnv", "capture", "Table", "agents", "read", "reconstruct", "stream", "validate"]
