"""apps/web: settings, /health, /predict's failure policy (mocked), and end to end on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.exceptions import StarletteDeprecationWarning

from applogs import UVICORN_LOGGERS, JsonFormatter
from apps.model import make_example_model as gen
from apps.model.dev_server import serve
from apps.web.webapp.main import MAX_BATCH, create_app
from apps.web.webapp.settings import DatabaseSettings, Settings, SettingsError
from components.bundle import MODEL_REPOSITORY_SOURCE

with warnings.catch_warnings():
    # Starlette 1.x warns on importing its httpx-based TestClient (it suggests httpx2); the
    # client works, and it is the one FastAPI documents.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
ROWS = [[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 0.0, 2.0]]
FAST = {"model_retries": 2, "model_retry_backoff_seconds": 0.001}


def expected_probabilities(rows: list[list[float]]) -> np.ndarray:
    logits = np.array(rows, dtype=np.float64) @ gen.WEIGHTS.astype(np.float64) + gen.BIAS
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probabilities


# --- settings ---------------------------------------------------------------------------------

FULL_ENV = {
    "MODEL_URL": "http://internal-model-123.ap-northeast-2.elb.amazonaws.com/",
    "MODEL_NAME": "scorer",
    "MODEL_TIMEOUT_SECONDS": "30",
    "DB_HOST": "db.internal",
    "DB_PORT": "5432",
    "DB_NAME": "webmodel",
    "DB_CREDENTIALS": '{"username": "app", "password": "s3cr3t"}',
    "LOG_LEVEL": "debug",
    "APP_ENV": "dev",
}


def test_settings_from_the_properties_the_program_sets():
    s = Settings.from_env(FULL_ENV)
    assert s == Settings(
        model_url="http://internal-model-123.ap-northeast-2.elb.amazonaws.com",
        model_name="scorer",
        model_timeout_seconds=30.0,
        model_connect_timeout_seconds=2.0,
        model_retries=2,
        model_retry_backoff_seconds=0.2,
        database=DatabaseSettings("db.internal", 5432, "webmodel", "app", "s3cr3t"),
        log_level="DEBUG",
        app_env="dev",
    )
    assert "s3cr3t" not in repr(s)


def test_settings_without_a_database_for_local_runs():
    s = Settings.from_env({"MODEL_URL": "http://127.0.0.1:8001"})
    assert s.database is None
    assert s.model_name == "scorer"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MODEL_URL": ""}, "MODEL_URL is not set: set it to the model tier's http(s):// URL"),
        (
            {"MODEL_URL": "model:8000"},
            "MODEL_URL='model:8000': use an http:// or https:// URL with a host",
        ),
        (
            {"MODEL_TIMEOUT_SECONDS": "0"},
            "MODEL_TIMEOUT_SECONDS='0': use a number of seconds greater than 0",
        ),
        (
            {"MODEL_TIMEOUT_SECONDS": "soon"},
            "MODEL_TIMEOUT_SECONDS='soon': use a number of seconds greater than 0",
        ),
        ({"MODEL_RETRIES": "9"}, "MODEL_RETRIES='9': use a whole number from 0 to 5"),
        ({"DB_PORT": "postgres"}, "DB_PORT='postgres': use a TCP port number (e.g. 5432)"),
        (
            {"DB_NAME": "", "DB_CREDENTIALS": ""},
            "DB_NAME, DB_CREDENTIALS not set while DB_HOST, DB_PORT is: "
            "set all of DB_HOST, DB_PORT, DB_NAME, DB_CREDENTIALS",
        ),
        (
            {"DB_CREDENTIALS": "arn:aws:secretsmanager:ap-northeast-2:1:secret:x"},
            'DB_CREDENTIALS is not JSON: expected the secret\'s {"username": ..., "password": ...}',
        ),
        (
            {"DB_CREDENTIALS": '{"username": "app"}'},
            'DB_CREDENTIALS: expected a JSON object with string "username" and "password"',
        ),
    ],
)
def test_bad_settings_fail_with_one_line_naming_the_property(change, message):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**FULL_ENV, **change})
    assert str(info.value) == message


@settings(max_examples=50, deadline=None)
@given(
    username=st.text(min_size=1, max_size=30),
    password=st.text(min_size=1, max_size=60),
    extra=st.dictionaries(
        st.sampled_from(["engine", "host", "port", "dbname"]), st.text(max_size=10)
    ),
)
def test_db_credentials_take_any_secret_json_rds_writes(username, password, extra):
    # RDS-managed secrets hold username and password (and may hold more keys); any characters.
    secret = json.dumps({**extra, "username": username, "password": password})
    db = Settings.from_env({**FULL_ENV, "DB_CREDENTIALS": secret}).database
    assert db is not None
    assert (db.username, db.password) == (username, password)
    assert f"password={password!r}" not in repr(db)


# --- the app against a mocked model tier -----------------------------------------------------


def v2_answer(rows: list[list[float]]) -> dict[str, Any]:
    probs = expected_probabilities(rows)
    return {
        "model_name": "scorer",
        "model_version": "1",
        "outputs": [
            {
                "name": "probabilities",
                "datatype": "FP32",
                "shape": list(probs.shape),
                "data": probs.reshape(-1).tolist(),
            }
        ],
    }


class Model:
    """A scripted model tier: each call pops the next answer (a Response or an exception)."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def client_for(model: Model, **overrides: Any) -> TestClient:
    s = Settings(model_url="http://model.internal", **{**FAST, **overrides})
    return TestClient(create_app(s, transport=httpx.MockTransport(model)))


