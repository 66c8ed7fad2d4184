"""Canonical weather columns, their units, and the maps from each source.

Every weather frame in factory-twin has the same columns in SI units with the
unit in the name (the project's naming rule). Sources are mapped at the edge,
in the readers, by the module-level ``*_VARIABLE_MAP`` dicts below, whose
keys are the column names that :mod:`pvlib.iotools` returns; unit
conversions are the ``*_UNIT_FACTORS`` applied right after renaming.

========================  ======  ============================================
column                    unit    meaning
========================  ======  ============================================
ghi_w_per_m2              W/m²    global horizontal irradiance, interval mean
dni_w_per_m2              W/m²    direct normal irradiance, interval mean
dhi_w_per_m2              W/m²    diffuse horizontal irradiance, interval mean
temp_air_c                °C      dry-bulb air temperature
temp_dew_c                °C      dew-point temperature
relative_humidity_frac    1       relative humidity, 0..1 (files give %)
wind_speed_m_per_s        m/s     wind speed
wind_direction_deg        °       wind direction, from north, clockwise
pressure_pa               Pa      station (not sea-level) pressure
albedo_frac               1       ground albedo, 0..1; NaN where absent
========================  ======  ============================================

References
----------
.. [1] EnergyPlus Auxiliary Programs, "EnergyPlus Weather File (EPW) Data
   Dictionary" (missing-value codes per field).
.. [2] Wilcox, S. and Marion, W. (2008). Users Manual for TMY3 Data Sets.
   NREL/TP-581-43156. :doi:`10.2172/928611` (missing value -9900, units).
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "CANONICAL_COLUMNS",
    "EPW_MISSING_CODES",
    "EPW_UNIT_FACTORS",
    "EPW_VARIABLE_MAP",
    "FILL_LIMIT_H",
    "IRRADIANCE_COLUMNS",
    "MISSING_CODES",
    "NSRDB_UNIT_FACTORS",
    "NSRDB_VARIABLE_MAP",
    "PVGIS_UNIT_FACTORS",
    "PVGIS_VARIABLE_MAP",
    "TMY2_MISSING_CODE",
    "TMY2_UNIT_FACTORS",
    "TMY2_VARIABLE_MAP",
    "TMY3_MISSING_CODE",
    "TMY3_UNIT_FACTORS",
    "TMY3_VARIABLE_MAP",
    "UNIT_FACTORS",
    "VARIABLE_MAP",
]

#: Canonical column name -> unit, in frame column order (read-only mapping).
CANONICAL_COLUMNS = MappingProxyType(
    {
        "ghi_w_per_m2": "W/m²",
        "dni_w_per_m2": "W/m²",
        "dhi_w_per_m2": "W/m²",
        "temp_air_c": "°C",
        "temp_dew_c": "°C",
        "relative_humidity_frac": "1",
        "wind_speed_m_per_s": "m/s",
        "wind_direction_deg": "°",
        "pressure_pa": "Pa",
        "albedo_frac": "1",
    }
)

#: The three irradiance columns (interval means, shifted together).
IRRADIANCE_COLUMNS = ("ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2")

#: pvlib.iotools.read_epw column -> canonical column.
EPW_VARIABLE_MAP = MappingProxyType(
    {
        "ghi": "ghi_w_per_m2",
        "dni": "dni_w_per_m2",
        "dhi": "dhi_w_per_m2",
        "temp_air": "temp_air_c",
        "temp_dew": "temp_dew_c",
        "relative_humidity": "relative_humidity_frac",
        "wind_speed": "wind_speed_m_per_s",
        "wind_direction": "wind_direction_deg",
        "atmospheric_pressure": "pressure_pa",
        "albedo": "albedo_frac",
    }
)

#: pvlib.iotools.read_tmy3 column (with ``map_variables=True``) -> canonical column.
TMY3_VARIABLE_MAP = MappingProxyType(
    {
        "ghi": "ghi_w_per_m2",
        "dni": "dni_w_per_m2",
        "dhi": "dhi_w_per_m2",
        "temp_air": "temp_air_c",
        "temp_dew": "temp_dew_c",
        "relative_humidity": "relative_humidity_frac",
        "wind_speed": "wind_speed_m_per_s",
        "wind_direction": "wind_direction_deg",
        "pressure": "pressure_pa",
        "albedo": "albedo_frac",
    }
)

#: pvlib.iotools.read_pvgis_tmy / read_pvgis_hourly column -> canonical column
#: (PVGIS gives no dew point or albedo; pressure SP is in Pa, RH in %).
PVGIS_VARIABLE_MAP = MappingProxyType(
    {
        "ghi": "ghi_w_per_m2",
        "dni": "dni_w_per_m2",
        "dhi": "dhi_w_per_m2",
        "temp_air": "temp_air_c",
        "relative_humidity": "relative_humidity_frac",
        "wind_speed": "wind_speed_m_per_s",
        "wind_direction": "wind_direction_deg",
        "pressure": "pressure_pa",
    }
)

#: pvlib.iotools.read_nsrdb_psm4 column -> canonical column: the names are
#: those of the TMY3 reader, and so are the units (RH in %, pressure in mbar).
NSRDB_VARIABLE_MAP = TMY3_VARIABLE_MAP

#: pvlib.iotools.read_tmy2 column (the file's element names) -> canonical column.
TMY2_VARIABLE_MAP = MappingProxyType(
    {
        "GHI": "ghi_w_per_m2",
        "DNI": "dni_w_per_m2",
        "DHI": "dhi_w_per_m2",
        "DryBulb": "temp_air_c",
        "DewPoint": "temp_dew_c",
        "RHum": "relative_humidity_frac",
        "Wspd": "wind_speed_m_per_s",
        "Wdir": "wind_direction_deg",
        "Pressure": "pressure_pa",
    }
)

#: Source kind -> variable map.
VARIABLE_MAP = MappingProxyType(
    {
        "epw": EPW_VARIABLE_MAP,
        "tmy3": TMY3_VARIABLE_MAP,
        "tmy2": TMY2_VARIABLE_MAP,
        "pvgis": PVGIS_VARIABLE_MAP,
        "nsrdb": NSRDB_VARIABLE_MAP,
    }
)

#: Canonical column -> factor from EPW units (% -> fraction; EPW pressure is Pa).
EPW_UNIT_FACTORS = MappingProxyType({"relative_humidity_frac": 0.01})

#: Canonical column -> factor from TMY3 units (% -> fraction, mbar -> Pa).
TMY3_UNIT_FACTORS = MappingProxyType({"relative_humidity_frac": 0.01, "pressure_pa": 100.0})

#: Canonical column -> factor from PVGIS units (RH % -> fraction; SP already Pa).
PVGIS_UNIT_FACTORS = MappingProxyType({"relative_humidity_frac": 0.01})

#: Canonical column -> factor from NSRDB PSM units (as TMY3: % and mbar).
NSRDB_UNIT_FACTORS = TMY3_UNIT_FACTORS

#: Canonical column -> factor from TMY2 units: temperatures and wind in tenths
#: (0.1 °C, 0.1 m/s), RH in %, pressure in mbar (Marion and Urban 1995, table 2-2).
TMY2_UNIT_FACTORS = MappingProxyType(
    {
        "temp_air_c": 0.1,
        "temp_dew_c": 0.1,
        "relative_humidity_frac": 0.01,
        "wind_speed_m_per_s": 0.1,
        "pressure_pa": 100.0,
    }
)

#: TMY2 missing-value code of the irradiance elements, in file units (Marion and Urban 1995).
TMY2_MISSING_CODE = 9999.0

#: Source kind -> unit factors.
UNIT_FACTORS = MappingProxyType(
    {
        "epw": EPW_UNIT_FACTORS,
        "tmy3": TMY3_UNIT_FACTORS,
        "tmy2": TMY2_UNIT_FACTORS,
        "pvgis": PVGIS_UNIT_FACTORS,
        "nsrdb": NSRDB_UNIT_FACTORS,
    }
)

#: EPW missing-value code per canonical column, in EPW units: a value at or
#: above the code is missing (EPW data dictionary, "\\missing" of each field).
EPW_MISSING_CODES = MappingProxyType(
    {
        "ghi_w_per_m2": 9999.0,
        "dni_w_per_m2": 9999.0,
        "dhi_w_per_m2": 9999.0,
        "temp_air_c": 99.9,
        "temp_dew_c": 99.9,
        "relative_humidity_frac": 999.0,
        "wind_speed_m_per_s": 999.0,
        "wind_direction_deg": 999.0,
        "pressure_pa": 999999.0,
        "albedo_frac": 999.0,
    }
)

#: TMY3 missing-value code (all fields), in TMY3 units: a value at or below it is missing.
TMY3_MISSING_CODE = -9900.0

#: Missing codes expressed in canonical units, used to spot sentinels that
#: survived into a canonical frame: column -> (low, high); a value <= low or
#: >= high is a sentinel.
MISSING_CODES = MappingProxyType(
    {
        col: (
            TMY3_MISSING_CODE * TMY3_UNIT_FACTORS.get(col, 1.0),
            code * EPW_UNIT_FACTORS.get(col, 1.0),
        )
        for col, code in EPW_MISSING_CODES.items()
    }
)

#: Longest gap filled by the fill policy, per canonical column [h]. Longer
#: gaps stay NaN (and make the weather unusable, except for albedo).
#: Irradiance gaps at night (sun below the horizon for the whole hour) are set
#: to 0 whatever their length; the limit applies to daytime gaps.
FILL_LIMIT_H = MappingProxyType(
    {
        "ghi_w_per_m2": 2,
        "dni_w_per_m2": 2,
        "dhi_w_per_m2": 2,
        "temp_air_c": 3,
        "temp_dew_c": 3,
        "relative_humidity_frac": 3,
        "wind_speed_m_per_s": 3,
        "wind_direction_deg": 3,
        "pressure_pa": 3,
        "albedo_frac": 3,
    }
)
