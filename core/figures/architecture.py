"""The VGG16 comparison chart (numbers and parameters per layer), beside the tensor picture.

The to-scale tensor picture lives in ``core.figures.tensors``; its names are re-exported here
for the modules that imported them from this one.

>>> from core.presets import NOTEBOOK_CNN, VGG16
>>> from core.shapes import trace
>>> sorted({t.name for t in comparison_figure(trace(NOTEBOOK_CNN), trace(VGG16)).data})
['VGG16', 'Your model']
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import ACCENT, ACCENT_2, base_layout
from core.figures.tensors import tensor_figure
from core.shapes import Trace, format_shape, shape_label
from core.tensor_layout import TensorBox, numbers, tensor_boxes

__all__ = ["TensorBox", "comparison_figure", "shape_label", "tensor_boxes", "tensor_figure"]


def _journey(trace: Trace) -> tuple[list[int], list[int], list[str]]:
    """(positions, numbers per example, hover names) for the input and every ok layer."""
    xs, ys, names = [0], [numbers(trace.input_shape)], ["input " + format_shape(trace.input_shape)]
    for t in trace.layers:
        if t.status == "ok":
            xs.append(t.index + 1)
            ys.append(numbers(t.output_shape))  # type: ignore[arg-type]
            names.append(f"#{t.index + 1} {t.spec.describe()} → {format_shape(t.output_shape)}")
    return xs, ys, names


def comparison_figure(
    mine: Trace, other: Trace, other_name: str = "VGG16", height: int = 330
) -> go.Figure:
    """Two panels: numbers per example after each layer, and parameters per layer (log scales).

    Args:
        mine: the user's trace (drawn in the accent colour).
        other: the comparison trace (drawn in the comparison colour).
        other_name: legend name of the comparison.
        height: figure height in pixels.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("Numbers per image after each layer", "Parameters in each layer"),
    )
    for trace, name, colour in ((mine, "Your model", ACCENT), (other, other_name, ACCENT_2)):
        xs, ys, names = _journey(trace)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                line=dict(color=colour),
                hovertext=names,
                hovertemplate="%{hovertext}<br>%{y:,} numbers<extra></extra>",
            ),
            row=1,
            col=1,
        )
        weighted = [t for t in trace.layers if t.status == "ok" and t.params]
        fig.add_trace(
            go.Bar(
                x=[t.index + 1 for t in weighted],
                y=[t.params for t in weighted],
                name=name,
                legendgroup=name,
                showlegend=False,
                marker_color=colour,
                hovertext=[t.spec.describe() for t in weighted],
                hovertemplate="#%{x} %{hovertext}<br>%{y:,} parameters<extra></extra>",
            ),
            row=1,
            col=2,
        )
    fig.update_layout(
        **base_layout(height=height), barmode="group", legend=dict(orientation="h", y=-0.2)
    )
    fig.update_yaxes(type="log", gridcolor="#e2e8f0", tickformat="~s")
    fig.update_xaxes(title_text="layer #", gridcolor="#f1f5f9")
    return fig