def test_health_is_ok_without_calling_the_model():
    model = Model(httpx.ConnectError("refused"))
    with client_for(model) as client:
        response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert model.requests == []


def test_predict_sends_a_kserve_v2_request_and_reshapes_the_answer():
    model = Model(httpx.Response(200, json=v2_answer(ROWS)))
    with client_for(model) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert response.status_code == 200
    body = response.json()
    assert (body["model_name"], body["model_version"]) == ("scorer", "1")
    assert list(body["outputs"]) == ["probabilities"]
    np.testing.assert_allclose(
        body["outputs"]["probabilities"], expected_probabilities(ROWS), rtol=1e-6
    )
    [sent] = model.requests
    assert (sent.method, str(sent.url)) == ("POST", "http://model.internal/v2/models/scorer/infer")
    assert json.loads(sent.content) == {
        "inputs": [
            {
                "name": "features",
                "shape": [2, 4],
                "datatype": "FP32",
                "data": [1.0, 2.0, 3.0, 4.0, 0.5, -1.0, 0.0, 2.0],
            }
        ]
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"inputs": []},
        {"inputs": [[1.0, 2.0, 3.0]]},
        {"inputs": [[1.0, 2.0, 3.0, 4.0, 5.0]]},
        {"inputs": [[1.0, 2.0, 3.0, 4.0]] * (MAX_BATCH + 1)},
        {"inputs": [["a", 2.0, 3.0, 4.0]]},
        {"rows": [[1.0, 2.0, 3.0, 4.0]]},
    ],
)
def test_invalid_requests_get_422_and_never_reach_the_model(payload):
    model = Model(httpx.Response(200, json=v2_answer(ROWS)))
    with client_for(model) as client:
        response = client.post("/predict", json=payload)
    assert response.status_code == 422
    assert model.requests == []


@pytest.mark.parametrize("transient", [502, 503, 504])
def test_transient_answers_are_retried_then_succeed(transient):
    model = Model(
        httpx.Response(transient, json={"error": "no healthy instance"}),
        httpx.Response(200, json=v2_answer(ROWS)),
    )
    with client_for(model) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert response.status_code == 200
    assert len(model.requests) == 2


@settings(max_examples=25, deadline=None)
@given(retries=st.integers(0, 4))
def test_unreachable_model_gives_502_after_exactly_the_configured_attempts(retries):
    model = Model(httpx.ConnectError("Connection refused"))
    with client_for(model, model_retries=retries) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert response.status_code == 502
    assert response.json() == {
        "detail": "model tier unreachable: ConnectError: Connection refused "
        f"(after {retries + 1} attempts)"
    }
    assert len(model.requests) == retries + 1


