"""The fast table writers: plain decimal at the stated precision, read back
by pandas and the csv module, time index with its UTC offset."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from twin import io_tables
from twin.io_tables import write_csv, write_parquet

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(finite, min_size=1, max_size=40), st.integers(0, 9))
@example([1073741824.625], 2)  # a tie at 1e9, where the double's own spacing counts
def test_floats_round_trip_within_the_stated_precision(tmp_path_factory, values, decimals):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(pd.DataFrame({"x_kw": values}), path, decimals=decimals, index=False)
    lines = path.read_text().splitlines()
    assert lines[0] == "x_kw"
    for text, v in zip(lines[1:], values, strict=True):
        assert "e" not in text.lower()  # plain decimal
        assert len(text.partition(".")[2]) <= decimals
        # half a unit of the last decimal, plus the float spacing of the value and
        # of the text read back (at 1e9 a double resolves only ~1.2e-7)
        tol = 0.5 * 10.0**-decimals + 2.0 * np.spacing(abs(v))
        assert abs(float(text) - v) <= tol


def test_nan_inf_ints_bools_and_text(tmp_path):
    frame = pd.DataFrame(
        {
            "a_kw": [np.nan, np.inf, -np.inf, -1e-9],
            "n": np.array([1, 2, 3, 4], dtype=np.int64),
            "ok": [True, False, True, False],
            "label": ["plain", "with, comma", 'say "hi"', None],
        }
    )
    path = write_csv(frame, tmp_path / "t.csv", index=False)
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["a_kw", "n", "ok", "label"]
    assert [r[0] for r in rows[1:]] == ["", "inf", "-inf", "0"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert [r[3] for r in rows[1:]] == ["plain", "with, comma", 'say "hi"', ""]
    back = pd.read_csv(path)
    assert back["ok"].tolist() == [True, False, True, False]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin", None])
def test_time_index_in_iso_8601_with_the_utc_offset(tmp_path, tz):
    index = pd.date_range("2025-03-30", periods=6, freq="h", tz=tz, name="time")
    path = write_csv(pd.DataFrame({"p_kw": np.arange(6.0)}, index=index), tmp_path / "t.csv")
    got = [line.split(",")[0] for line in path.read_text().splitlines()[1:]]
    assert got == list(index.strftime("%Y-%m-%dT%H:%M:%S%z" if tz else "%Y-%m-%dT%H:%M:%S"))
    assert path.read_text().splitlines()[0] == "time,p_kw"


def test_multiindex_columns_are_joined_and_parquet_round_trips(tmp_path):
    cols = pd.MultiIndex.from_tuples([("pv", "ac", "power_kw"), ("grid", "el", "power_kw")])
    frame = pd.DataFrame(np.random.default_rng(1).random((5, 2)), columns=cols)
    path = write_csv(frame, tmp_path / "t.csv")
    assert path.read_text().splitlines()[0] == ",pv.ac.power_kw,grid.el.power_kw"
    flat = frame.set_axis(["a_kw", "b_kw"], axis=1)
    pd.testing.assert_frame_equal(
        pd.read_parquet(write_parquet(flat, tmp_path / "t.parquet")), flat
    )


def test_bad_precision_is_refused(tmp_path):
    with pytest.raises(ValueError, match="decimals must be 0 to 15"):
        write_csv(pd.DataFrame({"a": [1.0]}), tmp_path / "t.csv", decimals=20)


def test_a_table_of_many_chunks_is_written_whole_and_in_order(tmp_path):
    """More rows than one formatting chunk (several threads): every row once,
    in order, each column formatted as in a short table (a column of large
    magnitudes spelled out, text quoted in every chunk, NaN empty)."""
    n = 5 * io_tables._CHUNK_ROWS + 17
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "p_kw": rng.normal(0.0, 100.0, n),
            "e_kwh": np.where(np.arange(n) % 1000 == 0, 3.0e12, 1.5),  # exponent in Arrow
            "gap": np.where(np.arange(n) % 3 == 0, np.nan, 0.25),
            "n": np.arange(n, dtype=np.int64),
            "label": ["a, b" if i == n - 1 else "plain" for i in range(n)],
        },
        index=pd.date_range("2025-01-01", periods=n, freq="min", tz="Asia/Shanghai", name="time"),
    )
    path = write_csv(frame, tmp_path / "t.csv", decimals=4)
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == n + 1
    assert [int(r[4]) for r in rows[1:]] == list(range(n))
    assert rows[-1][5] == "a, b" and rows[1][5] == "plain"
    assert rows[1][0] == "2025-01-01T00:00:00+0800"
    assert rows[-1][0] == frame.index[-1].strftime("%Y-%m-%dT%H:%M:%S%z")
    assert all("e" not in r[2] for r in rows[1:]) and rows[1][2] == "3000000000000"
    assert [r[3] for r in rows[1:4]] == ["", "0.25", "0.25"]
    back = np.array([float(r[1]) for r in rows[1:]])
    np.testing.assert_allclose(back, frame["p_kw"], rtol=0, atol=0.5e-4 + 1e-12)
    # the quoting is the same in every chunk: the text column is quoted throughout
    assert path.read_text().splitlines()[1].endswith('"plain"')


def test_parquet_reads_back_equal_with_dictionaries_only_for_columns_that_are_not_floats(
    tmp_path,
):
    import pyarrow.parquet as pq

    index = pd.date_range("2025-01-01", periods=48, freq="h", tz="Asia/Shanghai", name="time")
    frame = pd.DataFrame(
        {
            "load_kw": np.linspace(0.0, 4.7, 48),
            "zeros_kw": np.zeros(48),
            "tou_period": pd.Categorical(["valley", "peak"] * 24),
        },
        index=index,
    )
    path = write_parquet(frame, tmp_path / "h.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame, check_freq=False)
    meta = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {
        meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)
    }
    assert not any("DICTIONARY" in e for e in encodings["load_kw"] + encodings["zeros_kw"])
    assert any("DICTIONARY" in e for e in encodings["tou_period"])
