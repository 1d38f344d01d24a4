"""The four-colour risk map (四色安全风险分布图) as GeoJSON."""
