"""The certificate's JSON Schema, its validator, and tamper detection (issue 8, item 4)."""

from __future__ import annotations

import json

import jsonschema  # a [dev] dependency: the cross-checks below never skip
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.schema import (
    certificate_problems,
    certificate_schema,
    check_schema_keywords,
    validate,
)

SMALL = {
    "data": {"source": "sphere", "n": 5, "d": 3, "seed": 2},
    "certify": {"theorems": ["dzps2019-two-layer-gd"], "delta": 0.2},
}


@pytest.fixture(scope="module")
def cert():
    from certify.pipeline import run

    return run(SMALL, empirical=False)


def copy(x):
    return json.loads(json.dumps(x))


# ------------------------------------------------------------------ the validator itself


def test_schema_uses_only_keywords_the_validator_implements():
    schema = certificate_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    check_schema_keywords(schema)
    with pytest.raises(ValueError, match="patternProperties"):
        check_schema_keywords({"type": "object", "properties": {"a": {"patternProperties": {}}}})


CASES = [
    ({"type": "integer"}, 3, True), ({"type": "integer"}, 3.0, True), ({"type": "integer"}, 3.5, False),
    ({"type": "integer"}, True, False), ({"type": "number"}, False, False), ({"type": ["string", "null"]}, None, True),
    ({"type": "object"}, [], False), ({"type": "array"}, {}, False), ({"const": 1}, 1.0, True),
    ({"const": 1}, True, False), ({"enum": ["a", None]}, None, True), ({"enum": ["a", None]}, "b", False),
    ({"pattern": "^[0-9a-f]{4}$"}, "00af", True), ({"pattern": "^[0-9a-f]{4}$"}, "00AF", False),
    ({"pattern": "^x"}, 5, True), ({"minLength": 2}, "a", False), ({"minimum": 0}, -1, False),
    ({"maximum": 1}, 1, True), ({"minItems": 1}, [], False), ({"items": {"type": "string"}}, ["a", 1], False),
    ({"required": ["a"]}, {"b": 1}, False), ({"properties": {"a": {"type": "string"}}}, {"a": 1}, False),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
    ({"additionalProperties": {"type": "integer"}}, {"x": 1, "y": 2}, True),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 3, False),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 3, False),
    ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 3, True),
    ({"allOf": [{"type": "integer"}, {"minimum": 5}]}, 3, False),
    ({"$defs": {"p": {"type": "integer"}}, "$ref": "#/$defs/p"}, "x", False),
    (True, {"anything": 1}, True), (False, 1, False),
]


@pytest.mark.parametrize("schema,instance,ok", CASES)
def test_validator_keyword_semantics(schema, instance, ok):
    assert (validate(instance, schema) == []) is ok


@pytest.mark.parametrize("schema,instance,ok", CASES)
def test_validator_agrees_with_the_jsonschema_package(schema, instance, ok):
    expected = jsonschema.Draft202012Validator(schema).is_valid(instance)
    assert (validate(instance, schema) == []) is expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_arbitrary_json_never_crashes_and_agrees_with_jsonschema(value):
    """Random JSON is judged like the reference implementation judges it (when installed)."""
    schema = certificate_schema()
    problems = validate(value, schema)
    assert isinstance(problems, list) and problems  # no random value is a certificate
    assert not jsonschema.Draft202012Validator(schema).is_valid(value)


# ------------------------------------------------------------------ certificates


def test_real_certificate_is_valid_and_agrees_with_jsonschema(cert):
    assert certificate_problems(cert) == []
    jsonschema.Draft202012Validator(certificate_schema()).validate(cert)