def test_a_read_timeout_gives_504_and_is_not_retried():
    model = Model(httpx.ReadTimeout("timed out"))
    with client_for(model, model_timeout_seconds=0.5) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert (response.status_code, response.json()) == (
        504,
        {"detail": "model tier did not answer within 0.5s"},
    )
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    ("answer", "status", "detail"),
    [
        (
            httpx.Response(400, json={"error": "unexpected inference input 'x'"}),
            422,
            "model rejected the input: unexpected inference input 'x'",
        ),
        (
            httpx.Response(500, json={"error": "CUDA out of memory"}),
            502,
            "model tier answered 500: CUDA out of memory",
        ),
        (
            httpx.Response(404, json={"error": "Request for unknown model: 'scorer' is not found"}),
            502,
            "model tier answered 404: Request for unknown model: 'scorer' is not found",
        ),
        (httpx.Response(200, text="<html>"), 502, "model tier answered a body that is not JSON"),
        (
            httpx.Response(200, json={"model_name": "scorer"}),
            502,
            "model tier answered without an 'outputs' list",
        ),
        (
            httpx.Response(
                200,
                json={"outputs": [{"name": "p", "datatype": "FP32", "shape": [2, 2], "data": [1]}]},
            ),
            502,
            "output 'p': 1 values for shape (2, 2)",
        ),
    ],
)
def test_model_errors_map_to_documented_statuses_without_retry(answer, status, detail):
    model = Model(answer)
    with client_for(model) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert len(model.requests) == 1


def test_logs_are_json_lines_with_the_request_fields(capsys):
    model = Model(httpx.Response(200, json=v2_answer(ROWS)))
    with client_for(model) as client:
        response = client.post(
            "/predict", json={"inputs": ROWS}, headers={"x-request-id": "abc123"}
        )
    assert response.headers["x-request-id"] == "abc123"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    started = [e for e in lines if e["message"] == "web tier started"]
    assert started[0]["model_url"] == "http://model.internal"
    [request] = [e for e in lines if e["message"] == "request"]
    assert {
        k: request[k] for k in ("level", "logger", "request_id", "method", "path", "status")
    } == {
        "level": "INFO",
        "logger": "webapp",
        "request_id": "abc123",
        "method": "POST",
        "path": "/predict",
        "status": 200,
    }
    assert isinstance(request["duration_ms"], float)
    assert request["ts"].endswith("+00:00")
    for name in ("webapp", *UVICORN_LOGGERS):
        handlers = logging.getLogger(name).handlers
        assert [type(h.formatter) for h in handlers] == [JsonFormatter]


# --- end to end: the app over real HTTP to the dev server on 127.0.0.1 -------------------------


@pytest.fixture(scope="module")
def model_server():
    server = serve(ROOT / MODEL_REPOSITORY_SOURCE)
    yield server
    server.shutdown()
    server.server_close()


def live_client(url: str, **overrides: Any) -> TestClient:
    s = Settings(model_url=url, model_name="scorer", **{**FAST, **overrides})
    return TestClient(create_app(s))


def test_predict_end_to_end_returns_the_models_real_answer(model_server):
    before = model_server.infer_calls
    with live_client(model_server.url) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert response.status_code == 200
    body = response.json()
    assert (body["model_name"], body["model_version"]) == ("scorer", "1")
    np.testing.assert_allclose(
        body["outputs"]["probabilities"], expected_probabilities(ROWS), rtol=1e-5
    )
    assert model_server.infer_calls == before + 1


def test_model_server_down_gives_502(model_server):
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with live_client(f"http://127.0.0.1:{port}", model_retries=1) as client:
        response = client.post("/predict", json={"inputs": ROWS})
    assert response.status_code == 502
    detail = response.json()["detail"]
    assert detail.startswith("model tier unreachable: ConnectError: ")
    assert detail.endswith("(after 2 attempts)")


def test_slow_model_server_gives_504_within_the_timeout(model_server):
    before = model_server.infer_calls
    model_server.delay_seconds = 1.5
    try:
        with live_client(model_server.url, model_timeout_seconds=0.2) as client:
            started = time.perf_counter()
            response = client.post("/predict", json={"inputs": ROWS})
            elapsed = time.perf_counter() - started
    finally:
        model_server.delay_seconds = 0.0
    assert (response.status_code, response.json()) == (
        504,
        {"detail": "model tier did not answer within 0.2s"},
    )
    assert elapsed < 1.0
    assert model_server.infer_calls == before + 1
