"""Submissions (提交记录): the Idempotency-Key of safety's create forms, scoped to who submitted."""
