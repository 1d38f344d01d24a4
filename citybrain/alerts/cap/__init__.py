"""CAP 1.2 alerts (预警信息): authored or imported, approved, issued, updated, cancelled, expired."""
