import subprocess
import sys

import pytest

from citybrain.config import ConfigError, load_settings


def test_defaults_are_sqlite_in_data_dir(tmp_path):
    s = load_settings(data_dir=tmp_path)
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'citybrain.db'}"
    assert s.timezone == "Asia/Shanghai"


def test_postgres_url_gets_psycopg_driver():
    s = load_settings(database_url="postgresql://u@127.0.0.1/db")
    assert s.effective_database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"CITYBRAIN_TIMEZONE": "Mars/Olympus"}, "CITYBRAIN_TIMEZONE"),
        ({"CITYBRAIN_DATABASE_URL": "mysql://x"}, "CITYBRAIN_DATABASE_URL"),
        ({"CITYBRAIN_MQTT_URL": "http://broker"}, "CITYBRAIN_MQTT_URL"),
        ({"CITYBRAIN_SMS_GATEWAY_URL": "ftp://x"}, "CITYBRAIN_SMS_GATEWAY_URL"),
        ({"CITYBRAIN_TOKEN_TTL_HOURS": "zero"}, "CITYBRAIN_TOKEN_TTL_HOURS"),
    ],
)
def test_bad_setting_names_the_variable(monkeypatch, env, needle):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as e:
        load_settings()
    assert needle in str(e.value)


def test_toml_file(tmp_path, monkeypatch):
    f = tmp_path / "citybrain.toml"
    f.write_text('[citybrain]\ntimezone = "UTC"\nmqtt_url = "mqtt://127.0.0.1:1884"\n')
    monkeypatch.setenv("CITYBRAIN_CONFIG", str(f))
    s = load_settings()
    assert s.timezone == "UTC" and s.mqtt_url.endswith(":1884")
    monkeypatch.setenv("CITYBRAIN_TIMEZONE", "Asia/Shanghai")  # environment wins over the file
    assert load_settings().timezone == "Asia/Shanghai"


def test_broken_toml_is_a_readable_error(tmp_path, monkeypatch):
    f = tmp_path / "bad.toml"
    f.write_text("timezone = \n")
    monkeypatch.setenv("CITYBRAIN_CONFIG", str(f))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_cli_fails_fast_with_a_readable_message(tmp_path):
    env = {"CITYBRAIN_TIMEZONE": "Nowhere/Else", "CITYBRAIN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "citybrain.cli", "db", "current"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "CITYBRAIN_TIMEZONE" in r.stderr + r.stdout
    assert "Traceback" not in r.stderr
