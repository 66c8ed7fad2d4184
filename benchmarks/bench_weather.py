"""Speed of the weather readers and of the synthetic year, against pvlib's parse alone.

For each format, the median wall time over repeated reads of

- ``pvlib.iotools`` parsing the same text (the peer: what any pvlib user pays),
- ``twin.weather.read_weather`` (pvlib's parse + canonical columns and units,
  re-labelling, gap fill, checks, timing measurement),

and their ratio; then the median time of a synthetic year. Files are the
reader test samples (pvlib's own test data) and a bundled EPW. The machine
may be shared: quote medians and ratios, not single runs.

Usage: ``python benchmarks/bench_weather.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import statistics
import sys
import time
from pathlib import Path

import pvlib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin import weather  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "weather"
PVLIB_DATA = Path(pvlib.__file__).parent / "data"


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    cases = [
        (
            "EPW (bundled CSWD)",
            weather.site_path("shanghai-cswd"),
            lambda t: pvlib.iotools.read_epw(io.StringIO(t)),
        ),
        ("TMY3", PVLIB_DATA / "723170TYA.CSV", lambda t: pvlib.iotools.read_tmy3(io.StringIO(t))),
        ("TMY2", PVLIB_DATA / "12839.tm2", None),
        (
            "PVGIS TMY CSV",
            SAMPLES / "tmy_45.000_8.000_2005_2023.csv.gz",
            lambda t: pvlib.iotools.read_pvgis_tmy(io.BytesIO(t.encode()), pvgis_format="csv"),
        ),
        (
            "PVGIS TMY JSON",
            SAMPLES / "tmy_45.000_8.000_2005_2023.json.gz",
            lambda t: pvlib.iotools.read_pvgis_tmy(io.StringIO(t), pvgis_format="json"),
        ),
        (
            "NSRDB PSM3 2017 (30 min)",
            SAMPLES / "test_read_psm3.csv.gz",
            lambda t: pvlib.iotools.read_nsrdb_psm4(io.StringIO(t)),
        ),
    ]
    print(f"median of {args.repeat} reads [ms]; ratio = read_weather / pvlib parse")
    print(f"  {'format':<26}{'pvlib':>10}{'twin':>10}{'ratio':>8}")
    for label, path, peer in cases:
        text = _text(path)
        if peer is None:  # pvlib.iotools.read_tmy2 opens a file name
            peer_s = _median_s(lambda p=path: pvlib.iotools.read_tmy2(str(p)), args.repeat)
        else:
            peer_s = _median_s(lambda t=text, f=peer: f(t), args.repeat)
        ours_s = _median_s(lambda p=path: weather.read_weather(p, strict=False), args.repeat)
        print(f"  {label:<26}{peer_s * 1e3:>10.0f}{ours_s * 1e3:>10.0f}{ours_s / peer_s:>8.2f}")
    w = weather.load_weather("shanghai-tmyx")
    f = w.frame
    month = f.index.month
    day = f["temp_air_c"].resample("D")
    rng = day.max() - day.min()
    table = {
        "monthly_ghi_kwh_per_m2": (f["ghi_w_per_m2"].groupby(month).sum() / 1000).to_numpy(),
        "monthly_temp_c": f["temp_air_c"].groupby(month).mean().to_numpy(),
        "monthly_temp_range_c": rng.groupby(rng.index.month).mean().to_numpy(),
        "monthly_relative_humidity_frac": f["relative_humidity_frac"]
        .clip(upper=1.0)
        .groupby(month)
        .mean()
        .to_numpy(),
    }
    loc = w.location
    synth_s = _median_s(
        lambda: weather.synthetic_year(
            latitude_deg=loc.latitude_deg, longitude_deg=loc.longitude_deg, **table
        ),
        args.repeat,
    )
    print(f"synthetic year (Shanghai monthly means, checks included): {synth_s * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
