"""core/figures/transform.py: the sweep chart's lines, colours, axes, hover and slider marks."""

from __future__ import annotations

import json

import numpy as np

from core.figures.style import ACCENT, ACCENT_2
from core.figures.transform import sweep_figure
from core.transform import KINDS, KNOBS, sweep_rows
from tests.charts import array


def test_one_line_per_model_and_transform_with_its_values():
    rows = sweep_rows()
    n = rows["noise"].stop
    probs = {"Your model": np.linspace(0, 1, n), "Pretrained": np.full(n, 0.5)}
    spec = json.loads(
        sweep_figure(probs, {"Your model": 3, "Pretrained": 7}, rows, {"rotate": 20}).to_json()
    )
    traces = spec["data"]
    assert len(traces) == 2 * len(KINDS)
    assert [t["meta"] for t in traces] == list(KINDS) * 2
    assert {t["line"]["color"] for t in traces[: len(KINDS)]} == {ACCENT}
    assert {t["line"]["color"] for t in traces[len(KINDS) :]} == {ACCENT_2}
    assert [t["name"] for t in traces if t.get("showlegend", True)] == [
        "Your model: P(3)",
        "Pretrained: P(7)",
    ]
    for trace in traces[: len(KINDS)]:
        kind = trace["meta"]
        np.testing.assert_allclose(array(trace["x"]), KNOBS[kind].values())
        np.testing.assert_allclose(array(trace["y"]), probs["Your model"][rows[kind]])
        assert "P(3) = %{y:.1%}" in trace["hovertemplate"]
    for trace in traces:  # each line sits on its transform's axes, titled with its unit
        axis = spec["layout"]["xaxis" + trace["xaxis"][1:]]
        assert axis["title"]["text"] == KNOBS[trace["meta"]].axis
    assert spec["layout"]["yaxis"]["title"]["text"] == "P(original guess)"
    (mark,) = spec["layout"]["shapes"]
    rotate_axis = traces[KINDS.index("rotate")]["xaxis"]
    assert mark["x0"] == mark["x1"] == 20 and mark["xref"] == rotate_axis
