"""What other domains may use of traffic: read models of congestion and of shared parking.

Every other domain imports traffic only through this module.
"""

from citybrain.traffic.congestion.service import LEVELS, congestion, level_of
from citybrain.traffic.parking.service import availability

__all__ = ["LEVELS", "availability", "congestion", "level_of"]
