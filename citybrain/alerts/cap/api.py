"""HTTP of CAP alerts: the command centre's JSON API (under /api/alerts) and the public CAP outputs.

`router` (mounted under /api/alerts by alerts/api.py): list, read, author, approve, issue, update,
cancel, timeline, import, the area preview and the reference tables.
`public` (no login): /alerts/feed.atom, /alerts/{identifier}.xml and .json — published alerts only.
"""

from __future__ import annotations

from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybrain.alerts import areas
from citybrain.alerts.areas import AreaSpec
from citybrain.alerts.cap import render, service
from citybrain.alerts.cap.reference import COLOURS, EVENT_TYPES
from citybrain.alerts.cap.schemas import AlertIn, AlertOut, ApproveIn, CancelIn, ImportOut, LogOut
from citybrain.core.auth import Actor, require
from citybrain.core.db import utcnow
from citybrain.core.errors import PayloadTooLarge
from citybrain.core.listing import ListParams, Page
from citybrain.core.roles import COMMAND, STAFF
from citybrain.core.web import get_session

router = APIRouter(tags=["alerts: CAP"])
public = APIRouter(tags=["alerts: public CAP"])
MAX_CAP_BYTES = 1024 * 1024
IDEMPOTENCY_KEY = Header(default=None, alias="Idempotency-Key", min_length=8, max_length=100,
                         description="the compose form's key: a retry gives back the first draft")


def _raw_body(request: Request) -> bytes:
    """The body as sent (CAP XML). A plain `def`: the read is handed back to the event loop."""
    data: bytes = anyio.from_thread.run(request.body)
    if len(data) > MAX_CAP_BYTES:
        raise PayloadTooLarge(f"a CAP message is at most {MAX_CAP_BYTES // 1024} KB", "xml")
    return data


@router.get("/reference")
def reference(_a: Actor = Depends(require(*STAFF))) -> dict[str, Any]:
    """The colour table (colour → CAP severity, urgency, certainty) and the event types."""
    return {"colours": [c.__dict__ for c in COLOURS.values()],
            "event_types": [e.__dict__ for e in EVENT_TYPES.values()]}


