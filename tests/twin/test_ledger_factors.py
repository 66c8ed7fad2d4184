"""The ledger's factor library: fuels, purchased heat, refrigerant GWPs,
and the grid-factor errors it relies on."""

from __future__ import annotations

import pytest

from twin.factors import grid_factor
from twin.factors.fuels import (
    KNOWN_UNSOURCED_REFRIGERANTS,
    fuel_factor,
    fuel_key,
    purchased_heat_factor,
    refrigerant_gwp,
    refrigerant_key,
    refrigerant_names,
)


@pytest.mark.parametrize(
    ("name", "gwp_set", "expected"),
    [
        # pure gases as tabulated (AR6 Table 7.SM.7; AR5 Table 8.A.1)
        ("R-134a", "ar6", 1530.0),
        ("R-134a", "ar5", 1300.0),
        ("R-32", "ar6", 771.0),
        ("R-22", "ar5", 1760.0),
        ("R-1234yf", "ar6", 0.501),
        ("R-1234ze(E)", "ar6", 1.37),
        ("R-744", "ar6", 1.0),
        # blends: mass-weighted sums of the ASHRAE 34 compositions, by hand
        ("R-410A", "ar6", 0.5 * 771 + 0.5 * 3740),
        ("R-410A", "ar5", 0.5 * 677 + 0.5 * 3170),
        ("R-407C", "ar6", 0.23 * 771 + 0.25 * 3740 + 0.52 * 1530),
        ("R-407C", "ar5", 0.23 * 677 + 0.25 * 3170 + 0.52 * 1300),
        ("R-404A", "ar6", 0.44 * 3740 + 0.52 * 5810 + 0.04 * 1530),
        ("R-404A", "ar5", 0.44 * 3170 + 0.52 * 4800 + 0.04 * 1300),
    ],
)
def test_refrigerant_gwp_by_hand(name, gwp_set, expected):
    assert refrigerant_gwp(name, gwp_set).gwp == pytest.approx(expected, rel=1e-12)


def test_common_factory_refrigerants_are_covered():
    for name in (
        "R-134a",
        "R-410A",
        "R-32",
        "R-407C",
        "R-404A",
        "R-22",
        "R-1234yf",
        "R-1234ze(E)",
        "R-744",
    ):
        assert refrigerant_gwp(name).source


@pytest.mark.parametrize("spelling", ["R134a", "r-134a", "HFC-134a", "hfc134a", "R 134a"])
def test_refrigerant_spellings(spelling):
    assert refrigerant_key(spelling) == "R-134a"


def test_unknown_refrigerant_lists_the_known_ones():
    with pytest.raises(
        ValueError, match=r"unknown refrigerant 'R-999'; known refrigerants: .*R-410A"
    ):
        refrigerant_gwp("R-999")


@pytest.mark.parametrize("name", sorted(KNOWN_UNSOURCED_REFRIGERANTS))
def test_refrigerants_without_a_source_are_not_given_a_number(name):
    with pytest.raises(ValueError, match="give gwp and gwp_source"):
        refrigerant_gwp(name)
    assert name not in refrigerant_names()


def test_hfo_has_no_ar5_value_in_the_table():
    with pytest.raises(ValueError, match="no AR5 GWP-100"):
        refrigerant_gwp("R-454B", "ar5")


def test_chinese_fuel_factors_match_the_table():
    ng = fuel_factor("natural_gas", "cn")
    assert ng.ef_kg_per_unit == 2.1622 and ng.physical_unit == "Nm3"
    assert ng.ncv_gj_per_unit == pytest.approx(0.038931)
    assert ng.ef_kg_per_gj == pytest.approx(2.1622 / 0.038931)
    # EF = NCV x CC x OF x 44/12 (各种能源折标准煤及碳排放参考系数; NCV of GB/T 2589), to the table's 4 decimals
    assert 42652e-6 * 20.2 * 0.98 * 44 / 12 == pytest.approx(
        fuel_factor("diesel", "cn").ef_kg_per_unit, abs=1e-4
    )


def test_ipcc_factors_use_the_chinese_ncv_for_physical_units():
    ng = fuel_factor("natural_gas", "ipcc2006")
    assert ng.ef_kg_per_gj == 56.1
    assert ng.ef_kg_per_unit == pytest.approx(56.1 * 0.038931)
    assert "GB/T 2589" in ng.source
    given = fuel_factor("natural_gas", "ipcc2006", ncv_gj_per_unit=0.036)
    assert given.ef_kg_per_unit == pytest.approx(56.1 * 0.036)


def test_fuel_outside_a_set_is_an_error_naming_the_alternative():
    with pytest.raises(ValueError, match="no row in the IPCC 2006 table; use fuel_factors = 'cn'"):
        fuel_factor("raw_coal", "ipcc2006")
    with pytest.raises(ValueError, match="no row in the Chinese factor table"):
        fuel_factor("lignite", "cn")


def test_fuel_names():
    assert fuel_key("Natural gas") == fuel_key("天然气") == "natural_gas"
    with pytest.raises(ValueError, match="unknown fuel 'peat'; known fuels: natural_gas"):
        fuel_key("peat")


def test_purchased_heat_default_says_its_text_was_not_found():
    ef, source = purchased_heat_factor()
    assert ef == 110.0
    assert "not found" in source


def test_residual_mix_factors_exist_for_2021_to_2023():
    values = {
        y: grid_factor(year=y, national="national_average_excl_market_nonfossil").ef_kg_per_kwh
        for y in (2021, 2022, 2023)
    }
    assert values == {2021: 0.5942, 2022: 0.5856, 2023: 0.6096}
    with pytest.raises(ValueError, match="available years: 2021, 2022, 2023"):
        grid_factor(year=2024, national="national_average_excl_market_nonfossil")
    with pytest.raises(ValueError, match="known provinces: anhui"):
        grid_factor(year=2023, province="atlantis")
