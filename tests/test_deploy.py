"""The production service unit: systemd restarts the app whenever it stops unasked, and the unit is valid."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "gis-app.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(UNIT.read_text("utf-8").replace("\\\n", " "))
    return parser


def test_the_service_restarts_the_app_when_it_stops_unasked():
    service = _unit()["Service"]
    assert service["Restart"] == "always"  # a master stopped by a plain kill exits 0: on-failure would not restart
    assert "gunicorn" in service["ExecStart"] and "gis_app:create_app()" in service["ExecStart"]
    assert service["KillMode"] == "mixed" and _unit()["Install"]["WantedBy"] == "multi-user.target"
    assert "deploy/gis-app.service" in (ROOT / "README.md").read_text("utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path):
    unit = tmp_path / "gis-app.service"
    unit.write_text(UNIT.read_text("utf-8").replace("/opt/gis-app", str(ROOT)), "utf-8")  # this checkout's venv
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
