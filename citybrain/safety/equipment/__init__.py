"""Special equipment (特种设备) and its periodic inspections."""
