"""The model tier over the KServe v2 HTTP protocol Triton serves.

One inference is ``POST {MODEL_URL}/v2/models/<name>/infer`` with JSON tensors. Failure policy:

* unreachable (connection refused/reset, connect timeout) or a transient answer (502, 503, 504
  from the model tier's load balancer while an instance is replaced): retried up to
  ``model_retries`` times with doubling backoff, then :class:`ModelUnavailable` (HTTP 502);
* a read timeout: not retried (a slow model would only get slower, and the caller would wait
  a multiple of the timeout), :class:`ModelTimeout` (HTTP 504);
* the model rejects the request (400): :class:`ModelRejected` (HTTP 422), not retried;
* any other answer, or a body that is not a v2 response: :class:`ModelUnavailable` (HTTP 502).
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from typing import Any

import httpx

from .settings import Settings

log = logging.getLogger("webapp.model")

TRANSIENT_STATUS = frozenset({502, 503, 504})


class ModelError(Exception):
    """The model tier did not answer usefully; ``status`` is what /predict returns."""

    status = 502

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ModelUnavailable(ModelError):
    status = 502


class ModelTimeout(ModelError):
    status = 504


class ModelRejected(ModelError):
    status = 422


@dataclass(frozen=True)
class Tensor:
    name: str
    datatype: str
    shape: tuple[int, ...]
    data: tuple[Any, ...]

    def nested(self) -> Any:
        """The flat row-major data reshaped to ``shape`` as nested lists."""
        data: list[Any] = list(self.data)
        for size in reversed(self.shape[1:]):
            data = [data[i : i + size] for i in range(0, len(data), size)]
        return data


@dataclass(frozen=True)
class InferResult:
    model_name: str
    model_version: str
    outputs: tuple[Tensor, ...]


def infer_request(input_name: str, rows: list[list[float]]) -> dict[str, Any]:
    """A v2 request for one FP32 input of shape [len(rows), len(rows[0])]."""
    return {
        "inputs": [
            {
                "name": input_name,
                "shape": [len(rows), len(rows[0])],
                "datatype": "FP32",
                "data": [value for row in rows for value in row],
            }
        ]
    }


def parse_response(body: Any) -> InferResult:
    """Check a v2 response's structure; raise ModelUnavailable when it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("outputs"), list):
        raise ModelUnavailable("model tier answered without an 'outputs' list")
    outputs = []
    for out in body["outputs"]:
        try:
            shape = tuple(int(d) for d in out["shape"])
            data = tuple(out["data"])
            tensor = Tensor(str(out["name"]), str(out["datatype"]), shape, data)
        except (KeyError, TypeError, ValueError):
            raise ModelUnavailable("model tier answered a malformed output tensor") from None
        if math.prod(shape) != len(data):
            raise ModelUnavailable(f"output '{tensor.name}': {len(data)} values for shape {shape}")
        outputs.append(tensor)
    return InferResult(
        model_name=str(body.get("model_name", "")),
        model_version=str(body.get("model_version", "")),
        outputs=tuple(outputs),
    )


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "error" in body:
        return str(body["error"])[:200]
    return response.text[:200]


async def infer(
    client: httpx.AsyncClient, settings: Settings, input_name: str, rows: list[list[float]]
) -> InferResult:
    """One inference with the failure policy above; ``client`` has MODEL_URL as base_url."""
    path = f"/v2/models/{settings.model_name}/infer"
    payload = infer_request(input_name, rows)
    attempts = settings.model_retries + 1
    last = "no attempt made"
    for attempt in range(1, attempts + 1):
        try:
            response = await client.post(path, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
            last = f"model tier unreachable: {type(exc).__name__}: {exc}"
        except httpx.TimeoutException as exc:
            log.warning(
                "model tier timed out",
                extra={"attempt": attempt, "model": settings.model_name, "error": repr(exc)},
            )
            raise ModelTimeout(
                f"model tier did not answer within {settings.model_timeout_seconds:g}s"
            ) from exc
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"model tier request failed: {type(exc).__name__}") from exc
        else:
            if response.status_code == 200:
                try:
                    return parse_response(response.json())
                except ValueError:
                    raise ModelUnavailable("model tier answered a body that is not JSON") from None
            if response.status_code == 400:
                raise ModelRejected(f"model rejected the input: {_error_text(response)}")
            if response.status_code not in TRANSIENT_STATUS:
                raise ModelUnavailable(
                    f"model tier answered {response.status_code}: {_error_text(response)}"
                )
            last = f"model tier answered {response.status_code}: {_error_text(response)}"
        log.warning(
            "model call failed",
            extra={
                "attempt": attempt,
                "attempts": attempts,
                "model": settings.model_name,
                "error": last,
            },
        )
        if attempt < attempts:
            await asyncio.sleep(settings.model_retry_backoff_seconds * 2 ** (attempt - 1))
    raise ModelUnavailable(f"{last} (after {attempts} attempts)")
