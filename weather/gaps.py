"""Which missing hours may be filled, and how? The gap-fill policy.

Policy (every fill is reported as an ``"info"`` issue, never silent):

- Irradiance (GHI, DNI, DHI): a missing hour with the sun below the horizon
  for the whole hour (interval-mean extraterrestrial irradiance 0) is set to
  0 W/m², whatever the gap length. Daytime gaps of at most 2 h are filled by
  linear interpolation in time between the neighbouring hours.
- Temperatures, relative humidity, wind speed, pressure, albedo: gaps of at
  most 3 h are filled by linear interpolation.
- Wind direction: gaps of at most 3 h are filled by interpolating the unit
  vector (sin, cos) and taking the angle, so 350° → 10° passes through 0°.
- Longer gaps stay NaN; :func:`weather.checks.check_missing` then reports
  them as errors (the weather is unusable), except albedo, which may stay NaN.

A full year (8760 or 8784 rows) is treated as cyclic, as a typical year is:
a gap spanning 31 Dec → 1 Jan is one gap, filled from both ends.
The limits are :data:`weather.variables.FILL_LIMIT_H`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._solar import extraterrestrial_horizontal_mean
from .core import Location, WeatherIssue
from .variables import FILL_LIMIT_H, IRRADIANCE_COLUMNS

__all__ = ["fill_gaps"]

_YEAR_LENGTHS = (8760, 8784)


def _nan_runs(isnan: np.ndarray, cyclic: bool) -> list[np.ndarray]:
    """Positions of each run of True in ``isnan`` (wrapping if ``cyclic``)."""
    n = isnan.size
    if n == 0 or not isnan.any():
        return []
    if isnan.all():
        return [np.arange(n)]
    padded = np.concatenate([[0], isnan.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    runs = [np.arange(s, e) for s, e in zip(edges[0::2], edges[1::2], strict=True)]
    if cyclic and isnan[0] and isnan[-1] and len(runs) > 1:
        runs = [np.concatenate([runs[-1], runs[0]]), *runs[1:-1]]
    return runs


def _fill_mask(isnan: np.ndarray, limit: int, cyclic: bool) -> np.ndarray:
    mask = np.zeros(isnan.size, dtype=bool)
    for run in _nan_runs(isnan, cyclic):
        if run.size <= limit:
            mask[run] = True
    return mask


def _interpolate(values: np.ndarray, mask: np.ndarray, cyclic: bool) -> np.ndarray:
    """Linear interpolation at ``mask`` positions from the finite values."""
    x = np.arange(values.size, dtype=np.float64)
    ok = np.isfinite(values)
    out = values.copy()
    if ok.sum() < 2 or not mask.any():
        return out
    period = float(values.size) if cyclic else None
    if period is None:
        # Edge gaps of a non-cyclic series have only one neighbour: leave them.
        inside = (x > x[ok][0]) & (x < x[ok][-1])
        mask = mask & inside
    out[mask] = np.interp(x[mask], x[ok], values[ok], period=period)
    return out


def fill_gaps(
    frame: pd.DataFrame, location: Location, *, source: str = "<frame>"
) -> tuple[pd.DataFrame, list[WeatherIssue]]:
    """Fill short gaps by the package's fill policy (see module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Hourly weather frame in canonical columns, index = interval start.
    location : Location
        Site, used to tell night from day for irradiance.
    source : str
        File name used in messages.

    Returns
    -------
    frame : pandas.DataFrame
        A new frame with the short gaps filled (the input is unchanged).
    issues : list of WeatherIssue
        One ``"info"`` issue per column that was filled.
    """
    out = frame.copy()
    issues: list[WeatherIssue] = []
    cyclic = len(frame) in _YEAR_LENGTHS
    if not frame.isna().to_numpy().any():
        return out, issues

    night = None
    for col in frame.columns:
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        isnan = np.isnan(values)
        if not isnan.any() or col not in FILL_LIMIT_H:
            continue
        limit = FILL_LIMIT_H[col]
        filled = values.copy()
        n_night = 0
        if col in IRRADIANCE_COLUMNS:
            if night is None:
                night = (
                    extraterrestrial_horizontal_mean(
                        frame.index, location.latitude_deg, location.longitude_deg
                    )
                    <= 0.0
                )
            night_nan = isnan & night
            n_night = int(night_nan.sum())
            filled[night_nan] = 0.0
            isnan = np.isnan(filled)
        mask = _fill_mask(isnan, limit, cyclic)
        if col == "wind_direction_deg":
            rad = np.radians(values)
            sin_i = _interpolate(np.sin(rad), mask, cyclic)
            cos_i = _interpolate(np.cos(rad), mask, cyclic)
            angle = np.mod(np.degrees(np.arctan2(sin_i, cos_i)), 360.0)
            filled[mask] = angle[mask]
        else:
            filled = _interpolate(filled, mask, cyclic)
        n_interp = int((mask & np.isfinite(filled)).sum())
        if n_night + n_interp == 0:
            continue
        out[col] = filled
        night_text = f"{n_night} night hour(s) set to 0 W/m²; " if n_night else ""
        msg = (
            f"{source}: {col}: filled {n_night + n_interp} missing value(s): {night_text}"
            f"{n_interp} by linear interpolation over gaps <= {limit} h"
        )
        issues.append(WeatherIssue("gap_filled", "info", msg, n_night + n_interp, col))
    return out, issues
