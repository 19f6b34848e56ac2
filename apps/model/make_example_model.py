"""Generate the example model Triton serves: a tiny, deterministic ONNX classifier.

``scorer`` maps a batch of 4 features to 2 class probabilities: ``softmax(features @ W + b)``
with fixed weights. The bytes depend only on this file (fixed opset, IR version, producer,
no doc strings or timestamps), so regenerating it gives an identical ``model.onnx``:

    .venv/bin/python apps/model/make_example_model.py            # rewrite the committed model
    .venv/bin/python apps/model/make_example_model.py --check     # exit 1 if it differs

Triton reads it from ``model_repository/scorer/1/model.onnx`` (uploaded to S3 by the program)
with the ONNX Runtime backend; the dev server in this directory runs it with onnxruntime.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MODEL_NAME = "scorer"
INPUT_NAME = "features"
OUTPUT_NAME = "probabilities"
FEATURES = 4
CLASSES = 2
OPSET = 13
IR_VERSION = 8  # ONNX Runtime and Triton's onnxruntime backend load IR 8 models

WEIGHTS = np.array(
    [[0.5, -0.5], [1.0, -1.0], [-0.25, 0.25], [0.125, 0.75]],
    dtype=np.float32,
)
BIAS = np.array([0.1, -0.1], dtype=np.float32)

REPOSITORY = Path(__file__).resolve().parent / "model_repository"
DEFAULT_PATH = REPOSITORY / MODEL_NAME / "1" / "model.onnx"


def build_model() -> onnx.ModelProto:
    """The model: MatMul, Add, Softmax over the last axis; batch dimension symbolic."""
    features = helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["batch", FEATURES])
    probabilities = helper.make_tensor_value_info(
        OUTPUT_NAME, TensorProto.FLOAT, ["batch", CLASSES]
    )
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", [INPUT_NAME, "W"], ["logits_raw"], name="matmul"),
            helper.make_node("Add", ["logits_raw", "b"], ["logits"], name="add"),
            helper.make_node("Softmax", ["logits"], [OUTPUT_NAME], name="softmax", axis=-1),
        ],
        MODEL_NAME,
        [features],
        [probabilities],
        initializer=[numpy_helper.from_array(WEIGHTS, "W"), numpy_helper.from_array(BIAS, "b")],
    )
    model = helper.make_model(
        graph,
        producer_name="webmodel",
        producer_version="1",
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def model_bytes() -> bytes:
    """The serialized model, deterministic field order."""
    data: bytes = build_model().SerializeToString(deterministic=True)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write model.onnx")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs")
    args = parser.parse_args(argv)
    data = model_bytes()
    out: Path = args.out
    if args.check:
        if not out.is_file() or out.read_bytes() != data:
            print(f"{out}: differs from the generator; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
