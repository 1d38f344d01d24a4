"""Every table of the traffic domain (imported by `citybrain.models` for Alembic and the tests).

Coordinates are WGS-84 (lon, lat); times are aware UTC. Every table is prefixed ``traffic_``.
"""

from citybrain.traffic.congestion.models import RoadSegment, SegmentReading
from citybrain.traffic.detectors.models import DetectorReading
from citybrain.traffic.parking.models import CarPark, CarParkOccupancy, ParkingAllocation, ParkingBucket
from citybrain.traffic.signals.models import Intersection, TimingRecommendation

__all__ = [
    "CarPark", "CarParkOccupancy", "DetectorReading", "Intersection", "ParkingAllocation", "ParkingBucket",
    "RoadSegment", "SegmentReading", "TimingRecommendation",
]
