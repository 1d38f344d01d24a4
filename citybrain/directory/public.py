"""What other domains may use of the directory: departments (read model and look-ups) and the catalogue.

Every other domain imports the directory only through this module.
"""

from citybrain.directory import catalogue
from citybrain.directory.models import DEPARTMENT_KINDS, Contact, Department
from citybrain.directory.service import (
    department_by_code,
    department_for_manager,
    ensure_department,
    get_department,
    list_departments,
    may_see_department,
    street_office_for,
    visible_area_prefix,
    visible_department_ids,
    warning_contacts,
)

__all__ = [
    "DEPARTMENT_KINDS", "Contact", "Department", "catalogue", "department_by_code", "department_for_manager",
    "ensure_department", "get_department", "list_departments", "may_see_department", "street_office_for",
    "visible_area_prefix", "visible_department_ids", "warning_contacts",
]
