"""Signal-control research: controllers, the adaptive controller, the SUMO harness, scenarios, the bench.

Pure Python over SUMO: no database and nothing of the platform (signals, detectors, congestion,
parking) is imported here, so a run needs only SUMO and these modules.
"""
