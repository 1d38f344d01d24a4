"""Settings: CITYBRAIN_* environment variables, then an optional TOML file, then defaults.

A bad setting stops start-up with one readable line per problem (see `load_settings`).
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is wrong; the message is meant for the operator, not a traceback."""


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by CITYBRAIN_CONFIG (a flat table of the same keys, lower case)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.data: dict[str, Any] = {}
        if path is not None:
            try:
                self.data = tomllib.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise ConfigError(f"CITYBRAIN_CONFIG: file not found: {path}") from exc
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"CITYBRAIN_CONFIG: {path} is not valid TOML: {exc}") from exc
            self.data = self.data.get("citybrain", self.data)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITYBRAIN_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="photos, the SQLite file, exports")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty = SQLite file in data_dir")
    timezone: str = "Asia/Shanghai"
    sms_gateway_url: str = Field(default="", description="HTTP SMS gateway; empty = the log channel only")
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    signal_adapter: str = Field(default="sumo", pattern=r"^[a-z][a-z0-9_.-]{0,39}$",
                                description="where timing plans are pushed (core.adapters.SIGNAL_ADAPTERS): sumo | log")
    vendor_dir: Path = Field(default=REPO_ROOT / "node_modules", description="npm-installed Leaflet/ECharts")
    default_language: str = "zh-CN"
    token_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    # a token unused this long stops working (a big screen's polling keeps its own alive)
    token_idle_minutes: int = Field(default=120, ge=1, le=24 * 60)
    # attempts per account (or report number) and per address within a window (login, access codes)
    login_attempts_per_account: int = Field(default=10, ge=1)
    login_attempts_per_address: int = Field(default=50, ge=1)
    login_window_seconds: int = Field(default=300, ge=10)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    geography_cache_seconds: float = Field(default=5.0, ge=0)
    # the CAP publisher (发布单位): its GB/T 4657 organisation code, the DDD of every GB/T 35965.1 identifier
    # (ZZZZZZDDDUUUXX: region 510116, organisation, internal 000, extension 00); "000" until it is assigned
    cap_org_code: str = Field(default="000", description="GB/T 4657 organisation code of the CAP publisher")
    # the CAP <sender>; empty = the publisher code then "@citybrain.shuangliu"
    cap_sender: str = Field(default="", description="CAP sender of the alerts published here")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = os.environ.get("CITYBRAIN_CONFIG")
        return (init_settings, env_settings, _TomlSource(settings_cls, Path(path) if path else None))

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as Asia/Shanghai)") from exc
        return v

    @field_validator("database_url")
    @classmethod
    def _db(cls, v: str) -> str:
        if v and v.split(":", 1)[0].split("+", 1)[0] not in ("sqlite", "postgresql"):
            raise ValueError("must start with sqlite:/// or postgresql:// (postgresql+psycopg://)")
        return v

    @field_validator("mqtt_url", "sms_gateway_url")
    @classmethod
    def _url(cls, v: str, info: Any) -> str:
        if not v:
            return v
        p = urlparse(v)
        allowed = {"mqtt_url": ("mqtt", "mqtts"), "sms_gateway_url": ("http", "https")}[info.field_name]
        if p.scheme not in allowed or not p.hostname:
            raise ValueError(f"must be a {'/'.join(allowed)}:// URL with a host, got {v!r}")
        return v

    @field_validator("cap_org_code")
    @classmethod
    def _org(cls, v: str) -> str:
        if not (len(v) == 3 and v.isascii() and v.isdigit()):
            raise ValueError(f"must be the publisher's 3-digit GB/T 4657 organisation code (such as 000), got {v!r}")
        return v

    @field_validator("cap_sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        # CAP 1.2 <sender>: no spaces, commas, "<" or "&"; it also goes into `references` triples
        if v and (len(v) > 160 or not v.isprintable() or any(c.isspace() or c in ",<&" for c in v)):
            raise ValueError(f"must be at most 160 characters without spaces, commas, '<' or '&', got {v!r}")
        return v

    @field_validator("default_language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("zh-CN", "en"):
            raise ValueError("must be zh-CN or en")
        return v

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{self.data_dir / 'citybrain.db'}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"CITYBRAIN_{name.upper()}: {err['msg']}")
        raise ConfigError("bad setting:\n  " + "\n  ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
