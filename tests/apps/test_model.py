"""apps/model: the example model, its Triton config, the dev server, the EB container definition."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort  # type: ignore[import-untyped]
import pytest
import yaml
from google.protobuf import text_format  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from tritonclient.grpc import model_config_pb2  # type: ignore[import-untyped]

from apps.model import make_example_model as gen
from apps.model.dev_server import serve
from components.bundle import APP_SOURCES, MODEL_REPOSITORY_SOURCE
from components.config import parse_stack_config

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = ROOT / MODEL_REPOSITORY_SOURCE
MODEL_FILE = REPOSITORY / "scorer" / "1" / "model.onnx"
COMPOSE = ROOT / APP_SOURCES["model"] / "docker-compose.yml"
PROVISION = ROOT / "apps" / "model" / "ami" / "provision.sh"

# Triton's config data types and the ONNX element types they correspond to.
TRITON_TO_ONNX = {
    "TYPE_FP32": "tensor(float)",
    "TYPE_FP64": "tensor(double)",
    "TYPE_FP16": "tensor(float16)",
    "TYPE_INT64": "tensor(int64)",
    "TYPE_INT32": "tensor(int32)",
    "TYPE_UINT8": "tensor(uint8)",
    "TYPE_BOOL": "tensor(bool)",
}


def load_config(model_dir: Path) -> model_config_pb2.ModelConfig:
    return text_format.Parse(
        (model_dir / "config.pbtxt").read_text(), model_config_pb2.ModelConfig()
    )


def expected_probabilities(rows: np.ndarray) -> np.ndarray:
    logits = rows.astype(np.float64) @ gen.WEIGHTS.astype(np.float64) + gen.BIAS
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probabilities


# --- the generated model ----------------------------------------------------------------------


def test_regenerating_the_model_gives_the_committed_bytes(tmp_path):
    committed = MODEL_FILE.read_bytes()
    assert gen.model_bytes() == committed
    out = tmp_path / "model.onnx"
    assert gen.main(["--out", str(out)]) == 0
    assert out.read_bytes() == committed
    assert gen.main(["--check"]) == 0


def test_check_flags_a_model_that_drifted(tmp_path, capsys):
    out = tmp_path / "model.onnx"
    out.write_bytes(MODEL_FILE.read_bytes() + b"\0")
    assert gen.main(["--check", "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"{out}: differs from the generator; run make_example_model.py\n"
    )


def test_the_model_file_is_what_the_generator_describes():
    model = onnx.load(str(MODEL_FILE))
    assert model.ir_version == gen.IR_VERSION
    assert [(o.domain, o.version) for o in model.opset_import] == [("", gen.OPSET)]
    assert model.producer_name == "webmodel"
    assert [n.op_type for n in model.graph.node] == ["MatMul", "Add", "Softmax"]
    assert [i.name for i in model.graph.initializer] == ["W", "b"]


@settings(max_examples=50, deadline=None)
@given(
    rows=arrays(
        np.float32,
        st.tuples(st.integers(1, 8), st.just(gen.FEATURES)),
        elements=st.floats(-100, 100, width=32),
    )
)
def test_onnxruntime_computes_softmax_of_the_fixed_affine_map(rows):
    session = ort.InferenceSession(str(MODEL_FILE), providers=["CPUExecutionProvider"])
    (probabilities,) = session.run(None, {gen.INPUT_NAME: rows})
    assert probabilities.shape == (rows.shape[0], gen.CLASSES)
    np.testing.assert_allclose(probabilities, expected_probabilities(rows), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


# --- config.pbtxt against the model, with Triton's own schema ----------------------------------


def model_dirs() -> list[Path]:
    return sorted(p for p in REPOSITORY.iterdir() if p.is_dir())


def test_the_repository_holds_the_scorer_model():
    assert [p.name for p in model_dirs()] == ["scorer"]
    assert sorted(p.name for p in (REPOSITORY / "scorer").iterdir()) == ["1", "config.pbtxt"]
    assert sorted(p.name for p in (REPOSITORY / "scorer" / "1").iterdir()) == ["model.onnx"]


@pytest.mark.parametrize("model_dir", model_dirs(), ids=lambda p: p.name)
def test_config_matches_the_onnx_models_real_inputs_and_outputs(model_dir):
    config = load_config(model_dir)
    assert config.name == model_dir.name
    assert config.backend == "onnxruntime"
    assert config.max_batch_size == 8
    assert config.version_policy.latest.num_versions == 1
    assert [(g.kind, g.count) for g in config.instance_group] == [
        (model_config_pb2.ModelInstanceGroup.KIND_GPU, 1)
    ]
    versions = sorted(p for p in model_dir.iterdir() if p.is_dir())
    assert [v.name for v in versions] == ["1"]
    session = ort.InferenceSession(
        str(versions[-1] / "model.onnx"), providers=["CPUExecutionProvider"]
    )

    def described(tensors: Any) -> list[tuple[str, str, list[int]]]:
        # With max_batch_size > 0, Triton's dims leave out the batch dimension the model has first.
        batch = [-1] if config.max_batch_size > 0 else []
        return [
            (
                t.name,
                TRITON_TO_ONNX[model_config_pb2.DataType.Name(t.data_type)],
                batch + list(t.dims),
            )
            for t in tensors
        ]

    def actual(tensors: Any) -> list[tuple[str, str, list[int]]]:
        return [
            (t.name, t.type, [d if isinstance(d, int) else -1 for d in t.shape]) for t in tensors
        ]

    assert described(config.input) == actual(session.get_inputs())
    assert described(config.output) == actual(session.get_outputs())
    assert described(config.input) == [("features", "tensor(float)", [-1, 4])]
    assert described(config.output) == [("probabilities", "tensor(float)", [-1, 2])]


def test_a_config_naming_a_wrong_input_would_be_caught(tmp_path):
    # The comparison above is not vacuous: a config edited out of step with the model differs.
    bad = tmp_path / "scorer"
    bad.mkdir()
    text = (REPOSITORY / "scorer" / "config.pbtxt").read_text().replace('"features"', '"input__0"')
    (bad / "config.pbtxt").write_text(text)
    config = load_config(bad)
    session = ort.InferenceSession(str(MODEL_FILE), providers=["CPUExecutionProvider"])
    assert [t.name for t in config.input] == ["input__0"]
    assert [t.name for t in config.input] != [t.name for t in session.get_inputs()]


def test_config_pbtxt_with_an_unknown_field_does_not_parse(tmp_path):
    (tmp_path / "config.pbtxt").write_text('name: "x"\nbatch_size: 8\n')
    with pytest.raises(text_format.ParseError, match=r'has no field named "batch_size"'):
        load_config(tmp_path)


# --- the KServe v2 dev server ----------------------------------------------------------------


def call(url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def server():
    srv = serve(REPOSITORY)
    yield srv
    srv.shutdown()
    srv.server_close()


def test_dev_server_listens_on_loopback_and_is_ready(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
    assert call(f"{server.url}/v2/health/live") == (200, None)
    assert call(f"{server.url}/v2/health/ready") == (200, None)
    assert call(f"{server.url}/v2/models/scorer/ready") == (200, None)


def test_dev_server_metadata_is_the_models(server):
    assert call(f"{server.url}/v2/models/scorer") == (
        200,
        {
            "name": "scorer",
            "versions": ["1"],
            "platform": "onnxruntime_onnx",
            "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 4]}],
            "outputs": [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 2]}],
        },
    )


def test_dev_server_infers_the_models_answer(server):
    rows = np.array([[1, 2, 3, 4], [0, 0, 0, 0]], dtype=np.float32)
    request = {
        "id": "r1",
        "inputs": [
            {
                "name": "features",
                "shape": [2, 4],
                "datatype": "FP32",
                "data": rows.reshape(-1).tolist(),
            }
        ],
    }
    status, body = call(f"{server.url}/v2/models/scorer/versions/1/infer", request)
    assert status == 200
    assert body["model_name"] == "scorer"
    assert body["model_version"] == "1"
    assert body["id"] == "r1"
    [out] = body["outputs"]
    assert (out["name"], out["datatype"], out["shape"]) == ("probabilities", "FP32", [2, 2])
    np.testing.assert_allclose(
        np.array(out["data"]).reshape(2, 2), expected_probabilities(rows), rtol=1e-5
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        (
            "/v2/models/nope/infer",
            {"inputs": []},
            404,
            "Request for unknown model: 'nope' is not found",
        ),
        (
            "/v2/models/scorer/versions/2/infer",
            {"inputs": []},
            404,
            "Request for unknown model: 'scorer' is not found",
        ),
        ("/v2/models/scorer/infer", {"inputs": []}, 400, "request has no 'inputs' list"),
        (
            "/v2/models/scorer/infer",
            {
                "inputs": [
                    {"name": "features", "shape": [1, 4], "datatype": "INT64", "data": [1, 2, 3, 4]}
                ]
            },
            400,
            "input 'features': datatype INT64, model expects FP32",
        ),
        (
            "/v2/models/scorer/infer",
            {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]},
            400,
            "unexpected inference input 'x' for 'scorer'",
        ),
    ],
)
def test_dev_server_rejects_bad_requests_like_triton(server, path, body, status, error):
    assert call(f"{server.url}{path}", body) == (status, {"error": error})


def test_dev_server_rejects_a_shape_the_data_does_not_fill(server):
    body = {
        "inputs": [{"name": "features", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]
    }
    status, answer = call(f"{server.url}/v2/models/scorer/infer", body)
    assert status == 400
    assert answer["error"].startswith("input 'features': cannot reshape array of size 4")


# --- the EB container definition and the golden AMI -------------------------------------------


def test_compose_runs_triton_on_the_gpu_with_the_repository_from_s3():
    compose = yaml.safe_load(COMPOSE.read_text())
    [(name, service)] = compose["services"].items()
    assert name == "triton"
    assert re.fullmatch(r"nvcr\.io/nvidia/tritonserver:\d{2}\.\d{2}-py3", service["image"])
    assert service["pull_policy"] == "missing"
    assert service["network_mode"] == "host"
    assert service["env_file"] == ".env"
    command = service["command"]
    assert command[0] == "tritonserver"
    assert command[1].startswith("--model-repository=${MODEL_REPOSITORY:?")
    assert "--http-port=80" in command
    assert "--strict-readiness=true" in command
    assert service["deploy"]["resources"]["reservations"]["devices"] == [
        {"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}
    ]


def test_the_ami_pre_pulls_exactly_the_image_compose_runs():
    image = yaml.safe_load(COMPOSE.read_text())["services"]["triton"]["image"]
    script = PROVISION.read_text()
    assert f'TRITON_IMAGE="${{TRITON_IMAGE:-{image}}}"' in script
    assert 'docker pull "$TRITON_IMAGE"' in script
    assert "nvidia-container-toolkit" in script
    assert "nvidia-ctk runtime configure --runtime=docker" in script
    assert PROVISION.stat().st_mode & 0o100


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_model_environments_health_path_is_the_one_triton_serves(stack):
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    config = parse_stack_config(
        {key.split(":", 1)[1]: value for key, value in raw.items() if key.startswith("webmodel:")}
    )
    assert config.model.health_check_path == "/v2/health/ready"
    assert config.web.health_check_path == "/health"
