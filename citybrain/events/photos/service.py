"""Photos of reports and results: checked by content (Pillow), size-limited, stored once by SHA-256 under
the data directory, with the EXIF location read where the camera wrote one.

Uploads of the same bytes at the same moment store one photo and both succeed: the row is written with
``INSERT … ON CONFLICT DO NOTHING`` on the content hash, then read back.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybrain.core import audit
from citybrain.core.auth import Actor
from citybrain.core.db import upsert_insert, utcnow
from citybrain.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from citybrain.core.lookup import get_or_404
from citybrain.core.policy import DISTRICT_WIDE, policy
from citybrain.core.roles import Role
from citybrain.events.follow.service import is_public, public_report
from citybrain.events.models import Event, EventPhoto, Photo, PhotoUpload
from citybrain.events.queue.service import event_scope

# what Pillow calls the format → (MIME type, file extension)
ALLOWED = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# A phone photo is at most ~50 MP (most are 12–24 MP); anything larger is refused before it is decoded,
# so a decompression bomb (a tiny file declaring a huge image) is a 422 on `file`, never a hang. Pillow's
# own guard is set to the same bound (it warns above it and refuses at twice it).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def photo_dir(data_dir: Path) -> Path:
    return data_dir / "photos"


def path_for(data_dir: Path, photo: Photo) -> Path:
    ext = next(e for m, e in ALLOWED.values() if m == photo.content_type)
    return photo_dir(data_dir) / photo.sha256[:2] / f"{photo.sha256}.{ext}"


def _ratio(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ZeroDivisionError, ValueError):
        num, den = v
        return float(num) / float(den)


def _dms(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (_ratio(x) for x in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    ref_s = ref.decode() if isinstance(ref, bytes) else str(ref or "")
    return -deg if ref_s.strip().upper() in ("S", "W") else deg


def exif_location(img: Image.Image) -> tuple[float | None, float | None, str | None]:
    """(lon, lat, taken_at) from EXIF where present. GPS in EXIF is WGS-84 by the standard."""
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block is no reason to refuse the photo
        return None, None, None
    taken = None
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        taken = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    except Exception:  # noqa: BLE001
        taken = None
    lon = lat = None
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001
        gps = {}
    if gps:
        lat = _dms(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        lon = _dms(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lon = lat = None
    return lon, lat, (str(taken)[:30] if taken else None)


def inspect_image(data: bytes, max_bytes: int) -> dict[str, Any]:
    """What the bytes are, by content; 413/422 naming `file` when they are too big or not an image."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the photo is {len(data)} bytes; the limit is {max_bytes}", "file")
    if not data:
        raise ValidationFailed("the file is empty", "file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed(f"the image is {probe.width}×{probe.height} pixels; at most "
                                           f"{MAX_PIXELS // 1_000_000} million pixels are accepted", "file")
                probe.verify()  # structural check of the whole file
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # decode: a truncated or fake file fails here
                lon, lat, taken = exif_location(img)
                width, height = img.size
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(f"the image declares more than {MAX_PIXELS // 1_000_000} million pixels; "
                               "too large for a photo", "file") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(f"the file is not a readable image (JPEG, PNG or WebP): {exc}", "file") from None
    if fmt not in ALLOWED:
        raise ValidationFailed(f"images must be JPEG, PNG or WebP, not {fmt}", "file")
    mime, ext = ALLOWED[fmt]
    return {"content_type": mime, "ext": ext, "width": width, "height": height,
            "gps_lon": lon, "gps_lat": lat, "taken_at": taken}


