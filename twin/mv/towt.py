"""Time-of-week-and-temperature (TOWT) baseline on hourly data.

How does hourly energy depend on the hour of the week and on outdoor
temperature? The LBNL model of Mathieu et al. (2011) as specified by
CalTRACK 2.0: one indicator per hour of the week (168, no intercept) and a
piecewise-linear temperature response over fixed bins (30, 45, 55, 65, 75,
90 °F; a bin with fewer than 20 hours is merged into its neighbour), with
separate temperature slopes for occupied and unoccupied hours. An hour of
the week is occupied when more than 65 % of its residuals from a simple
HDD(50 °F)/CDD(65 °F) fit are under-predictions. Production and custom
drivers may be added as hourly regressors.

This is one model for the whole baseline; CalTRACK's month-by-month
variant (twelve fits, adjacent months weighted 0.5) is not implemented.

References
----------
.. [1] J. L. Mathieu, P. N. Price, S. Kiliccote, M. A. Piette, "Quantifying
   changes in building electricity use, with application to demand
   response", IEEE Transactions on Smart Grid 2(3), 2011.
.. [2] CalTRACK 2.0 methods, sections 3.7-3.11.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.mv.stats import FitStatistics, criterion, fit_statistics

__all__ = ["TowtModel", "fit_towt", "temperature_bin_edges_c"]

MIN_BIN_HOURS = 20
"""Hours a temperature bin needs before it is merged (CalTRACK 2.0 §3.9)."""


def temperature_bin_edges_c() -> np.ndarray:
    """CalTRACK bin edges converted to °C (30, 45, 55, 65, 75, 90 °F)."""
    f = np.array([float(x) for x in criterion("towt_bin_edges", "hourly").limit.split()])
    return (f - 32.0) * 5.0 / 9.0


def _edges_for(temp_c: np.ndarray) -> np.ndarray:
    edges = list(temperature_bin_edges_c())
    changed = True
    while changed and edges:
        changed = False
        bounds = [-np.inf, *edges, np.inf]
        for i in range(len(bounds) - 1):
            count = int(np.count_nonzero((temp_c >= bounds[i]) & (temp_c < bounds[i + 1])))
            if count < MIN_BIN_HOURS:
                # merge with a neighbour by removing the edge on its inner side
                drop = i if i < len(edges) else i - 1
                del edges[drop]
                changed = True
                break
    return np.array(edges)


def _temp_basis(temp_c: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Piecewise-linear components: the part of T in each bin (Mathieu et al. Eq. 3)."""
    t = np.asarray(temp_c, float)
    if edges.size == 0:
        return t[:, None]
    cols = [np.minimum(t, edges[0])]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        cols.append(np.clip(t - lo, 0.0, hi - lo))
    cols.append(np.maximum(t - edges[-1], 0.0))
    return np.column_stack(cols)


def _tow(index: pd.DatetimeIndex) -> np.ndarray:
    return (index.day_of_week * 24 + index.hour).to_numpy()


@dataclass
class TowtModel:
    """A fitted TOWT model.

    Attributes
    ----------
    edges_c : array
        Temperature bin edges after merging [°C].
    occupied : array of bool
        Occupancy of each of the 168 hours of the week.
    coefficients : array
        Least-squares coefficients (168 hour-of-week terms, then the
        occupied and unoccupied temperature terms, then drivers).
    drivers : list of str
    n_params : int
        Rank of the design (coefficients actually determined).
    """

    edges_c: np.ndarray
    occupied: np.ndarray
    coefficients: np.ndarray
    drivers: list[str]
    n_params: int

    def design(
        self,
        index: pd.DatetimeIndex,
        temp_c: np.ndarray,
        drivers: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        tow = _tow(index)
        n = len(index)
        dummies = np.zeros((n, 168))
        dummies[np.arange(n), tow] = 1.0
        basis = _temp_basis(temp_c, self.edges_c)
        occ = self.occupied[tow][:, None]
        parts = [dummies]
        if self.occupied.any():
            parts.append(basis * occ)
        if (~self.occupied).any():
            parts.append(basis * ~occ)
        for name in self.drivers:
            parts.append(np.asarray(drivers[name], float)[:, None])
        return np.hstack(parts)

    def predict_kwh(
        self,
        index: pd.DatetimeIndex,
        temp_c: np.ndarray,
        drivers: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Energy per hour [kWh]."""
        return self.design(index, temp_c, drivers) @ self.coefficients

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": "towt",
            "bin_edges_c": self.edges_c.round(3).tolist(),
            "occupied_hours_of_week": int(self.occupied.sum()),
            "n_params": self.n_params,
            "drivers": self.drivers,
            "driver_coefficients": {
                d: float(self.coefficients[-len(self.drivers) + i])
                for i, d in enumerate(self.drivers)
            },
        }


def fit_towt(
    index: pd.DatetimeIndex,
    energy_kwh: np.ndarray,
    temp_c: np.ndarray,
    drivers: dict[str, np.ndarray] | None = None,
) -> tuple[TowtModel, FitStatistics]:
    """Fit TOWT to hourly baseline data.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour starts (local time decides the hour of the week).
    energy_kwh : array
        Energy per hour [kWh].
    temp_c : array
        Hourly outdoor temperature [°C].
    drivers : dict of str to array, optional
        Hourly driver values.

    Returns
    -------
    (TowtModel, FitStatistics)
    """
    y = np.asarray(energy_kwh, float)
    t = np.asarray(temp_c, float)
    drivers = dict(drivers or {})
    hdd = np.maximum((50.0 - 32.0) * 5 / 9 - t, 0.0)
    cdd = np.maximum(t - (65.0 - 32.0) * 5 / 9, 0.0)
    X0 = np.column_stack([np.ones_like(t), hdd, cdd])
    b0, *_ = np.linalg.lstsq(X0, y, rcond=None)
    under = (y - X0 @ b0) > 0
    tow = _tow(index)
    share = np.bincount(tow, weights=under, minlength=168) / np.maximum(
        np.bincount(tow, minlength=168), 1
    )
    occupied = share > criterion("towt_occupied_share", "hourly").value
    model = TowtModel(_edges_for(t), occupied, np.zeros(0), list(drivers), 0)
    X = model.design(index, t, drivers)
    # Least squares with the 168 indicators partialled out (Frisch-Waugh-Lovell): the
    # continuous columns and the energy are centred within each hour of the week, the small
    # system is solved for their slopes, and each hour's coefficient is its mean residual.
    # The same solution as lstsq on the full design, in O(n k) instead of O(n 182²).
    counts = np.bincount(tow, minlength=168).astype(float)
    present = counts > 0
    safe = np.where(present, counts, 1.0)
    Z = X[:, 168:]
    z_mean = np.stack(
        [np.bincount(tow, weights=Z[:, j], minlength=168) for j in range(Z.shape[1])], axis=1
    )
    z_mean /= safe[:, None]
    y_mean = np.bincount(tow, weights=y, minlength=168) / safe
    slopes, _, rank_z, _ = np.linalg.lstsq(Z - z_mean[tow], y - y_mean[tow], rcond=None)
    hour_terms = np.where(present, y_mean - z_mean @ slopes, 0.0)
    model.coefficients = np.concatenate([hour_terms, slopes])
    model.n_params = int(present.sum() + rank_z)
    pred = X @ model.coefficients
    return model, fit_statistics(y, pred, model.n_params)
