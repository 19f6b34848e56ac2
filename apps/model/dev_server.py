"""A local stand-in for the model tier: the KServe v2 HTTP protocol Triton speaks, on onnxruntime.

It serves every ``<name>/<version>/model.onnx`` under a Triton model repository with the same
runtime Triton's onnxruntime backend uses, so the web tier can be run and tested end to end on a
laptop or in CI without a GPU or the Triton image. Only the parts of the protocol the web tier
uses are implemented:

    GET  /v2/health/live, /v2/health/ready           200 when serving
    GET  /v2/models/<name>                           model metadata (inputs, outputs)
    GET  /v2/models/<name>/ready                     200 when the model is loaded
    POST /v2/models/<name>[/versions/<v>]/infer      JSON tensors in, JSON tensors out

Errors answer ``{"error": "..."}`` with 400 (bad request) or 404 (unknown model), as Triton does.

    .venv/bin/python apps/model/dev_server.py --port 8001   # then MODEL_URL=http://127.0.0.1:8001
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort  # type: ignore[import-untyped]

DEFAULT_REPOSITORY = Path(__file__).resolve().parent / "model_repository"

# ONNX tensor element types (as onnxruntime names them) and the KServe v2 datatype names.
ONNX_TO_V2 = {
    "tensor(float)": "FP32",
    "tensor(double)": "FP64",
    "tensor(float16)": "FP16",
    "tensor(int64)": "INT64",
    "tensor(int32)": "INT32",
    "tensor(int8)": "INT8",
    "tensor(uint8)": "UINT8",
    "tensor(bool)": "BOOL",
}
V2_TO_NUMPY: dict[str, Any] = {
    "FP32": np.float32,
    "FP64": np.float64,
    "FP16": np.float16,
    "INT64": np.int64,
    "INT32": np.int32,
    "INT8": np.int8,
    "UINT8": np.uint8,
    "BOOL": np.bool_,
}
_INFER = re.compile(r"^/v2/models/([^/]+)(?:/versions/([0-9]+))?/infer$")
_READY = re.compile(r"^/v2/models/([^/]+)(?:/versions/([0-9]+))?/ready$")
_META = re.compile(r"^/v2/models/([^/]+)(?:/versions/([0-9]+))?$")


class InferenceError(Exception):
    """A request the protocol rejects; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    session: Any  # onnxruntime.InferenceSession

    def metadata(self) -> dict[str, Any]:
        def tensors(items: list[Any]) -> list[dict[str, Any]]:
            return [
                {
                    "name": t.name,
                    "datatype": ONNX_TO_V2.get(t.type, t.type),
                    "shape": [d if isinstance(d, int) else -1 for d in t.shape],
                }
                for t in items
            ]

        return {
            "name": self.name,
            "versions": [self.version],
            "platform": "onnxruntime_onnx",
            "inputs": tensors(self.session.get_inputs()),
            "outputs": tensors(self.session.get_outputs()),
        }

    def infer(self, request: dict[str, Any]) -> dict[str, Any]:
        inputs = request.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise InferenceError(400, "request has no 'inputs' list")
        expected = {t.name: t for t in self.session.get_inputs()}
        feeds: dict[str, Any] = {}
        for tensor in inputs:
            if not isinstance(tensor, dict):
                raise InferenceError(400, "each input must be an object")
            name = str(tensor.get("name"))
            if name not in expected:
                raise InferenceError(400, f"unexpected inference input '{name}' for '{self.name}'")
            datatype = tensor.get("datatype")
            want = ONNX_TO_V2.get(expected[name].type)
            if want is None or datatype != want:
                raise InferenceError(
                    400, f"input '{name}': datatype {datatype}, model expects {want}"
                )
            try:
                array = np.asarray(tensor.get("data"), dtype=V2_TO_NUMPY[want])
                feeds[name] = array.reshape(tensor.get("shape"))
            except (TypeError, ValueError) as exc:
                raise InferenceError(400, f"input '{name}': {exc}") from exc
        missing = sorted(set(expected) - set(feeds))
        if missing:
            raise InferenceError(400, f"missing inputs {missing} for '{self.name}'")
        wanted = [o.get("name") for o in request.get("outputs") or [] if isinstance(o, dict)]
        outputs = [o.name for o in self.session.get_outputs()]
        names = [n for n in outputs if not wanted or n in wanted]
        try:
            results = self.session.run(names, feeds)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise InferenceError(400, f"inference failed: {exc}") from exc
        by_name = {o.name: o for o in self.session.get_outputs()}
        response: dict[str, Any] = {
            "model_name": self.name,
            "model_version": self.version,
            "outputs": [
                {
                    "name": name,
                    "datatype": ONNX_TO_V2.get(by_name[name].type, by_name[name].type),
                    "shape": list(result.shape),
                    "data": result.reshape(-1).tolist(),
                }
                for name, result in zip(names, results, strict=True)
            ],
        }
        if "id" in request:
            response["id"] = request["id"]
        return response


