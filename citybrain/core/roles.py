"""Roles of the people who use CityBrain (see DESIGN.md, 'Who uses it')."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    DUTY_OFFICER = "duty_officer"  # 指挥中心值班员
    DEPT_HANDLER = "dept_handler"  # 部门处置人员
    STREET_STAFF = "street_staff"  # 街道/社区工作人员
    GRID_WORKER = "grid_worker"  # 网格员
    INSPECTOR = "inspector"  # 安全检查员
    CITIZEN = "citizen"  # 群众
    DATA_OFFICER = "data_officer"  # 数据管理员


ROLE_LABELS_ZH = {
    Role.ADMIN: "系统管理员",
    Role.DUTY_OFFICER: "指挥中心值班员",
    Role.DEPT_HANDLER: "部门处置人员",
    Role.STREET_STAFF: "街道/社区工作人员",
    Role.GRID_WORKER: "网格员",
    Role.INSPECTOR: "安全检查员",
    Role.CITIZEN: "群众",
    Role.DATA_OFFICER: "数据管理员",
}

STAFF = frozenset(set(Role) - {Role.CITIZEN})
COMMAND = frozenset({Role.ADMIN, Role.DUTY_OFFICER})
