"""schemathesis over the workbench's OpenAPI schema: no request it generates gets a server error or a response
that breaks the schema. Half the cases name the served study and a real claim, with this session's CSRF token and
the row's version, so that edits and what-ifs reach the library (on a copy in a temporary folder)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

import armsflow  # noqa: E402
from armsflow.study.edit import read_claim  # noqa: E402
from armsflow.web.app import LOOPBACK, create_app  # noqa: E402
from armsflow.web.security import SESSION_COOKIE, csrf_token  # noqa: E402

FOLDER = Path(tempfile.mkdtemp(prefix="armsflow-schema-")) / "mine"
armsflow.init(FOLDER)
APP = create_app([FOLDER], hosts=(*LOOPBACK, "testserver"))  # schemathesis calls the app as testserver
SESSION = "s" * 43
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None)
def test_api_conforms(case: schemathesis.Case) -> None:
    if random.Random(repr(case.body)).random() < 0.5:
        if "ident" in (case.path_parameters or {}):
            case.path_parameters = {**case.path_parameters, "ident": "mine"}
        if "claim" in (case.path_parameters or {}):
            case.path_parameters = {**case.path_parameters, "claim": "C004-PAY"}
        case.headers = {**(case.headers or {}), "X-CSRF-Token": csrf_token(APP.state.secret, SESSION),
                        "If-Match": read_claim(FOLDER, "C004-PAY").etag, "Cookie": f"{SESSION_COOKIE}={SESSION}"}
    # A row that would not pass `check`, or a scenario the study lacks, is valid JSON Schema and still refused with
    # 422: the schema cannot express the study's own rules, so "schema-valid data is accepted" is not checked.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