@router.post("/area/preview")
def area_preview(spec: AreaSpec, _a: Actor = Depends(require(*COMMAND)),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    """The area as GeoJSON and the grids, communities and streets it touches (with names)."""
    feature = areas.to_geojson(session, spec)
    codes = areas.area_codes_touched(session, spec)
    names = areas.area_names(session, codes)
    return {"feature": feature, "touched": [{"code": c, "name": names.get(c, c), "level":
                                             areas.GEOCODE_LENGTHS.get(len(c), "")} for c in codes]}


@router.post("/import", response_model=ImportOut,
             openapi_extra={"requestBody": {"content": {"application/cap+xml": {}, "application/xml": {}},
                                            "required": True}})
def import_cap(raw: bytes = Depends(_raw_body), actor: Actor = Depends(require(*COMMAND)),
               session: Session = Depends(get_session)) -> dict[str, Any]:
    """Upstream CAP 1.2 XML (the body): validated, de-duplicated by sender + identifier, applied."""
    alert, duplicate = service.import_cap(session, actor, raw)
    return {"alert": service.out(alert, actor), "duplicate": duplicate}


@router.get("", response_model=Page[AlertOut])
def list_alerts(actor: Actor = Depends(require(*STAFF)), session: Session = Depends(get_session),
                params: ListParams = Depends(),
                state: Literal["draft", "approved", "issued", "updated", "cancelled", "expired"] | None = None,
                in_force: bool = False) -> Page[Any]:
    """Alerts, newest first (drafts only for the command centre); `in_force=true`: issued, not expired."""
    return service.list_alerts(session, actor, params, state, in_force)


@router.post("", response_model=AlertOut, status_code=201)
def create(data: AlertIn, actor: Actor = Depends(require(*COMMAND)), session: Session = Depends(get_session),
           key: str | None = IDEMPOTENCY_KEY) -> dict[str, Any]:
    """A new draft alert."""
    return service.out(service.create(session, actor, data, idempotency_key=key), actor)


@router.get("/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: int, actor: Actor = Depends(require(*STAFF)),
              session: Session = Depends(get_session)) -> dict[str, Any]:
    return service.out(service.get_alert(session, actor, alert_id), actor)


@router.put("/{alert_id}", response_model=AlertOut)
def edit(alert_id: int, data: AlertIn, actor: Actor = Depends(require(*COMMAND)),
         session: Session = Depends(get_session)) -> dict[str, Any]:
    """New content for a draft."""
    return service.out(service.edit(session, actor, alert_id, data), actor)


@router.get("/{alert_id}/timeline", response_model=list[LogOut])
def timeline(alert_id: int, actor: Actor = Depends(require(*STAFF)),
             session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    return service.timeline(session, actor, alert_id)


@router.post("/{alert_id}/approve", response_model=AlertOut)
def approve(alert_id: int, body: ApproveIn | None = None, actor: Actor = Depends(require(*COMMAND)),
            session: Session = Depends(get_session)) -> dict[str, Any]:
    """Approve a draft (a second person; the author only with a reason)."""
    return service.out(service.approve(session, actor, alert_id, body.reason if body else ""), actor)


@router.post("/{alert_id}/withdraw", response_model=AlertOut)
def withdraw(alert_id: int, actor: Actor = Depends(require(*COMMAND)),
             session: Session = Depends(get_session)) -> dict[str, Any]:
    """Send an approved alert back to draft."""
    return service.out(service.withdraw(session, actor, alert_id), actor)


@router.post("/{alert_id}/issue", response_model=AlertOut)
def issue(alert_id: int, actor: Actor = Depends(require(*COMMAND)),
          session: Session = Depends(get_session)) -> dict[str, Any]:
    """Publish an approved alert (refused unless its CAP validates)."""
    return service.out(service.issue(session, actor, alert_id), actor)


@router.post("/{alert_id}/update", response_model=AlertOut, status_code=201)
def update(alert_id: int, data: AlertIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session), key: str | None = IDEMPOTENCY_KEY) -> dict[str, Any]:
    """A draft Update of an alert in force (approve and issue it to supersede the alert)."""
    return service.out(service.create_update(session, actor, alert_id, data, key), actor)


@router.post("/{alert_id}/cancel", response_model=AlertOut, status_code=201)
def cancel(alert_id: int, data: CancelIn, actor: Actor = Depends(require(*COMMAND)),
           session: Session = Depends(get_session)) -> dict[str, Any]:
    """A draft Cancel of an alert in force (approve and issue it to cancel the alert)."""
    return service.out(service.create_cancel(session, actor, alert_id, data), actor)


# -- public CAP outputs ---------------------------------------------------------------------------------

def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@public.get("/alerts/feed.atom", response_class=Response)
def feed(request: Request, session: Session = Depends(get_session)) -> Response:
    """The Atom feed of the alerts in force (and of Cancels still within their expiry), no login."""
    alerts = service.public_in_force(session, with_cancels=True)
    body = render.atom_feed(alerts, _base(request), max((a.sent for a in alerts if a.sent), default=utcnow()))
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=60"})


# `:path`: an imported identifier may hold "/" (links percent-encode it, render.public_path; the server
# decodes %2F before routing), so the identifier is everything between /alerts/ and the extension
@public.get("/alerts/{identifier:path}.xml", response_class=Response)
def cap_xml(identifier: str, session: Session = Depends(get_session)) -> Response:
    """A published alert's CAP 1.2 XML, exactly as issued (or as received, if imported)."""
    alert = service.public_by_identifier(session, identifier)
    return Response((alert.xml or "").encode(), media_type=f"{render.CAP_MEDIA_TYPE}; charset=utf-8")


@public.get("/alerts/{identifier:path}.json")
def cap_json(identifier: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    """A published alert's CAP as JSON (element names kept, repeatable elements as lists)."""
    alert = service.public_by_identifier(session, identifier)
    return render.to_json(alert.xml or "")


__all__ = ["public", "router"]


