"""The reporter's follow-up (进度查询) by report number, and the rating (满意度)."""