def store(session: Session, actor: Actor | None, data: bytes, data_dir: Path, max_bytes: int) -> Photo:
    """Check and store a photo; the same bytes uploaded twice (even at the same moment) are one photo."""
    info = inspect_image(data, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    _write(data_dir, digest, info["ext"], data)  # first the file (also heals a file lost from disk)
    # DO NOTHING on the unique hash: a concurrent twin waits for the first insert's transaction and then
    # inserts nothing, instead of failing (or, on PostgreSQL, deadlocking a second insert)
    new_id = session.scalar(
        upsert_insert(session, Photo.__table__).values(
            sha256=digest, content_type=info["content_type"], size=len(data), width=info["width"],
            height=info["height"], gps_lon=info["gps_lon"], gps_lat=info["gps_lat"], taken_at=info["taken_at"],
            uploader_id=getattr(actor, "id", None), uploaded_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"]).returning(Photo.__table__.c.id))
    photo = session.scalars(select(Photo).where(Photo.sha256 == digest)).one()
    if actor is not None and actor.id is not None:  # each uploader may attach it, not only the first
        session.execute(upsert_insert(session, PhotoUpload.__table__).values(
            photo_id=photo.id, user_id=actor.id, uploaded_at=utcnow()).on_conflict_do_nothing(
            index_elements=["photo_id", "user_id"]))
    if new_id is not None:
        audit.record(session, actor, "upload", "event_photo", photo.id, None,
                     {"sha256": digest, "content_type": photo.content_type, "size": photo.size})
    return photo


def upload(session: Session, actor: Actor | None, file: BinaryIO, data_dir: Path, max_bytes: int) -> dict[str, Any]:
    """An uploaded file (read up to one byte past the limit, so too big is a 413, not a full read)."""
    return photo_out(store(session, actor, file.read(max_bytes + 1), data_dir, max_bytes))


def _write(data_dir: Path, digest: str, ext: str, data: bytes) -> None:
    target = photo_dir(data_dir) / digest[:2] / f"{digest}.{ext}"
    if target.exists() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)  # atomic: a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def existing_photo_ids(session: Session, ids: list[int], actor: Actor | None = None) -> list[int]:
    """Which of `ids` name a stored photo (a result elsewhere that points at an upload); with `actor`, only
    those the caller may attach (`may_attach`)."""
    if not ids:
        return []
    photos = session.scalars(select(Photo).where(Photo.id.in_(ids)))
    return [p.id for p in photos if actor is None or may_attach(session, actor, p)]


def may_attach(session: Session, actor: Actor, photo: Photo) -> bool:
    """A photo goes onto a report, a result or a task only from someone who may see it (who uploaded it,
    a district-wide role, one who sees an event it is on), or when it was uploaded without an account and
    no event holds it yet (the public form's upload). Ids are sequential: without this, anyone could put
    another person's photo on a public report and read it there."""
    if photo_scope(session, actor, photo):
        return True
    return photo.uploader_id is None and not _photo_events(session, photo.id)


def get_photo(session: Session, photo_id: int) -> Photo:
    return get_or_404(session, Photo, photo_id, what="photo")


def _photo_events(session: Session, photo_id: int) -> list[Event]:
    return list(session.scalars(select(Event).join(EventPhoto, EventPhoto.event_id == Event.id)
                                .where(EventPhoto.photo_id == photo_id)))


# Other domains keep photos on records of their own (an emergency task's result): each registers how to
# tell whether the caller sees a record holding a photo, so the photo is shown to whoever sees its record.
PhotoHolder = Callable[[Session, Actor, int], bool]
_HOLDERS: dict[str, PhotoHolder] = {}


def register_photo_holder(name: str, sees_holder: PhotoHolder) -> None:
    """``sees_holder(session, actor, photo_id)``: whether the actor sees a record of this domain holding it."""
    _HOLDERS[name] = sees_holder


def photo_scope(session: Session, actor: Actor, photo: Photo) -> bool:
    """A photo is the caller's when they uploaded it (or the same bytes), may see an event it belongs to,
    or a record of another domain that holds it (`register_photo_holder`)."""
    if actor.role in DISTRICT_WIDE or (actor.id is not None and photo.uploader_id == actor.id):
        return True
    if actor.id is not None and session.get(PhotoUpload, (photo.id, actor.id)) is not None:
        return True  # they uploaded the same bytes themselves
    if any(event_scope(session, actor, ev) for ev in _photo_events(session, photo.id)):
        return True
    return any(sees(session, actor, photo.id) for sees in _HOLDERS.values())


# Reading a photo as it was taken (EXIF and all): whoever may see its event (or uploaded it). Anyone else
# signed in gets the public copy of a photo of a public report (`public_copy`), or a 404.
VIEW_PHOTO = policy("events.photos.view", tuple(Role), photo_scope, what="photo")


def photo_file(session: Session, data_dir: Path, photo_id: int, actor: Actor) -> tuple[Photo, Path]:
    """A stored photo and its file: the original for those who may see its event, the copy without EXIF
    for a photo of a public report; 404 otherwise (or if the file is missing)."""
    p = get_photo(session, photo_id)
    if VIEW_PHOTO.permits_role(actor) and VIEW_PHOTO.in_scope(session, actor, p):
        path = path_for(data_dir, p)
        if not path.is_file():
            raise NotFound("photo file", p.sha256)
        return p, path
    if any(is_public(ev) for ev in _photo_events(session, p.id)):
        return p, public_copy(data_dir, p)
    raise NotFound("photo", photo_id)


def public_photo_file(session: Session, data_dir: Path, number: str, photo_id: int) -> tuple[Photo, Path]:
    """A photo of a public report, for anyone, re-encoded without EXIF (no GPS, no camera, no time)."""
    ev = public_report(session, number)
    attached = session.scalar(select(EventPhoto.id).where(EventPhoto.event_id == ev.id,
                                                          EventPhoto.photo_id == photo_id))
    if attached is None:
        raise NotFound("photo", photo_id)
    p = get_photo(session, photo_id)
    return p, public_copy(data_dir, p)


def strip_exif(data: bytes) -> bytes:
    """The image re-encoded by Pillow without its EXIF block (location, camera, time) or other metadata;
    the orientation EXIF asked for is applied to the pixels first, so the picture still stands upright."""
    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format or "JPEG"
        upright = ImageOps.exif_transpose(img)
        clean = Image.new(upright.mode, upright.size)
        clean.paste(upright)  # only the pixels: no info dict, no EXIF, no XMP, no ICC text
        out = io.BytesIO()
        if fmt == "JPEG":
            clean.convert("RGB").save(out, "JPEG", quality=90)
        else:
            clean.save(out, fmt)
    return out.getvalue()


def public_copy(data_dir: Path, p: Photo) -> Path:
    """The copy of a photo that leaves to people who may not see its event: made once, kept beside it."""
    original = path_for(data_dir, p)
    ext = original.suffix
    target = photo_dir(data_dir) / "public" / p.sha256[:2] / f"{p.sha256}{ext}"
    if target.is_file():
        return target
    if not original.is_file():
        raise NotFound("photo file", p.sha256)
    data = strip_exif(original.read_bytes())
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".public-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def photo_out(p: Photo) -> dict[str, Any]:
    return {"id": p.id, "sha256": p.sha256, "content_type": p.content_type, "size": p.size, "width": p.width,
            "height": p.height, "gps_lon": p.gps_lon, "gps_lat": p.gps_lat, "taken_at": p.taken_at,
            "url": f"/api/events/photos/{p.id}"}
