"""core.transitions: a declarative life cycle; refusals say the state and the action in words."""

from __future__ import annotations

from enum import StrEnum

import pytest

from citybrain.core.errors import Conflict, Forbidden, ValidationFailed
from citybrain.core.roles import Role
from citybrain.core.transitions import Transition, TransitionTable


class Danger(StrEnum):
    OPEN = "open"
    RECTIFYING = "rectifying"
    DONE = "done"


def _photo_needed(obj: dict[str, object] | None) -> str | None:
    return None if obj and obj.get("photo") else "a photo of the result is required"


TABLE = TransitionTable(
    [
        Transition("start", frozenset({Danger.OPEN}), Danger.RECTIFYING, (Role.INSPECTOR,)),
        Transition("finish", frozenset({Danger.RECTIFYING}), Danger.DONE, (Role.INSPECTOR,),
                   needs_note=True, guard=_photo_needed),
        Transition("reopen", frozenset({Danger.DONE, Danger.RECTIFYING}), Danger.OPEN),
    ],
    subject="hidden danger",
    state_names={"open": "未整改", "rectifying": "整改中", "done": "已整改"},
    action_names={"finish": "整改完成"},
)


def test_the_table_leads_from_state_to_state() -> None:
    t = TABLE.check("open", "start", Role.INSPECTOR)
    assert t.target is Danger.RECTIFYING
    assert TABLE.next_state(Danger.DONE, "reopen") is Danger.OPEN
    assert TABLE.next_state("open", "finish") is None
    assert TABLE.check("rectifying", "finish", Role.INSPECTOR, {"photo": 1}).needs_note
    assert "start" in TABLE and "fly" not in TABLE and TABLE.actions == ["start", "finish", "reopen"]
    assert TABLE.sources("reopen") == ["done", "rectifying"]


def test_a_refused_state_is_a_409_naming_state_and_action_in_words() -> None:
    with pytest.raises(Conflict) as exc:
        TABLE.check("done", "finish", Role.INSPECTOR)
    assert exc.value.status_code == 409 and exc.value.field == "status"
    assert "cannot finish (整改完成) a hidden danger that is done (已整改)" in exc.value.msg
    assert "['rectifying']" in exc.value.msg


def test_roles_guards_and_unknown_actions() -> None:
    with pytest.raises(Forbidden):
        TABLE.check("open", "start", Role.CITIZEN)
    TABLE.check("open", "start", Role.ADMIN)  # admin passes role checks
    TABLE.check("open", "start", None)  # the caller decided who may
    TABLE.check("done", "reopen", Role.CITIZEN)  # no roles listed: anyone
    with pytest.raises(Conflict) as exc:
        TABLE.check("rectifying", "finish", Role.INSPECTOR, {"photo": None})
    assert "a photo of the result is required" in exc.value.msg and "整改中" in exc.value.msg
    with pytest.raises(Conflict):  # a guarded action is asked even without an object
        TABLE.check("rectifying", "finish", Role.INSPECTOR)
    with pytest.raises(ValidationFailed) as unknown:
        TABLE.check("open", "fly", Role.ADMIN)
    assert unknown.value.field == "action"


def test_allowed_actions() -> None:
    assert TABLE.allowed("rectifying", Role.INSPECTOR) == ["finish", "reopen"]
    assert TABLE.allowed("rectifying", Role.INSPECTOR, {"photo": None}) == ["reopen"]
    assert TABLE.allowed("open", Role.CITIZEN) == []


def test_two_transitions_for_one_pair_are_refused_when_the_table_is_built() -> None:
    with pytest.raises(ValueError):
        TransitionTable([Transition("a", frozenset({"x"}), "y"), Transition("a", frozenset({"x"}), "z")])


def test_an_action_may_lead_to_different_states_from_different_sources() -> None:
    t = TransitionTable([Transition("undo", frozenset({"b"}), "a"), Transition("undo", frozenset({"c"}), "b")])
    assert t.next_state("b", "undo") == "a" and t.next_state("c", "undo") == "b"
