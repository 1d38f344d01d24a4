"""The closed loop (GB/T 30428): one step at a time, and relocation before dispatch."""
