"""Errors of the traffic package: each names the option or field it is about."""

from __future__ import annotations

from citybrain.core.errors import ValidationFailed


class OptionError(ValidationFailed, ValueError):
    """A controller, scenario or run option is unknown or out of range.

    ``option`` is the option's name as the caller wrote it (``min_green``, ``scenario``, ``seed`` …);
    the CLI prints it as ``--option``, the API as the error's ``loc``.
    """

    def __init__(self, option: str, msg: str) -> None:
        super().__init__(f"{option}: {msg}", option)
        self.option = option
