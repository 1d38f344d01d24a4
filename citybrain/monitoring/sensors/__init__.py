"""The sensor registry (传感器台账): sensors, their type, place, owner and links."""
