"""Domain errors carry the field they are about; the API turns them into 4xx with FastAPI's shape.

Every 4xx body looks like FastAPI's validation errors, so a client reads one format:
``{"detail": [{"loc": ["body", "category"], "msg": "...", "type": "..."}]}``.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    type = "invalid"

    def __init__(self, msg: str, field: str | None = None, *, loc: str = "body") -> None:
        super().__init__(msg)
        self.msg = msg
        self.field = field
        self.loc = loc

    def detail(self) -> list[dict[str, object]]:
        loc: list[str] = [self.loc] + ([self.field] if self.field else [])
        return [{"loc": loc, "msg": self.msg, "type": self.type}]


class ValidationFailed(DomainError):
    status_code = 422
    type = "value_error"


class NotFound(DomainError):
    status_code = 404
    type = "not_found"

    def __init__(self, what: str, ident: object, field: str | None = None, *, loc: str = "path") -> None:
        super().__init__(f"{what} {ident!s} not found", field, loc=loc)


class Conflict(DomainError):
    """The request is well-formed but the current state refuses it (an illegal transition, a duplicate)."""

    status_code = 409
    type = "conflict"


class Forbidden(DomainError):
    status_code = 403
    type = "forbidden"


class Unauthorized(DomainError):
    status_code = 401
    type = "unauthorized"


class PayloadTooLarge(DomainError):
    status_code = 413
    type = "too_large"
