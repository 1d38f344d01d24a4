"""Open311 GeoReport v2 over the event hub (a channel of its own, with client keys)."""
