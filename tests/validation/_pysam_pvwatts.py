"""Annual AC energy from NREL PySAM PVWatts v8, for validation tests.

PySAM is an optional test dependency; import this module only after
``pytest.importorskip("PySAM.Pvwattsv8")``.

Notes on running PVWatts v8 as a peer of ``components.pv``:

- ``gcr`` defaults to 0.01, the smallest PVWatts accepts: rows 100 module
  lengths apart, so its row-to-row self-shading of open-rack arrays is
  negligible, like the unshaded arrays of our component. Roof mounts have
  no self-shading in PVWatts.
- PySAM 7.1 takes the EPW *minute* field as the time of the record: 30 in
  TMYx files puts the sun at the interval midpoint, 0 in CSWD files puts it
  at the interval start (``ts_shift_hours`` output).
- PySAM 7.1 does not take the EPW albedo field: its ``alb`` output is the
  0.2 default on every step, even for TMYx files with albedo 0.09.
"""

from __future__ import annotations

from pathlib import Path

import PySAM.Pvwattsv8 as pv8

__all__ = ["ARRAY_TYPE", "pvwatts_v8_ac_annual_kwh"]

ARRAY_TYPE = {"open_rack": 0, "roof_mount": 1}
"""PVWatts ``array_type`` of our mountings: 0 fixed open rack, 1 fixed roof mount."""


def pvwatts_v8_ac_annual_kwh(
    epw_path: str | Path,
    *,
    system_capacity_kw: float,
    dc_ac_ratio: float,
    tilt_deg: float,
    azimuth_deg: float,
    mounting: str,
    losses_frac: float,
    inverter_efficiency_nom_frac: float,
    albedo_frac: float = 0.2,
    gcr: float = 0.01,
) -> float:
    """Annual AC energy of one fixed array by PVWatts v8 [kWh].

    Parameters
    ----------
    epw_path : str or Path
        EnergyPlus weather file.
    system_capacity_kw : float
        DC nameplate [kW].
    dc_ac_ratio : float
        DC nameplate over inverter AC rating [-].
    tilt_deg, azimuth_deg : float
        Orientation [°]; azimuth 180 faces south.
    mounting : {"open_rack", "roof_mount"}
        Mapped to PVWatts ``array_type`` 0 or 1.
    losses_frac : float
        Total system losses [fraction] (PVWatts takes percent).
    inverter_efficiency_nom_frac : float
        Nominal inverter efficiency [fraction] (PVWatts takes percent).
    albedo_frac : float, default 0.2
        Ground albedo on every step [fraction].
    gcr : float, default 0.01
        Ground coverage ratio of open-rack rows [-].
    """
    model = pv8.new()
    model.SolarResource.solar_resource_file = str(epw_path)
    model.SolarResource.use_wf_albedo = 0
    model.SolarResource.albedo = (albedo_frac,)
    design = model.SystemDesign
    design.system_capacity = system_capacity_kw
    design.dc_ac_ratio = dc_ac_ratio
    design.tilt = tilt_deg
    design.azimuth = azimuth_deg
    design.array_type = ARRAY_TYPE[mounting]
    design.module_type = 0  # standard: gamma -0.0037 /°C, AR glass, NOCT model
    design.losses = losses_frac * 100.0
    design.inv_eff = inverter_efficiency_nom_frac * 100.0
    design.gcr = gcr
    model.Lifetime.system_use_lifetime_output = 0
    model.Lifetime.analysis_period = 1
    model.execute(0)
    # read while `model` is alive: its Outputs point into the model's memory
    return float(model.Outputs.ac_annual)
