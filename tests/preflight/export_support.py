"""What the hostile-state tests share: a one-resource `pulumi stack export` to spoil (a field, an
output, a signature envelope), `refused`, the check that `read_export` refuses a file with one
InputError line naming it, and hypothesis's JSON scalars and settings for them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from preflight.export.read import read_export
from preflight.inputs.errors import InputError

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
URN = "urn:pulumi:prod::webmodel::aws:ec2/subnet:Subnet::app-a"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=8)
)


def document(**fields: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "urn": URN,
        "type": "aws:ec2/subnet:Subnet",
        "custom": True,
        "id": "subnet-1",
        "outputs": {"cidrBlock": "10.0.0.0/24"},
    }
    resource.update(fields)
    return {"version": 3, "deployment": {"resources": [resource]}}


def with_output(value: Any) -> dict[str, Any]:
    return document(outputs={"cidrBlock": "10.0.0.0/24", "tags": value})


def refused(text: str) -> str:
    """read_export's error for `text`; fails unless it is one InputError line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with pytest.raises(InputError) as caught:
            read_export(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message
