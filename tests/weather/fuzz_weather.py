"""Mutated weather files for the fuzzing suite, and the long campaign.

    python -m tests.weather.fuzz_weather --n 10000 --seed 0

A case starts from a file that loads as it is (the bundled Suzhou TMYx EPW,
the Greensboro TMY3 that pvlib ships, and that TMY3 written as a described
CSV) and applies one to three mutations chosen by a :class:`random.Random`:
a header field or a data value replaced by a hostile one (NaN, infinity,
1e308, a missing-value code, text, 99,999 m), rows deleted, duplicated,
swapped or cut, header lines dropped, the file truncated at any byte, bytes
that are not UTF-8, columns swapped, scaled or zeroed, the irradiance moved
by hours, fields added to or removed from a row, the file gzipped or a
gzip stream cut; for the CSV also its description (units, labels, time
zone, columns). The file is read as ``twin run`` reads it (strict) and as
``twin weather check`` reads it (every finding listed).

Outcome of a case: ``"accepted"`` (a usable year: complete, finite) or
``"rejected"`` (:class:`~twin.weather.WeatherError` whose message names the
file); anything else is an uncaught exception and fails the suite. The
random source comes from hypothesis (``st.randoms``) in the suite, or from a
seed here, so both run the same code.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import random
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pvlib
from twin.weather import WeatherError, load_weather, read_weather, site_path
from twin.weather.checks import raise_for_errors

KINDS = ("epw", "tmy3", "csv")

HOSTILE_TEXT = (
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "",
    " ",
    "abc",
    "99999",
    "-99999",
    "9999",
    "-9900",
    "999.9",
    "0",
    "-0",
    "1e-320",
    "12:30",
    '"',
    "电",
    "0x1F",
)

_TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


def _bases() -> dict[str, str]:
    epw = gzip.decompress(site_path("suzhou-tmyx").read_bytes()).decode("latin-1")
    tmy3 = _TMY3.read_text(encoding="latin-1")
    data, _ = pvlib.iotools.read_tmy3(_TMY3, map_variables=True)
    stamps = pd.read_csv(_TMY3, skiprows=1, usecols=[0, 1])
    hours = stamps.iloc[:, 1].str.slice(0, 2).astype(int)
    end = pd.to_datetime(stamps.iloc[:, 0], format="%m/%d/%Y") + pd.to_timedelta(hours, "h")
    frame = pd.DataFrame(
        {
            "time": end.dt.strftime("%Y-%m-%d %H:%M"),
            "GHI": data["ghi"].to_numpy(),
            "DNI": data["dni"].to_numpy(),
            "DHI": data["dhi"].to_numpy(),
            "T": data["temp_air"].to_numpy(),
            "RH": data["relative_humidity"].to_numpy(),
            "WS": data["wind_speed"].to_numpy(),
        }
    )
    return {"epw": epw, "tmy3": tmy3, "csv": frame.to_csv(index=False)}


_BASES: dict[str, str] = {}

CSV_OPTIONS: dict[str, Any] = {
    "columns": {
        "ghi_w_per_m2": "GHI",
        "dni_w_per_m2": "DNI",
        "dhi_w_per_m2": "DHI",
        "temp_air_c": "T",
        "relative_humidity_frac": "RH",
        "wind_speed_m_per_s": "WS",
    },
    "units": {"relative_humidity_frac": "%"},
    "label": "end",
    "time_column": "time",
    "tz_offset_h": -5.0,
    "latitude_deg": 36.1,
    "longitude_deg": -79.95,
    "elevation_m": 273.0,
    "typical": True,
}

#: (first data line, field separator, irradiance fields GHI/DNI/DHI, location fields)
_LAYOUT = {
    "epw": (8, ",", (13, 14, 15)),
    "tmy3": (2, ",", (4, 7, 10)),
    "csv": (1, ",", (1, 2, 3)),
}


def _split(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _field(line: str, i: int, value: str) -> str:
    end = "\n" if line.endswith("\n") else ""
    parts = line.rstrip("\r\n").split(",")
    if i < len(parts):
        parts[i] = value
    return ",".join(parts) + end


def _rows_map(lines: list[str], start: int, fn) -> list[str]:
    out = lines[:start]
    for line in lines[start:]:
        end = "\n" if line.endswith("\n") else ""
        parts = line.rstrip("\r\n").split(",")
        out.append(",".join(fn(parts)) + end)
    return out


def _mutate_text(kind: str, text: str, rng: random.Random) -> str:
    start, _, irr = _LAYOUT[kind]
    lines = _split(text)
    n = len(lines)
    op = rng.randrange(16)
    if op == 0:  # a header value replaced
        head = rng.randrange(start) if start else 0
        parts = lines[head].rstrip("\r\n").split(",")
        lines[head] = _field(
            lines[head], rng.randrange(max(1, len(parts))), rng.choice(HOSTILE_TEXT)
        )
    elif op == 1:  # a data value replaced in a few rows
        for _ in range(rng.choice((1, 2, 10, 500))):
            k = rng.randrange(start, n) if n > start else 0
            parts = lines[k].rstrip("\r\n").split(",")
            lines[k] = _field(lines[k], rng.randrange(max(1, len(parts))), rng.choice(HOSTILE_TEXT))
    elif op == 2:  # rows deleted
        a = rng.randrange(start, max(start + 1, n))
        del lines[a : a + rng.choice((1, 2, 24, 1000, n))]
    elif op == 3:  # rows duplicated or swapped
        a, b = rng.randrange(n), rng.randrange(n)
        if rng.random() < 0.5:
            lines.insert(a, lines[b])
        else:
            lines[a], lines[b] = lines[b], lines[a]
    elif op == 4:  # header lines dropped
        k = rng.randrange(max(1, start))
        del lines[k : k + rng.choice((1, 2, start or 1))]
    elif op == 5:  # file cut at any byte
        return text[: rng.randrange(len(text) + 1)]
    elif op == 6:  # GHI and DHI swapped, or GHI and DNI
        j = rng.choice(irr[1:])

        def swap(p: list[str]) -> list[str]:
            if max(irr[0], j) < len(p):
                p[irr[0]], p[j] = p[j], p[irr[0]]
            return p

        lines = _rows_map(lines, start, swap)
    elif op == 7:  # irradiance zeroed or scaled (a wrong unit)
        factor = rng.choice((0.0, 3.6, 1000.0, 0.001, -1.0))

        def scale(p: list[str]) -> list[str]:
            for j in irr:
                if j < len(p):
                    try:
                        p[j] = f"{float(p[j]) * factor:g}"
                    except ValueError:
                        pass
            return p

        lines = _rows_map(lines, start, scale)
    elif op == 8:  # irradiance moved by hours (a wrong time base)
        k = rng.choice((1, 2, 3, 5, -1, -3, 12))
        data = [line.rstrip("\r\n").split(",") for line in lines[start:]]
        for i, p in enumerate(data):
            src = data[(i - k) % len(data)] if data else p
            for j in irr:
                if j < len(p) and j < len(src):
                    p[j] = src[j]
        lines = lines[:start] + [",".join(p) + "\n" for p in data]
    elif op == 9:  # bytes that are not UTF-8 (latin-1 readers accept them)
        k = rng.randrange(n) if n else 0
        if n:
            lines[k] = "\udcff" + lines[k]
    elif op == 10:  # fields added to or removed from a row
        k = rng.randrange(n) if n else 0
        if n:
            parts = lines[k].rstrip("\r\n").split(",")
            parts = (
                parts + ["1"] * rng.randint(1, 5)
                if rng.random() < 0.5
                else parts[: rng.randrange(len(parts) + 1)]
            )
            lines[k] = ",".join(parts) + "\n"
    elif op == 11:  # blank lines and stray whitespace
        k = rng.randrange(n + 1)
        lines.insert(k, rng.choice(("\n", "\r\n", " \n", ",,,,\n")))
    elif op == 12:  # a location field of the header made hostile (EPW/TMY3 line 1)
        lines[0] = _field(
            lines[0],
            rng.choice((3, 4, 5, 6, 7, 8, 9)),
            rng.choice(("99999", "999", "-999", "nan", "inf", "-5.0", "14.5", "180.1", "-91")),
        )
    elif op == 13:  # the date or hour columns broken
        col = (
            rng.choice((0, 1, 2, 3))
            if kind == "epw"
            else rng.choice((0, 1))
            if kind == "tmy3"
            else 0
        )
        for _ in range(rng.choice((1, 5, 100))):
            k = rng.randrange(start, n) if n > start else 0
            lines[k] = _field(
                lines[k], col, rng.choice(("0", "13", "32", "25", "24:30", "02/30/1999", "x", ""))
            )
    elif op == 14:  # night irradiance, or DHI above GHI, in a few rows
        for _ in range(rng.choice((1, 3, 40))):
            k = rng.randrange(start, n) if n > start else 0
            lines[k] = _field(lines[k], rng.choice(irr), rng.choice(("400", "1500", "2000")))
    else:  # the whole data block repeated (two years in one file)
        lines = lines + lines[start:]
    return "".join(lines)


def _mutate_options(options: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = json.loads(json.dumps(options))
    op = rng.randrange(7)
    if op == 0:
        out["units"][rng.choice(list(out["columns"]))] = rng.choice(
            ("kJ/m2", "K", "F", "%", "frac", "x", "W/m2")
        )
    elif op == 1:
        out["label"] = rng.choice(("start", "centre", "end", "middle", ""))
    elif op == 2:
        out["tz_offset_h"] = rng.choice((8.0, -12.0, 14.0, 99.0, math.nan, math.inf, -5.5))
    elif op == 3:
        key = rng.choice(("latitude_deg", "longitude_deg", "elevation_m"))
        out[key] = rng.choice((999.0, -999.0, 99_999.0, math.nan, math.inf, 0.0, -79.95))
    elif op == 4:
        col = rng.choice(list(out["columns"]))
        if rng.random() < 0.5:
            del out["columns"][col]
        else:
            out["columns"][col] = rng.choice(("ghi", "GHI ", "T", "nope"))
    elif op == 5:
        out["time_column"] = rng.choice(("Time", "GHI", ""))
    else:
        out["typical"] = rng.choice((False, True))
    return out


def _write(path: Path, text: str, rng: random.Random) -> Path:
    raw = text.encode("utf-8", errors="surrogateescape")  # "\udcff" becomes the byte 0xff
    roll = rng.random()
    if roll < 0.1:
        raw = gzip.compress(raw, mtime=0)
        path = path.with_name(path.name + ".gz")
    elif roll < 0.12:
        raw = gzip.compress(raw, mtime=0)[: rng.randrange(1, 40)]
        path = path.with_name(path.name + ".gz")
    path.write_bytes(raw)
    return path


def _usable(w: Any) -> None:
    """An accepted weather year must drive a run: complete and finite."""
    frame = w.frame
    assert len(frame) in (8760, 8784), f"accepted {len(frame)} rows"
    values = frame.drop(columns="albedo_frac").to_numpy(dtype=np.float64)
    assert np.isfinite(values).all(), "accepted weather with NaN or inf"
    assert frame.index.is_monotonic_increasing and frame.index.tz is not None


def run_case(kind: str, rng: random.Random, folder: Path) -> str:
    """Build one mutated file of ``kind``, read it both ways; return the outcome.

    Raises
    ------
    AssertionError
        A rejection that is not the project's error naming the file, or an
        accepted year that is not usable.
    Exception
        Any uncaught exception of the readers (a bug).
    """
    if not _BASES:
        _BASES.update(_bases())
    text = _BASES[kind]
    options = dict(CSV_OPTIONS)
    for _ in range(rng.randint(1, 3)):
        if kind == "csv" and rng.random() < 0.3:
            options = _mutate_options(options, rng)
        else:
            text = _mutate_text(kind, text, rng)
    path = _write(
        folder / {"epw": "site.epw", "tmy3": "site_tmy3.csv", "csv": "logger.csv"}[kind], text, rng
    )
    correct = rng.random() < 0.3

    def read(strict: bool) -> Any:
        if kind == "csv":
            return read_weather(
                path, format="csv", strict=strict, correct_timing=correct, **options
            )
        return load_weather(path, strict=strict, correct_timing=correct)

    try:
        w = read(strict=False)  # as `twin weather check` reads it: every finding listed
    except WeatherError as exc:
        assert str(path) in str(exc), f"rejection does not name the file: {exc}"
        return "rejected"
    errors = w.issues_with("error")
    for issue in w.issues:
        assert str(path) in issue.message, f"finding does not name the file: {issue.message}"
    if errors:
        try:
            raise_for_errors(errors)
        except WeatherError as exc:
            assert str(path) in str(exc)
        return "rejected"
    _usable(w)
    return "accepted"


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    root = str(Path(__file__).resolve().parents[2])
    ours = [f for f in frames if f.filename.startswith(root) and "/tests/" not in f.filename]
    f = (ours or frames)[-1]
    return f"{f.filename.removeprefix(root + '/')}:{f.lineno} {f.name}"


def campaign(kind: str, n: int, seed: int, log: io.TextIOBase | None = None) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    crashes: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    for i in range(n):
        rng = random.Random(f"{seed}:{kind}:{i}")
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("error")  # as the suite runs: a stray warning is a finding
            try:
                counts[run_case(kind, rng, Path(tmp))] += 1
            except Exception as exc:  # noqa: BLE001 (the campaign tallies every bug)
                counts["crash"] += 1
                key = f"{type(exc).__name__} at {_where(exc)}"
                entry = crashes.setdefault(
                    key, {"count": 0, "first_case": i, "message": str(exc)[:300]}
                )
                entry["count"] += 1
        if log is not None and (i + 1) % 500 == 0:
            kinds = {k: v["count"] for k, v in crashes.items()}
            print(f"{kind}: {i + 1}/{n} {dict(counts)} {kinds}", file=log, flush=True)
    return {
        "kind": kind,
        "cases": n,
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 1),
        **{k: counts.get(k, 0) for k in ("accepted", "rejected", "crash")},
        "crash_kinds": crashes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="cases per kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kind", choices=KINDS, action="append", help="default: every kind")
    args = parser.parse_args(argv)
    results = [campaign(k, args.n, args.seed, log=sys.stderr) for k in args.kind or KINDS]
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if any(r["crash"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
