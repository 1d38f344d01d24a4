"""Targeting (定向): from an area to the people a warning or a risk prompt must reach."""
