"""A domain's life cycle as one declarative table: (state, action) → new state, who may, and why not.

Generalises `citybrain/events/states.py`. Each `Transition` names an action, the states it may start from,
the state it leads to, the roles that may take it (empty: any role) and optionally a guard — a function of
the object that returns a reason to refuse, or None. A refusal says, in words, what was refused and why:

    unknown action            → 422 ValidationFailed on field `action`
    role not among the roles  → 403 Forbidden
    state not among sources   → 409 Conflict on field `status`, naming the state and the action
    guard gives a reason      → 409 Conflict naming the state, the action and the reason

Several transitions may share an action if their source states differ ("rework" from two states to two
targets). A domain needing more per-action facts subclasses `Transition` (frozen dataclass; add fields
with defaults), e.g. `needs_note` is here, a department rule would be a guard or a subclass field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.roles import Role

S = TypeVar("S", bound=str)  # the states: a StrEnum (or plain strings)


@dataclasses.dataclass(frozen=True)
class Transition(Generic[S]):
    action: str
    sources: frozenset[S]
    target: S
    roles: tuple[Role, ...] = ()  # empty: the table does not restrict by role
    needs_note: bool = False  # a reason/result text is required
    guard: Callable[[Any], str | None] | None = None  # the object → a reason to refuse, or None


class TransitionTable(Generic[S]):
    """The transitions of one kind of object (`subject`, e.g. "event", "hidden danger").

    `state_names`/`action_names` give the words (e.g. the Chinese terms) put beside codes in refusals;
    `superuser` (admin by default) passes every role check, never a state check.
    """

    def __init__(self, transitions: Iterable[Transition[S]], *, subject: str = "object",
                 state_names: Mapping[str, str] | None = None, action_names: Mapping[str, str] | None = None,
                 superuser: Role | None = Role.ADMIN) -> None:
        self.subject = subject
        self.state_names = dict(state_names or {})
        self.action_names = dict(action_names or {})
        self.superuser = superuser
        self._by_action: dict[str, list[Transition[S]]] = {}
        self._by_pair: dict[tuple[str, str], Transition[S]] = {}
        for t in transitions:
            for s in t.sources:
                if (s, t.action) in self._by_pair:
                    raise ValueError(f"two transitions for ({s}, {t.action})")
                self._by_pair[(s, t.action)] = t
            self._by_action.setdefault(t.action, []).append(t)

    # ── reading the table ───────────────────────────────────────────────────────────────────────
    @property
    def actions(self) -> list[str]:
        return list(self._by_action)

    def __contains__(self, action: object) -> bool:
        return action in self._by_action

    def __iter__(self) -> Iterator[Transition[S]]:
        for ts in self._by_action.values():
            yield from ts

    def transitions(self, action: str) -> list[Transition[S]]:
        return list(self._by_action.get(action, []))

    def sources(self, action: str) -> list[str]:
        return sorted({str(s) for t in self._by_action.get(action, []) for s in t.sources})

    def next_state(self, current: str, action: str) -> S | None:
        t = self._by_pair.get((str(current), action))
        return t.target if t else None

    def _may(self, t: Transition[S], role: Role | None) -> bool:
        return role is None or not t.roles or role == self.superuser or role in t.roles

    def allowed(self, current: str, role: Role | None = None, obj: Any = None) -> list[str]:
        """The actions `role` may take now on an object in state `current` (guards asked when `obj` is given)."""
        out = []
        for (state, action), t in self._by_pair.items():
            if state == str(current) and self._may(t, role) and (obj is None or t.guard is None or t.guard(obj) is None):
                out.append(action)
        return sorted(set(out), key=self.actions.index)

    # ── deciding ─────────────────────────────────────────────────────────────────────────────────
    def _words(self, code: str, names: Mapping[str, str]) -> str:
        return f"{code} ({names[code]})" if code in names else code

    def check(self, current: str, action: str, role: Role | None = None, obj: Any = None) -> Transition[S]:
        """The transition for `action` from `current`, or the error that says why not.

        `role=None` skips the role check (the caller has decided who may); `obj` is passed to the guard
        (a guarded action needs it).
        """
        candidates = self._by_action.get(action)
        if not candidates:
            raise ValidationFailed(f"unknown action {action!r}; one of {self.actions}", "action")
        current = str(current)
        t = self._by_pair.get((current, action))
        if not any(self._may(c, role) for c in ([t] if t else candidates)):
            roles = sorted({r.value for c in ([t] if t else candidates) for r in c.roles})
            who = role.value if role is not None else "?"
            raise Forbidden(f"role {who} may not {action} a {self.subject}; needs one of {roles}")
        what = self._words(action, self.action_names)
        state = self._words(current, self.state_names)
        if t is None:
            raise Conflict(f"cannot {what} a {self.subject} that is {state}; "
                           f"{action} needs one of {self.sources(action)}", "status")
        if t.guard is not None:  # a guarded action is never let through unasked
            reason = t.guard(obj)
            if reason:
                raise Conflict(f"cannot {what} a {self.subject} that is {state}: {reason}", "status")
        return t


__all__ = ["Transition", "TransitionTable"]
