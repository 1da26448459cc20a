"""Look inside's one way to show a figure: at its own size, without Plotly's mode bar."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


def chart(fig: go.Figure, key: str | None = None) -> None:
    """Show ``fig`` at the width it was drawn for (feature maps keep their pixel scale)."""
    st.plotly_chart(fig, width="content", key=key, config={"displayModeBar": False})
