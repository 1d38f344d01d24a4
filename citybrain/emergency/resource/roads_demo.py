"""The demo's road network: a generated street grid over Shuangliu with a few fast roads.

Not a real map: a 0.01° grid (about 1 km) with an arterial every 5 lines and three motorway-class
roads laid on grid nodes (roughly where the airport expressway, a north–south expressway and an
east–west trunk road run), so travel times differ from straight-line distances the way they do.
"""

from __future__ import annotations

from typing import Any

from citybrain.emergency.roads import grid_network

NAME = "演示路网（生成）Shuangliu demo grid"
BOX = (103.85, 30.32, 104.05, 30.62)


def _diagonal(lon: float, lat: float, steps: int, dlon: float, dlat: float) -> list[tuple[float, float]]:
    return [(round(lon + i * dlon, 2), round(lat + i * dlat, 2)) for i in range(steps + 1)]


def network() -> dict[str, Any]:
    airport_expressway = _diagonal(103.95, 30.58, 4, 0.01, 0.01) + [(104.0, 30.62), (104.05, 30.62)]
    north_south = [(103.93, round(30.62 - i * 0.01, 2)) for i in range(31)]
    east_west = [(round(103.85 + i * 0.01, 2), 30.50) for i in range(21)]
    return grid_network(*BOX, step_deg=0.01, arterial_every=5,
                        expressways=[airport_expressway, north_south, east_west])
