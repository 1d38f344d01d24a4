"""The duty roster (值班表): who is on duty, per department and shift."""