def load_repository(repository: Path) -> dict[str, LoadedModel]:
    """Every model in a Triton repository, at its highest numbered version (``latest: 1``)."""
    models: dict[str, LoadedModel] = {}
    for model_dir in sorted(p for p in repository.iterdir() if p.is_dir()):
        versions = sorted(
            (int(v.name) for v in model_dir.iterdir() if v.name.isdigit() and v.is_dir()),
        )
        if not versions:
            continue
        version = str(versions[-1])
        onnx_file = model_dir / version / "model.onnx"
        if not onnx_file.is_file():
            continue
        session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
        models[model_dir.name] = LoadedModel(model_dir.name, version, session)
    if not models:
        raise ValueError(f"model repository {repository}: no <name>/<version>/model.onnx found")
    return models


class ModelServer(ThreadingHTTPServer):
    """The HTTP server; ``delay_seconds`` holds every inference back (to test timeouts)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], models: dict[str, LoadedModel]) -> None:
        super().__init__(address, _Handler)
        self.models = models
        self.delay_seconds = 0.0
        self.infer_calls = 0
        self._lock = threading.Lock()

    def count_infer(self) -> None:
        with self._lock:
            self.infer_calls += 1

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and local runs
        return

    def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout): nothing to tell

    def _model(self, name: str, version: str | None) -> LoadedModel:
        model = self.server.models.get(name)
        if model is None or (version is not None and version != model.version):
            raise InferenceError(404, f"Request for unknown model: '{name}' is not found")
        return model

    def do_GET(self) -> None:
        try:
            if self.path in ("/v2/health/live", "/v2/health/ready"):
                self._send(200)
            elif match := _READY.match(self.path):
                self._model(match.group(1), match.group(2))
                self._send(200)
            elif match := _META.match(self.path):
                self._send(200, self._model(match.group(1), match.group(2)).metadata())
            else:
                self._send(404, {"error": f"Not Found: {self.path}"})
        except InferenceError as exc:
            self._send(exc.status, {"error": str(exc)})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        match = _INFER.match(self.path)
        if match is None:
            self._send(404, {"error": f"Not Found: {self.path}"})
            return
        self.server.count_infer()
        if self.server.delay_seconds:
            time.sleep(self.server.delay_seconds)
        try:
            model = self._model(match.group(1), match.group(2))
            try:
                request = json.loads(raw)
            except ValueError as exc:
                raise InferenceError(400, f"request body is not JSON: {exc}") from exc
            if not isinstance(request, dict):
                raise InferenceError(400, "request body must be a JSON object")
            self._send(200, model.infer(request))
        except InferenceError as exc:
            self._send(exc.status, {"error": str(exc)})


def serve(repository: Path, host: str = "127.0.0.1", port: int = 0) -> ModelServer:
    """A started server in a daemon thread (port 0 picks a free port); ``shutdown()`` stops it."""
    server = ModelServer((host, port), load_repository(repository))
    threading.Thread(target=server.serve_forever, name="model-dev-server", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="KServe v2 dev server for a Triton repository")
    parser.add_argument("--repository", type=Path, default=DEFAULT_REPOSITORY)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    server = ModelServer((args.host, args.port), load_repository(args.repository))
    print(f"serving {', '.join(sorted(server.models))} on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
