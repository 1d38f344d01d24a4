"""Grading (风险分级): LEC, GB 18218 major hazard sources, accident grades and the dynamic rules — pure
functions over the reference tables, no database."""
