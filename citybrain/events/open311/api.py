"""Open311 GeoReport v2 endpoints under /api/open311/v2, in .json and .xml.

Every error, including a bad format or a bad key, answers in the specification's error format
(``[{code, description}]`` or ``<errors><error>…</error></errors>``) with 400, 403 or 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from lxml import etree
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.ratelimit import RateLimited
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.events.follow.api import count_attempt
from citybrain.events.open311 import service
from citybrain.events.open311.service import Open311Error

router = APIRouter(prefix="/api/open311", tags=["open311"])
# every GeoReport answer: JSON or XML by the path's format, errors in the specification's shape
SPEC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/xml": {}}, "description": "GeoReport v2 (.json or .xml)"},
    400: {"description": "[{code, description}] / <errors>"}, 403: {"description": "bad api_key"},
    404: {"description": "unknown resource"}}

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element names of list items, by list name (GeoReport's XML shapes)
ITEM = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
        "endpoints": "endpoint", "formats": "format", "errors": "error"}


# characters XML 1.0 cannot carry at all (the edge refuses them in new text; stored text is cleaned here,
# so no report's text can ever break the feed)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _xml_value(parent: etree._Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        lst = etree.SubElement(parent, key)
        for item in value:
            _xml_value(lst, ITEM.get(key, "item"), item)
    elif isinstance(value, dict):
        node = etree.SubElement(parent, key)
        for k, v in value.items():
            _xml_value(node, k, v)
    else:
        node = etree.SubElement(parent, key)
        if value is None:
            return
        node.text = ("true" if value else "false") if isinstance(value, bool) else xml_text(value)


def to_xml(root: str, data: Any) -> bytes:
    el = etree.Element(root)
    if isinstance(data, list):
        for item in data:
            _xml_value(el, ITEM.get(root, "item"), item)
    else:
        for k, v in data.items():
            _xml_value(el, k, v)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _json(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, default=str).encode()


def render(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, data), status_code=status, media_type=FORMATS["xml"])
    return Response(_json(data), status_code=status, media_type=FORMATS["json"])


def error(fmt: str, status: int, description: str) -> Response:
    return render(fmt if fmt in FORMATS else "json", "errors", [{"code": status, "description": description}],
                  status)


def answer(fmt: str, root: str, make: Callable[[], Any], session: Session | None = None) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, f"format {fmt!r} not supported: use .json or .xml")
    try:
        return render(fmt, root, make())
    except Open311Error as exc:
        if session is not None:
            session.rollback()  # nothing half-written
        return error(fmt, exc.status, exc.description)


@router.get("/v2/discovery.{fmt}", responses=SPEC)
def discovery(fmt: str, request: Request) -> Response:
    base = str(request.base_url).rstrip("/") + "/api/open311/v2/"
    return answer(fmt, "discovery", lambda: service.discovery(base))


@router.get("/v2/services.{fmt}", responses=SPEC)
def services(fmt: str, jurisdiction_id: str | None = None, session: Session = Depends(get_session)) -> Response:
    def make() -> Any:
        service.check_jurisdiction(jurisdiction_id)
        return service.services(session)

    return answer(fmt, "services", make)


@router.get("/v2/services/{service_code}.{fmt}", responses=SPEC)
def service_definition(service_code: str, fmt: str, jurisdiction_id: str | None = None,
                       session: Session = Depends(get_session)) -> Response:
    def make() -> Any:
        service.check_jurisdiction(jurisdiction_id)
        return service.service_definition(session, service_code)

    return answer(fmt, "service_definition", make)


async def form_fields(request: Request) -> dict[str, str] | None:
    """The posted form's text fields, or None when the body is not a form. Parsing the body is the one
    awaited step; the request itself is handled on a worker thread (`post_request` is a plain def)."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/v2/requests.{fmt}", responses=SPEC)
def post_request(fmt: str, fields: dict[str, str] | None = Depends(form_fields),
                 session: Session = Depends(get_session),
                 idempotency_key: str | None = Header(default=None, description=(
                     "an extension: the same key and request from the same client answer the first "
                     "request's id and token instead of making a second one"))) -> Response:
    if fields is None and fmt in FORMATS:
        return error(fmt, 400, "POST requests must be application/x-www-form-urlencoded")
    return answer(fmt, "service_requests",
                  lambda: service.create_request(session, fields or {}, idempotency_key), session)


@router.get("/v2/requests.{fmt}", responses=SPEC)
def get_requests(fmt: str, request: Request, session: Session = Depends(get_session)) -> Response:
    params = dict(request.query_params)
    return answer(fmt, "service_requests", lambda: service.list_requests(session, params))


@router.get("/v2/requests/{request_id}.{fmt}", responses=SPEC)
def get_request(request_id: str, fmt: str, jurisdiction_id: str | None = None,
                session: Session = Depends(get_session)) -> Response:
    return answer(fmt, "service_requests", lambda: service.get_request(session, request_id, jurisdiction_id))


@router.get("/v2/tokens/{token}.{fmt}", responses=SPEC)
def get_token(token: str, fmt: str, request: Request, jurisdiction_id: str | None = None,
              session: Session = Depends(get_session)) -> Response:
    """A token's request id. Guessing tokens is limited per address and per token (429 naming `token`)."""
    try:
        count_attempt(request, f"open311-token:{token[:40]}", "token")
    except RateLimited as exc:
        return error(fmt, 429, f"token: {exc.msg}")
    return answer(fmt, "service_requests", lambda: service.token_lookup(session, token, jurisdiction_id))


class ClientIn(BaseModel):
    name: str = Field(min_length=2, max_length=100)


class ClientOut(BaseModel):
    id: int
    name: str
    api_key: str  # shown once


@router.post("/clients", status_code=201, response_model=ClientOut)
def new_client(body: ClientIn, actor: Actor = Depends(require(Role.DATA_OFFICER)),
               session: Session = Depends(get_session)) -> Any:
    """Issue an API key for an Open311 client application (shown once)."""
    client, key = service.issue_key(session, actor, body.name)
    return {"id": client.id, "name": client.name, "api_key": key}
