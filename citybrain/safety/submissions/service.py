"""Idempotency-Key for safety's creates (#13 item 4): a double click or a retry of the same submission
returns what the first created; a different submission under a key already used is a 409, never silently
mapped to the first; keys are scoped to their submitter."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.errors import Conflict, ValidationFailed
from citybrain.safety.submissions.models import Submission

FIELD = "Idempotency-Key"


def _hash(body: BaseModel) -> str:
    data = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _check_key(key: str) -> str:
    key = key.strip()
    if not 8 <= len(key) <= 100 or not key.isprintable():
        raise ValidationFailed("an Idempotency-Key is 8 to 100 printable characters", FIELD, loc="header")
    return key


def earlier(session: Session, actor: Actor, action: str, key: str | None, body: BaseModel) -> int | None:
    """The id the same submission created before, or None for a new one; a different body under the key: 409."""
    if key is None:
        return None
    found = session.scalar(select(Submission).where(
        Submission.action == action, Submission.submitter_id == (actor.id or 0), Submission.key == _check_key(key)))
    if found is None:
        return None
    if found.body_hash != _hash(body):
        raise Conflict("this Idempotency-Key was sent with a different submission: fill in the form again "
                       "(a new key) to submit a new one", FIELD, loc="header")
    return int(found.entity_id)


def remember(session: Session, actor: Actor, action: str, key: str | None, body: BaseModel, entity_id: int) -> None:
    """Record what a keyed submission created, in the caller's transaction. Two identical requests racing
    each other: the second's insert fails on the unique key and its transaction rolls back (a 409)."""
    if key is None:
        return
    try:
        with session.begin_nested():
            session.add(Submission(action=action, submitter_id=actor.id or 0, key=_check_key(key),
                                   body_hash=_hash(body), entity_id=entity_id))
    except IntegrityError:
        raise Conflict("the same submission is being saved by another request; reload to see it", FIELD,
                       loc="header") from None