def _mutations(cert):
    def drop(path):
        def f(c):
            node = c
            for p in path[:-1]:
                node = node[p]
            del node[path[-1]]
        return f

    def setv(path, value):
        def f(c):
            node = c
            for p in path[:-1]:
                node = node[p]
            node[path[-1]] = value
        return f

    def flip_status(c):
        th = c["theorems"][0]
        th["status"] = "not-certified" if th["status"] == "certified" else "certified"

    t = ("theorems", 0)
    return [
        (drop(("content_sha256",)), "required key 'content_sha256'"),
        (setv(("verdict",), "probably"), "/verdict: expected one of"),
        (setv(t + ("hypotheses", 0, "verdict"), "true"), "/theorems/0/hypotheses/0/verdict"),
        (setv(t + ("quantities", "lambda0", "lo"), "0.1.2"), "/theorems/0/quantities/lambda0/lo"),
        (setv(t + ("quantities", "lambda0", "lo"), "0.10"), "does not round-trip"),
        (setv(t + ("quantities", "lambda0", "lo"), "nan"), "lambda0/lo"),
        (setv(t + ("quantities", "lambda0", "lo"), "1e+300"), "an empty interval"),
        (setv(t + ("constants", "width", "lo"), None), "one endpoint is null"),
        (flip_status, "): status '"),
        (setv(("theorems",), []), "fewer than 1 items"),
        (setv(("data", "sha256"), "abc"), "/data/sha256"),
        (setv(("schema",), "dl-certify/certificate/2"), "/schema"),
        (setv(("tool",), "dl-certify"), "/tool: expected object"),
    ]


@pytest.mark.parametrize("index", range(13))
def test_each_malformation_is_named(cert, index):
    mutate, expected = _mutations(cert)[index]
    bad = copy(cert)
    mutate(bad)
    problems = certificate_problems(bad)
    assert any(expected in p for p in problems), problems


def test_verdict_inconsistent_with_theorems_is_caught(cert):
    bad = copy(cert)
    bad["verdict"] = "not-certified" if cert["verdict"] == "certified" else "certified"
    assert any(p.startswith("/verdict:") for p in certificate_problems(bad))
    bad = copy(cert)
    bad["theorems"].append(copy(bad["theorems"][0]))
    assert "/theorems: a theorem id appears twice" in certificate_problems(bad)


# ------------------------------------------------------------------ CLI and tampering


def test_schema_cli_prints_the_schema_and_validates(run_cli, cert, tmp_path):
    from certify.certificate import write_json_atomic

    code, out, _ = run_cli("schema")
    assert code == 0 and json.loads(out) == certificate_schema()
    good = tmp_path / "good.json"
    write_json_atomic(good, cert)
    code, out, _ = run_cli("schema", "--validate", good)
    assert code == 0 and "valid" in out
    bad = copy(cert)
    bad["theorems"][0]["hypotheses"][0]["verdict"] = "maybe"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    code, _, err = run_cli("schema", "--validate", good, "--validate", tmp_path / "bad.json")
    assert code == 1 and "INVALID" in err and "hypotheses/0/verdict" in err
    (tmp_path / "list.json").write_text("[1, 2]")
    code, _, err = run_cli("schema", "--validate", tmp_path / "list.json")
    assert code == 2 and "CERT.schema" in err


def test_check_detects_tampering_through_the_content_hash(run_cli, cert, tmp_path):
    from certify.certificate import content_hash, write_json_atomic

    assert cert["content_sha256"] == content_hash(cert)
    path = tmp_path / "certificate.json"
    write_json_atomic(path, cert)
    code, out, _ = run_cli("check", path)
    assert code == 0, out
    tampered = copy(cert)
    q = tampered["theorems"][0]["quantities"]["lambda0"]
    q["lo"] = repr(float(q["lo"]) * 0.5)  # still a valid, consistent certificate: only the hash tells
    assert certificate_problems(tampered) == []
    write_json_atomic(path, tampered)
    code, _, err = run_cli("check", path)
    assert code == 1 and "content_sha256 does not match" in err


@pytest.mark.parametrize("text,reason", [
    ("{", "valid JSON"), ('{"theorems": []}', "CERT.schema"), ('"a string"', "CERT.schema"),
    ('{"schema": "other/tool/1"}', "other/tool/1"),
])
def test_check_rejects_malformed_or_foreign_json(run_cli, tmp_path, text, reason):
    path = tmp_path / "c.json"
    path.write_text(text)
    code, _, err = run_cli("check", path)
    assert code == 2 and reason in err
