"""Production and business units (生产经营单位): the registry, its places and inherent risk (LEC)."""
