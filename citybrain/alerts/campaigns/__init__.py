"""Risk-prompt campaigns (风险提示): templated SMS and in-app messages to an area's people."""
