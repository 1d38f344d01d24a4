"""The closed loop as an explicit state machine (GB/T 30428: 受理/立案 → 派遣 → 处置 → 核查 → 结案).

    reported ──accept──▶ accepted ──dispatch──▶ dispatched ──start──▶ in_progress ──handle──▶ handled
       │  └─reject──▶ rejected                      │    ▲                 │                  │  │
       │                                            │    └──reassign──┐    │                  │  └─rework──▶ in_progress
       └─merge──▶ merged              return (退回) ▼                  │   ▼                  ▼
                                                  returned ───────────┘ (dispatch)        verified ──close──▶ closed
    transfer (转办: a township the district does not run) ──close──▶ closed

One table (`TABLE`, the kit's `TransitionTable`) names, for each action, the states it may start from, the
state it leads to and the roles that may take it; `check` refuses anything else with a Conflict naming
the state and the action.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import cast

from citybrain.core.roles import Role
from citybrain.core.transitions import Transition, TransitionTable


class Status(StrEnum):
    REPORTED = "reported"  # 已上报 (待受理)
    ACCEPTED = "accepted"  # 已立案
    REJECTED = "rejected"  # 不予立案
    TRANSFER = "transfer"  # 转办 (outside the district's administration)
    DISPATCHED = "dispatched"  # 已派遣
    IN_PROGRESS = "in_progress"  # 处置中
    RETURNED = "returned"  # 已退回 (the department says it is not its own)
    HANDLED = "handled"  # 已处置 (待核查)
    VERIFIED = "verified"  # 已核查
    CLOSED = "closed"  # 已结案
    MERGED = "merged"  # 已合并 (a duplicate)


TERMINAL = frozenset({Status.REJECTED, Status.CLOSED, Status.MERGED})
OPEN = frozenset(set(Status) - TERMINAL)

STATUS_ZH = {
    Status.REPORTED: "待受理", Status.ACCEPTED: "已立案", Status.REJECTED: "不予立案", Status.TRANSFER: "转办",
    Status.DISPATCHED: "已派遣", Status.IN_PROGRESS: "处置中", Status.RETURNED: "已退回",
    Status.HANDLED: "待核查", Status.VERIFIED: "已核查", Status.CLOSED: "已结案", Status.MERGED: "已合并",
}

_COMMAND = (Role.DUTY_OFFICER,)
_FIELD = (Role.DUTY_OFFICER, Role.STREET_STAFF, Role.GRID_WORKER)


@dataclasses.dataclass(frozen=True)
class Step(Transition[Status]):
    """A transition of the closed loop: the kit's, plus the hub's department rule."""

    department_only: bool = False  # a handler may act only on events of their own department


ACTIONS_ZH = {"accept": "受理立案", "reject": "不予立案", "merge": "合并", "dispatch": "派遣", "start": "签收处置",
              "return": "退回", "handle": "处置反馈", "verify": "核查通过", "rework": "核查不通过·返工",
              "close": "结案", "report": "上报", "transfer": "转办", "escalate": "督办升级", "overdue": "超期",
              "relocate": "更正位置", "rate": "评价", "reply": "答复", "evidence": "附佐证"}

TABLE: TransitionTable[Status] = TransitionTable([
    Step("accept", frozenset({Status.REPORTED}), Status.ACCEPTED, _COMMAND + (Role.STREET_STAFF,)),
    Step("reject", frozenset({Status.REPORTED}), Status.REJECTED, _COMMAND + (Role.STREET_STAFF,), needs_note=True),
    Step("dispatch", frozenset({Status.ACCEPTED, Status.RETURNED}), Status.DISPATCHED, _COMMAND),
    Step("start", frozenset({Status.DISPATCHED}), Status.IN_PROGRESS, (Role.DEPT_HANDLER,), department_only=True),
    Step("return", frozenset({Status.DISPATCHED, Status.IN_PROGRESS}), Status.RETURNED, (Role.DEPT_HANDLER,),
         needs_note=True, department_only=True),
    Step("handle", frozenset({Status.IN_PROGRESS}), Status.HANDLED, (Role.DEPT_HANDLER,), needs_note=True,
         department_only=True),
    Step("verify", frozenset({Status.HANDLED}), Status.VERIFIED, _FIELD),
    Step("rework", frozenset({Status.HANDLED}), Status.IN_PROGRESS, _FIELD, needs_note=True),
    Step("close", frozenset({Status.VERIFIED, Status.TRANSFER}), Status.CLOSED, _COMMAND),
    Step("merge", frozenset({Status.REPORTED, Status.ACCEPTED}), Status.MERGED, _COMMAND + (Role.STREET_STAFF,)),
], subject="event", state_names={str(k): v for k, v in STATUS_ZH.items()}, action_names=ACTIONS_ZH)
# one step per action in the hub: the table by action name
TRANSITIONS: dict[str, Step] = {t.action: cast(Step, t) for t in TABLE}


def check(action: str, current: str, role: Role) -> Step:
    """The step for `action` from `current`, or the error that says why not (422 unknown action, 403 role,
    409 naming the state and the action)."""
    return cast(Step, TABLE.check(current, action, role))


def allowed_actions(current: str, role: Role) -> list[str]:
    return TABLE.allowed(current, role)
