from tests.events.conftest import _fresh_catalogue_cache, hub  # noqa: F401  (the event hub's fixtures)
