"""Dynamic risk grading (动态风险分级) of units: grade, store, explain, the level history."""
