"""Envelope and gain records of a thermal zone: walls, roofs, floors, windows, gain sources.

The parameter records a :class:`twin.components.hvac_zone.Zone` is built
from (ISO 13790 sections 8.3 and 11.3-11.4 for the transmission and solar
quantities they carry); the zone module re-exports them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from twin.components.hvac_multinode import MassPosition

__all__ = ["GainSource", "GlazingType", "OpaqueElement", "Window"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_NAME = {"pattern": r"^[A-Za-z][A-Za-z0-9_\-]*$", "max_length": 64}
_DEFAULT_TILT_DEG = {"wall": 90.0, "roof": 0.0, "floor": 180.0}

GlazingType = Literal["double_clear", "single_clear"]


class OpaqueElement(BaseModel):
    """A wall, roof or floor of the zone's envelope."""

    model_config = _FROZEN

    name: str = Field(description="Name of the element, unique within the zone.", **_NAME)
    kind: Literal["wall", "roof", "floor"] = Field(
        description="wall (vertical), roof (sunlit, sees the sky) or floor (no sun, no sky)."
    )
    area_m2: float = Field(description="Opaque area, windows excluded [m²].", gt=0)
    u_w_per_m2_k: float = Field(
        description="Thermal transmittance including surface resistances [W/(m²·K)].",
        gt=0,
        allow_inf_nan=False,
    )
    azimuth_deg: float = Field(
        default=180.0,
        ge=0,
        lt=360.0,
        description="Direction the outer surface faces, clockwise from north (180 = south) [°].",
    )
    tilt_deg: float | None = Field(
        default=None,
        ge=0,
        le=180.0,
        description="Tilt from horizontal; default 90 (wall), 0 (roof), 180 (floor) [°].",
    )
    solar_absorptance_frac: float = Field(
        default=0.6,
        ge=0,
        le=1.0,
        description="Solar absorptance of the outer surface (light 0.3, mid 0.6, dark 0.9) [-].",
    )
    emissivity_frac: float = Field(
        default=0.9,
        ge=0,
        le=1.0,
        description="Thermal emissivity of the outer surface (ISO 13790 default 0.9) [-].",
    )
    adjustment_frac: float = Field(
        default=1.0,
        gt=0,
        allow_inf_nan=False,
        le=1.0,
        description="Temperature adjustment factor b_tr for elements not facing outdoor air "
        "(ISO 13790 8.3; 1 for outdoor air, lower towards the ground or unheated spaces) [-].",
    )

    heat_capacity_j_per_m2_k: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        le=2_000_000.0,
        description="Areal heat capacity of the element, all layers, Σ ρ·c·d (the "
        "iso52016_multinode thermal model needs it; 10 cm of concrete: about 200 000) "
        "[J/(m²·K)].",
    )
    mass_position: MassPosition = Field(
        default="inside",
        description="Where the element's mass sits, for iso52016_multinode (EN ISO 52016-1 "
        "classes): inside (I, mass inside the insulation), outside (E), both_sides (IE), "
        "distributed (D) or middle (M).",
    )

    @property
    def tilt(self) -> float:
        """Tilt used [°]."""
        return _DEFAULT_TILT_DEG[self.kind] if self.tilt_deg is None else self.tilt_deg


class Window(BaseModel):
    """A window (or a group of equal windows on one façade)."""

    model_config = _FROZEN

    name: str = Field(description="Name of the window, unique within the zone.", **_NAME)
    area_m2: float = Field(description="Window area including the frame [m²].", gt=0)
    u_w_per_m2_k: float = Field(
        description="Thermal transmittance of the window, U_w [W/(m²·K)].",
        gt=0,
        allow_inf_nan=False,
    )
    g_value_frac: float = Field(
        ge=0,
        le=1.0,
        description="Total solar energy transmittance (SHGC) at normal incidence, g_n [-].",
    )
    azimuth_deg: float = Field(
        default=180.0,
        ge=0,
        lt=360.0,
        description="Direction the window faces, clockwise from north (180 = south) [°].",
    )
    tilt_deg: float = Field(
        default=90.0, ge=0, le=90.0, description="Tilt from horizontal; 0 for a skylight [°]."
    )
    frame_frac: float = Field(
        default=0.0,
        ge=0,
        lt=1.0,
        description="Share of area_m2 taken by the frame, F_F (typically 0.2-0.3) [-].",
    )
    shading_factor_frac: float = Field(
        default=1.0,
        ge=0,
        le=1.0,
        description="Solar gain left after external shading and shading devices, F_sh "
        "(1 = unshaded) [-].",
    )
    glazing: GlazingType = Field(
        default="double_clear",
        description="Angular dependence of g: double_clear (ASHRAE 140 Case 600 glass) or "
        "single_clear (Case 670).",
    )


class GainSource(BaseModel):
    """Heat from another component that sits in the zone."""

    model_config = _FROZEN

    component: str = Field(description="Name of a component computed before zones.", **_NAME)
    output: str = Field(
        default="heat_to_zone_kw",
        description="Output of that component giving its heat to the zone [kW]; production "
        "lines and compressors report heat_to_zone_kw.",
    )
    port: str | None = Field(
        default=None,
        description="Use this port's flow instead of an output (e.g. 'el' of a base load) [kW].",
    )
    frac: float = Field(
        default=1.0,
        ge=0,
        le=1.0,
        description="Share of the output or port flow that ends up as heat in the zone [-].",
    )
