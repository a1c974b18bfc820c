"""Generated s3lite/_model_data.py: the operations and shapes of the S3 model (written by the lead)."""

from __future__ import annotations

from typing import Any


def outputs(model: Any) -> dict[str, str]:
    return {}
