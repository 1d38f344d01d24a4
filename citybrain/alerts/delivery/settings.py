"""Delivery's settings: which adapter sends each channel, the providers' credentials and limits.

Read like every other setting (CITYBRAIN_* environment variables, then the CITYBRAIN_CONFIG file), e.g.
``CITYBRAIN_ALERTS_SMS_ADAPTER=smpp``, ``CITYBRAIN_ALERTS_SMPP_PASSWORD=…``. Credentials live here and
nowhere in code.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator

from citybrain.config import ConfigError, Settings

SMS_ADAPTERS = ("log", "smpp", "http")


class DeliverySettings(Settings):
    alerts_sms_adapter: str = Field(default="log", description="who sends `sms`: log | smpp | http")
    # SMPP 3.4 (an operator's SMSC)
    alerts_smpp_host: str = "127.0.0.1"
    alerts_smpp_port: int = Field(default=2775, ge=1, le=65535)
    alerts_smpp_system_id: str = ""
    alerts_smpp_password: str = ""
    alerts_smpp_source_addr: str = "1069000000"
    # after a worker died mid-send, how long to wait for the SMSC's receipt before sending again
    alerts_smpp_receipt_wait_s: float = Field(default=600.0, ge=0)
    # a cloud SMS provider's HTTP API (generic: send, status, receipt callback)
    alerts_sms_http_url: str = ""
    alerts_sms_http_key: str = ""        # our access key id at the provider
    alerts_sms_http_secret: str = ""     # signs our requests (HMAC-SHA256)
    alerts_sms_sign_name: str = "双流应急"  # the registered signature (签名)
    alerts_sms_template_code: str = ""   # the approved template (模板) the provider requires
    alerts_receipt_secret: str = ""      # the provider's receipt callback proves itself with it
    alerts_send_timeout_s: float = Field(default=10.0, gt=0)
    alerts_lease_s: float = Field(default=60.0, gt=0)  # a dead worker's messages go to another after this
    # limits: the provider's requests per second; per number "count/seconds" windows (providers refuse more)
    alerts_sms_rate_per_second: int = Field(default=100, ge=1)
    alerts_sms_per_number: str = "1/60,5/3600,10/86400"
    alerts_robot_per_minute: int = Field(default=20, ge=1)
    # chat robots and e-mail through apprise: URL templates, {address} = the recipient's robot key / e-mail
    alerts_wecom_url: str = ""           # e.g. wecombot://{address}
    alerts_dingtalk_url: str = ""        # e.g. dingtalk://{address}
    alerts_email_url: str = ""           # e.g. mailtos://user:pass@smtp.example.org?to={address}
    # Web Push (best effort)
    alerts_vapid_private_key: str = ""
    alerts_vapid_subject: str = "mailto:duty@shuangliu.example"
    # acknowledgement and escalation
    alerts_ack_base_url: str = ""        # the public address of /a/<token>; empty = a relative link
    alerts_escalate_after_min: float = Field(default=15, gt=0)
    alerts_call_after_min: float = Field(default=30, gt=0)

    @field_validator("alerts_sms_adapter")
    @classmethod
    def _adapter(cls, v: str) -> str:
        if v not in SMS_ADAPTERS:
            raise ValueError(f"must be one of {', '.join(SMS_ADAPTERS)}")
        return v

    @field_validator("alerts_sms_per_number")
    @classmethod
    def _windows(cls, v: str) -> str:
        per_number_windows(v)
        return v


def per_number_windows(text: str) -> list[tuple[int, int]]:
    """"1/60,5/3600" → [(1, 60), (5, 3600)]: at most `count` messages per number per `seconds`."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            count, seconds = (int(x) for x in part.split("/"))
        except ValueError:
            raise ValueError(f"{part!r} is not count/seconds (e.g. 5/3600)") from None
        if count < 1 or seconds < 1:
            raise ValueError(f"{part!r}: count and seconds must be positive")
        out.append((count, seconds))
    return out


@lru_cache(maxsize=1)
def delivery_settings() -> DeliverySettings:
    from pydantic import ValidationError

    try:
        return DeliverySettings()
    except ValidationError as exc:
        lines = [f"CITYBRAIN_{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("bad setting:\n  " + "\n  ".join(lines)) from None
