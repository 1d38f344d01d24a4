"""Hidden-danger statistics (隐患统计) and the rollups they read."""
