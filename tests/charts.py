"""Plotly charts out of an AppTest run: the figure JSON Streamlit sends, decoded into plain data.

Read fields, never escaped text: without orjson Plotly writes ``·`` as ``\\u00b7`` and NumPy
arrays as base64 typed arrays (``{"dtype": "u1", "bdata": ..., "shape": "28, 28"}``)::

    from tests.charts import array, chart_specs

    spec = chart_specs(at)["data_digit"]
    np.testing.assert_array_equal(array(spec["data"][0]["z"]), image)
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest


def chart_specs(at: AppTest) -> dict[str, dict[str, Any]]:
    """Every Plotly chart on the page as its decoded figure JSON, by the chart's widget key.

    A chart drawn without a key (its id ends in ``-None``) is listed under its whole element id,
    so two unkeyed charts never hide each other.
    """
    specs = {}
    for chart in at.get("plotly_chart"):
        element_id = chart.proto.id  # "$$ID-<hash>-<key>"
        parts = element_id.split("-", 2)
        keyed = len(parts) == 3 and parts[2] != "None"
        specs[parts[2] if keyed else element_id] = json.loads(chart.proto.spec)
    return specs


def array(value: Any) -> np.ndarray:
    """A trace's data field as a NumPy array, whether Plotly wrote a list or a typed array."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(
            base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<")
        )
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)
