"""An incident's life cycle as one table (the shared `TransitionTable`):

    reported (接报) ─verify→ verified (核实) ─activate→ active (响应中) ─stand_down→ stood_down (响应终止)
    reported/verified ─activate→ active;  active ─change_level→ active;  stood_down/reported/verified ─close→ closed

A false alarm closes without a response. Who may act is decided by the routes (command roles); the table
decides from which state. A refusal is a 409 on `status` that names the state and the action.
"""

from __future__ import annotations

from citybrain.core.transitions import Transition, TransitionTable
from citybrain.emergency.incident.models import ACTIVE, CLOSED, REPORTED, STOOD_DOWN, VERIFIED

VERIFY, ACTIVATE, CHANGE_LEVEL, STAND_DOWN, CLOSE = "verify", "activate", "change_level", "stand_down", "close"

INCIDENT_STATES: TransitionTable[str] = TransitionTable(
    [
        Transition(VERIFY, frozenset({REPORTED}), VERIFIED),
        Transition(ACTIVATE, frozenset({REPORTED, VERIFIED}), ACTIVE),
        Transition(CHANGE_LEVEL, frozenset({ACTIVE}), ACTIVE),
        Transition(STAND_DOWN, frozenset({ACTIVE}), STOOD_DOWN),
        Transition(CLOSE, frozenset({STOOD_DOWN, REPORTED, VERIFIED}), CLOSED),
    ],
    subject="incident",
    state_names={REPORTED: "接报", VERIFIED: "核实", ACTIVE: "响应中", STOOD_DOWN: "响应终止", CLOSED: "总结归档"},
    action_names={VERIFY: "核实", ACTIVATE: "启动响应", CHANGE_LEVEL: "调整响应级别", STAND_DOWN: "响应终止",
                  CLOSE: "总结归档"},
)
