"""HTTP: bulk import of the registries from a CSV or .xlsx upload."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor, require
from citybrain.core.errors import PayloadTooLarge
from citybrain.core.roles import Role
from citybrain.core.web import get_session
from citybrain.safety.importer import service

router = APIRouter(tags=["safety: import"])


def upload(request: Request, file: UploadFile = File(..., description=".csv or .xlsx; first row the header")
           ) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, refused (413) beyond the configured size. Read in the worker
    thread the plain-`def` route runs in, so the event loop never waits on it."""
    limit = request.app.state.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes", "file")
    return content, file.filename or "upload.csv"


@router.post("/import/{kind}")
def import_file(
    kind: Literal["units", "hazard_points", "equipment"],
    actor: Actor = Depends(require(Role.DATA_OFFICER)),  # before the upload: a stranger's file is not read
    file: tuple[bytes, str] = Depends(upload),
    skip_invalid: bool = Query(False, description="write the good rows and report the bad"),
    dry_run: bool = Query(False, description="check only"),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Bulk import with a row-by-row report; with any bad row nothing is written unless `skip_invalid`."""
    return service.import_file(session, actor, kind, *file, skip_invalid=skip_invalid, dry_run=dry_run).as_dict()
