"""Production safety accidents (生产安全事故), graded by 国务院令第493号."""
