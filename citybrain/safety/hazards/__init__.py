"""Hazard points (消防/危化品隐患点位) and the chemicals they hold, assessed by GB 18218."""
