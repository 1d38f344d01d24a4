"""Photos of reports and results."""
