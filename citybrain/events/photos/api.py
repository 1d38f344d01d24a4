"""HTTP: uploading a photo (by anyone, for a report) and reading one (staff and the reporter)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.web import current_actor, get_session, optional_actor
from citybrain.events.photos import service
from citybrain.events.schemas import MAX_ID, PhotoOut, ReportNumber

router = APIRouter(tags=["events"])
IMAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                                                "description": "the image"}}
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


# a plain def: reading the upload, Pillow's decoding and the insert run on a worker thread, never on the loop
@router.post("/photos", status_code=201, response_model=PhotoOut)
def upload_photo(request: Request, file: UploadFile = File(...), actor: Actor | None = Depends(optional_actor),
                 session: Session = Depends(get_session)) -> Any:
    """Upload a JPEG, PNG or WebP (checked by content, at most `max_upload_bytes`); returns its id."""
    settings = request.app.state.settings
    return service.upload(session, actor, file.file, settings.data_dir, settings.max_upload_bytes)


@router.get("/photos/{photo_id}", response_class=FileResponse, responses=IMAGE)
def get_photo(photo_id: RowId, request: Request, actor: Actor = Depends(current_actor),
              session: Session = Depends(get_session)) -> Response:
    """The photo as taken for those who may see its event; for anyone else signed in, the copy of a
    public report's photo without EXIF; 404 otherwise."""
    p, path = service.photo_file(session, request.app.state.settings.data_dir, photo_id, actor)
    return _serve(request, p, path)


@router.get("/public/{number}/photos/{photo_id}", response_class=FileResponse, responses=IMAGE)
def get_public_photo(number: ReportNumber, photo_id: RowId, request: Request,
                     session: Session = Depends(get_session)) -> Response:
    """A photo of a public report, for anyone (the follow-up page): re-encoded without EXIF."""
    p, path = service.public_photo_file(session, request.app.state.settings.data_dir, number, photo_id)
    return _serve(request, p, path)


def _serve(request: Request, p: Any, path: Any) -> Response:
    # the copy without EXIF has its own tag: a cache never swaps one for the other
    etag = f'"{p.sha256}-public"' if path.parent.parent.name == "public" else f'"{p.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff", "Content-Disposition": f'inline; filename="{p.sha256[:16]}"'}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=p.content_type, headers=headers)
