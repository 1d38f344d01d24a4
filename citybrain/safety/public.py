"""What other domains may use of safety: its ports, domain events and read models.

Every other domain imports safety only through this module.
"""

from citybrain.safety.service import hazard_points_near

__all__ = ["hazard_points_near"]
