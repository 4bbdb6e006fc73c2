"""`certify check` on a certificate written by another dl-certify version: an unknown schema is
bad input with a clear message (tests/certify/test_check_portable.py); a known schema from another
tool version is checked, with a note saying which version wrote it (issue 15, bad input)."""

import json

from certify.certificate import tool_version


def write(tmp_path, cert):
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(cert))
    return path


def test_another_tool_version_is_named(tmp_path, run_cli):
    cert = {"schema": "dl-certify/certificate/1", "tool": {"name": "dl-certify", "version": "9.9.0"},
            "config": "not a config"}
    code, _, err = run_cli("check", write(tmp_path, cert))
    assert "CERT.tool.version is '9.9.0'" in err and f"this is dl-certify {tool_version()}" in err
    assert code == 2 and "CERT.config" in err


def test_this_version_gets_no_note(tmp_path, run_cli):
    cert = {"schema": "dl-certify/certificate/1", "tool": {"name": "dl-certify", "version": tool_version()},
            "config": "not a config"}
    code, _, err = run_cli("check", write(tmp_path, cert))
    assert code == 2 and "CERT.tool.version" not in err
