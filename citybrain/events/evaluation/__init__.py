"""综合评价: the evaluation of departments, streets and categories."""
