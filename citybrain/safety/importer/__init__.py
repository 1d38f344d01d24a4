"""Bulk import of units, hazard points and special equipment from CSV or Excel."""
