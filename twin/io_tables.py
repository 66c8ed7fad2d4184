"""Tables to disk, fast: CSV in plain decimal with a stated precision, and Parquet.

pandas' ``to_csv`` formats every cell through Python (about 1 s for a year
of hourly results with 190 columns). :func:`write_csv` rounds whole columns
with numpy and hands them to Arrow's CSV writer (C++), which writes the
same layout (header, index column, comma separated, ``\n`` line ends) in a
few tens of milliseconds:

- floats rounded to ``decimals`` places (default 6) and written in their
  shortest form, which for a value rounded so is **plain decimal** with at
  most ``decimals`` places (``12.5``, ``0``, ``-3.25``, ``2400000``); a
  column with a magnitude of 1e10 or more, which Arrow would write in
  exponent form, is formatted in Python instead; NaN is an empty cell,
  infinities ``inf`` and ``-inf``;
- integers as they are, booleans ``true``/``false``;
- a time index as ISO 8601 with the UTC offset (``2025-01-01T00:00:00+0800``);
- text quoted (RFC 4180) when any value of the table needs it.

:func:`write_parquet` writes the frame as it is (float64, index kept), with
dictionary encoding only for the columns that are not floats: a
simulation's float columns rarely repeat a value, and trying a dictionary on
each of them is about 40 % of the write (the file is a few per cent smaller
without it). Both write to a temporary file beside ``path`` and rename it
into place.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from twin._atomic import _umask

__all__ = ["write_csv", "write_parquet", "write_parquet_file"]


def _iso_times(index: pd.DatetimeIndex) -> pa.Array:
    """ISO 8601 local times with the UTC offset, ``2025-01-01T00:00:00+0800``."""
    local = index.tz_localize(None) if index.tz is not None else index
    text = pa.array(local.to_numpy().astype("datetime64[s]").astype(str))
    if index.tz is None:
        return text
    offset_s = (local - index.tz_convert("UTC").tz_localize(None)) // pd.Timedelta(seconds=1)
    offset_s = np.asarray(offset_s, dtype=np.int64)
    unique, inverse = np.unique(offset_s, return_inverse=True)
    labels = []
    for off in unique.tolist():
        sign = "-" if off < 0 else "+"
        h, m = divmod(abs(off) // 60, 60)
        labels.append(f"{sign}{h:02d}{m:02d}")
    suffix = pa.array(np.array(labels, dtype=object)[inverse].tolist(), pa.string())
    return pc.binary_join_element_wise(text, suffix, "")


def _column(values: pd.Series | pd.Index, decimals: int) -> pa.Array:
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        values.dtype
    ):
        return _iso_times(pd.DatetimeIndex(values))
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        v = arr.astype(np.float64)
        if _exponent_form(v[:, None], decimals)[0]:
            # Arrow would write exponent form: format this column in Python
            return pa.array([_plain(x, decimals) for x in v.tolist()], pa.string())
        # + 0.0 turns -0.0 (a small negative rounded) into 0.0
        return pa.array(np.round(v, decimals) + 0.0, mask=np.isnan(v))
    if arr.dtype.kind in "biu":
        return pa.array(arr)
    return pa.array(
        [
            None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
            for v in arr.tolist()
        ],
        pa.string(),
    )


def _exponent_form(block: np.ndarray, decimals: int) -> np.ndarray:
    """Per column of ``block`` (rows x columns): would Arrow write some value,
    rounded to ``decimals`` places, in exponent form?"""
    r = np.abs(np.round(block, decimals))
    positive = np.isfinite(r) & (r > 0.0)
    big = np.where(positive, r, 0.0).max(axis=0, initial=0.0) >= _ARROW_PLAIN_BELOW
    small = np.where(positive, r, np.inf).min(axis=0, initial=np.inf) < _ARROW_PLAIN_ABOVE
    return big | small


def _plain(x: float, decimals: int) -> str | None:
    """``x`` in plain decimal, correctly rounded to ``decimals`` places (Python's
    formatting rounds once; numpy's round then a format would round twice),
    trailing zeros dropped, no negative zero; None for NaN."""
    if x != x:
        return None
    text = f"{x:.{decimals}f}"
    if decimals and x - x == 0:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "-0.") else text


_ARROW_PLAIN_BELOW = 1e10
"""Arrow writes floats of this magnitude and above in exponent form."""
_ARROW_PLAIN_ABOVE = 1e-6
"""Arrow writes non-zero floats below this magnitude in exponent form (1e-7)."""


def _needs_quotes(arr: pa.Array) -> bool:
    """Text with a comma, a quote or a line end (RFC 4180)."""
    if not pa.types.is_string(arr.type) or len(arr) == 0:
        return False
    return bool(pc.any(pc.match_substring_regex(arr, r'[,"\r\n]')).as_py())


def _header(name: object) -> str:
    text = "" if name is None else str(name)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    frame: pd.DataFrame, path: str | Path, *, decimals: int = 6, index: bool = True
) -> Path:
    """Write ``frame`` as CSV, floats rounded to ``decimals`` places in plain decimal.

    Parameters
    ----------
    frame : pandas.DataFrame
        Flat columns (a MultiIndex is joined with ``.``).
    path : str or Path
    decimals : int
        Places after the decimal point for floats, 0 to 15.
    index : bool
        Write the index as the first column (its name as header).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import io, tempfile
    >>> f = pd.DataFrame({"power_kw": [1.5, -4e-7, 2400000.0, 1 / 3, float("nan")]})
    >>> out = write_csv(f, Path(tempfile.mkdtemp()) / "t.csv", index=False)
    >>> out.read_text().splitlines()
    ['power_kw', '1.5', '0', '2400000', '0.333333', '']
    """
    if not 0 <= decimals <= 15:
        msg = f"write_csv: decimals must be 0 to 15, got {decimals}"
        raise ValueError(msg)
    path = Path(path)
    names = [".".join(map(str, c)) if isinstance(c, tuple) else c for c in frame.columns]
    if index:
        names = [frame.index.name, *names]
    dense = _dense_floats(frame, decimals)
    # each column of the file: a position in ``dense`` (rounded chunk by
    # chunk) or the column's whole Arrow array (time, text, integers, and
    # floats spelled out in Python)
    layout: list[int | pa.Array] = [_column(frame.index, decimals)] if index else []
    where = {j: k for k, j in enumerate(dense)}
    layout += [
        where[j] if j in where else _column(frame.iloc[:, j], decimals)
        for j in range(frame.shape[1])
    ]
    text_needs_quotes = any(_needs_quotes(a) for a in layout if isinstance(a, pa.Array))
    header = ",".join(_header(n) for n in names) + "\n"
    options = pa_csv.WriteOptions(
        include_header=False, quoting_style="needed" if text_needs_quotes else "none"
    )
    column_names = [f"c{j}" for j in range(len(layout))]

    def rows(start: int, stop: int) -> pa.Table:
        """Rows ``[start, stop)`` as an Arrow table ready to format."""
        v = np.asfortranarray(frame.iloc[start:stop, dense].to_numpy(dtype=np.float64))
        r = np.round(v, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        nan = np.isnan(v)
        arrays = [
            pa.array(r[:, a], mask=nan[:, a])
            if isinstance(a, int)
            else a.slice(start, stop - start)
            for a in layout
        ]
        return pa.Table.from_arrays(arrays, names=column_names)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header.encode("utf-8"))
            _write_rows(rows, len(frame), fh, options)
        # mkstemp makes the file private (0600); a result file gets the mode of
        # any new file (0666 minus the umask), readable by the group
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_CHUNK_ROWS = 2048
"""Rows formatted per task of :func:`_write_rows`."""
_BATCH_CELLS = 262_144
"""Cells of a frame read at once to choose how its float columns are written."""
_FORMAT_THREADS = 2
"""Threads formatting chunks at once (Arrow formats outside the GIL)."""


def _dense_floats(frame: pd.DataFrame, decimals: int) -> list[int]:
    """Positions of the numpy float columns that Arrow writes in plain decimal
    once rounded (read in column batches of about ``_BATCH_CELLS`` cells)."""
    floats = [j for j, dt in enumerate(frame.dtypes) if isinstance(dt, np.dtype) and dt.kind == "f"]
    width = max(1, _BATCH_CELLS // max(1, len(frame)))
    dense: list[int] = []
    for i in range(0, len(floats), width):
        batch = floats[i : i + width]
        spelled = _exponent_form(frame.iloc[:, batch].to_numpy(dtype=np.float64), decimals)
        dense += [j for j, out in zip(batch, spelled.tolist(), strict=True) if not out]
    return dense


def _write_rows(rows, n_rows: int, fh, options: pa_csv.WriteOptions) -> None:
    """Write ``rows(start, stop)`` for the whole table to ``fh``: chunks of
    ``_CHUNK_ROWS`` rows are built and formatted by Arrow on
    ``_FORMAT_THREADS`` threads (Arrow formats outside the GIL) and written in
    order, at most twice as many chunks held as threads; the bytes are those
    of one ``write_csv`` call on the whole table."""

    def text(start: int) -> bytes:
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(rows(start, min(start + _CHUNK_ROWS, n_rows)), sink, options)
        return sink.getvalue().to_pybytes()

    starts = iter(range(0, n_rows, _CHUNK_ROWS))
    if n_rows <= _CHUNK_ROWS:
        for start in starts:
            fh.write(text(start))
        return
    with ThreadPoolExecutor(_FORMAT_THREADS) as pool:
        pending = deque(pool.submit(text, i) for i in islice(starts, 2 * _FORMAT_THREADS))
        while pending:
            fh.write(pending.popleft().result())
            nxt = next(starts, None)
            if nxt is not None:
                pending.append(pool.submit(text, nxt))


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as Parquet (pyarrow, index kept), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write_parquet_file(frame, tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet_file(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as Parquet to ``path`` as it is (no temporary file: for
    a folder that is itself written atomically). What ``pandas.read_parquet``
    reads back equals ``frame`` (pandas metadata kept, index included)."""
    table = pa.Table.from_pandas(frame)
    dictionary = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    pq.write_table(table, path, use_dictionary=dictionary)
