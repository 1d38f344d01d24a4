"""Dispatch sessions (视频调度 / 大联动调度) and the camera registry."""
