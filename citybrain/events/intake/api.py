"""HTTP: intake (a report from any channel the caller's role may use; a citizen's report without an account)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from citybrain.core.errors import ValidationFailed
from citybrain.core.web import current_actor, optional_actor
from citybrain.events.intake import service
from citybrain.events.schemas import EventIn, IntakeOut, PublicReportIn

router = APIRouter(tags=["events"])


def _answer(out: IntakeOut) -> JSONResponse:
    return JSONResponse(out.model_dump(mode="json"), status_code=200 if out.duplicate else 201)


def _with_header_key(body: Any, request: Request) -> Any:
    """The `Idempotency-Key` header (cb.submitOnce sends one) where the body names no key."""
    key = request.headers.get("idempotency-key")
    if key and not body.idempotency_key:
        if len(key) > 100:
            raise ValidationFailed("the Idempotency-Key header is longer than 100 characters", "idempotency_key",
                                   loc="header")
        return body.model_copy(update={"idempotency_key": key})
    return body


# No `get_session` dependency here: the service opens the session itself, under the SQLite writer lock,
# and authenticates inside it (see `service.writer_session`).
@router.post("", status_code=201, response_model=IntakeOut, responses={200: {"description": "a replayed key"}})
def report(body: EventIn, request: Request) -> Any:
    """Intake from any channel the caller's role may use (bearer token); an `idempotency_key` seen
    before returns the first event (HTTP 200, `duplicate: true`)."""
    return _answer(service.report(request.app.state.session_maker, lambda s: current_actor(request, s),
                                  _with_header_key(body, request)))


@router.post("/report", status_code=201, response_model=IntakeOut, responses={200: {"description": "a replayed key"}})
def public_report(body: PublicReportIn, request: Request) -> Any:
    """A citizen's report without an account (channel `web`; `citizen` when logged in as a citizen).
    Keep the number and the access code (查询码): the code is needed to rate the result."""
    return _answer(service.public_report(request.app.state.session_maker,
                                         lambda s: optional_actor(request, s), _with_header_key(body, request)))
