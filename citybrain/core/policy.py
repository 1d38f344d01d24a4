"""Who may do what, and where: one policy per action, declared beside the action (rules of the house 4).

CKAN pairs every action with an auth function of the same name; here an action's service function
starts with ``POLICY.allow(session, actor, obj)``. A policy has two questions:

- the role: may this kind of user attempt the action at all? No → 403, naming the roles that may;
- the scope: is this object theirs — their department's work, a place in their street, community or
  grid? No → 404, exactly as if the object did not exist, so ids cannot be probed.

Every policy is registered by name in `POLICIES`, so the matrix test and docs/security.md list them all.
Scope predicates take ``(session, actor, obj)``; the helpers below answer the common ones from codes
alone (GB/T 30428 area codes nest: street 9 digits ⊂ community 12 ⊂ grid 15).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from citybrain.core.auth import Actor
from citybrain.core.errors import Forbidden, NotFound
from citybrain.core.roles import ROLE_LABELS_ZH, Role

Scope = Callable[[Session, Actor, Any], bool]

# roles that act district-wide: no place or department limits them
DISTRICT_WIDE = frozenset({Role.ADMIN, Role.DUTY_OFFICER, Role.DATA_OFFICER})


@dataclasses.dataclass(frozen=True)
class Policy:
    action: str
    roles: frozenset[Role]
    scope: Scope | None = None
    what: str = "object"  # how a 404 names the object ("event", "hidden danger")

    def allow(self, session: Session, actor: Actor, obj: Any = None, ident: object = None) -> None:
        """Raise Forbidden (wrong role) or NotFound (out of scope); return quietly otherwise."""
        if not self.permits_role(actor):
            names = "、".join(ROLE_LABELS_ZH[r] for r in sorted(self.roles, key=list(Role).index))
            raise Forbidden(f"{ROLE_LABELS_ZH.get(actor.role, actor.role)} may not {self.action}; "
                            f"roles that may: {names}")
        if obj is not None and not self.in_scope(session, actor, obj):
            raise NotFound(self.what, ident if ident is not None else getattr(obj, "id", ""))

    def permits_role(self, actor: Actor) -> bool:
        return actor.role == Role.ADMIN or actor.role in self.roles

    def in_scope(self, session: Session, actor: Actor, obj: Any) -> bool:
        return actor.role == Role.ADMIN or self.scope is None or self.scope(session, actor, obj)


POLICIES: dict[str, Policy] = {}


def policy(action: str, roles: Iterable[Role], scope: Scope | None = None, *, what: str = "object") -> Policy:
    """Declare (and register) the policy of `action`, e.g. ``policy("events.transition", STAFF, event_scope)``."""
    if action in POLICIES:
        raise ValueError(f"policy {action!r} declared twice")
    made = Policy(action, frozenset(roles), scope, what)
    POLICIES[action] = made
    return made


# --- scope helpers --------------------------------------------------------------------------------

def area_prefix(actor: Actor) -> str | None:
    """The area code an actor's places must lie in, or None when place does not limit them.

    Street staff work in the street or community their `area_code` names (9 or 12 digits); a grid worker
    (网格员) in their own grid. A place-bound role without an area sees no place (an empty prefix never
    matches: see `in_area`).
    """
    if actor.role in (Role.STREET_STAFF, Role.GRID_WORKER):
        return actor.area_code or "\x00"
    return None


def in_area(actor: Actor, *codes: str | None) -> bool:
    """Whether a place given by its codes (grid, community or street — whichever the row has) is the
    actor's. Codes nest, so the most precise one present decides."""
    prefix = area_prefix(actor)
    if prefix is None:
        return True
    known = [c for c in codes if c]
    if not known:
        return False
    best = max(known, key=len)
    return best.startswith(prefix)


def own_department(actor: Actor, department_id: int | None) -> bool:
    return actor.department_id is not None and actor.department_id == department_id
