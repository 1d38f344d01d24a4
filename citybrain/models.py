"""Every table of every domain, for Alembic and the tests."""

from citybrain.bootstrap import import_models
from citybrain.core.db import Base

import_models()

__all__ = ["Base"]
