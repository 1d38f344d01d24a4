"""Short-term forecasts (短临预报) of water levels and rainfall, and "will reach" (预计将达) alarms."""
