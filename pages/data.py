"""MNIST at a glance: sample digits, array shapes, one digit's pixels, labels, one-hot, scaling."""

from __future__ import annotations

import streamlit as st

from ui import data_widgets as sections
from ui import runtime

runtime.run_through_app()

st.title("MNIST at a glance")
st.markdown(
    "MNIST is a set of 70,000 small greyscale pictures of handwritten digits, 0 to 9, each "
    "28 × 28 pixels and each labelled with the digit it shows. A network learns from the "
    "60,000 **training** images and is then checked on 10,000 **test** images it has never seen."
)
mnist = sections.load_or_stop()

left, right = st.columns([4, 3], gap="large")
with left:
    sections.sample_grid(mnist)
with right:
    sections.arrays(mnist)

left, right = st.columns(2, gap="large")
with left:
    sections.one_digit(mnist)
with right:
    sections.label_counts(mnist)

left, right = st.columns([2, 3], gap="large")
with left:
    sections.one_hot_labels(mnist)
with right:
    sections.normalising(mnist)
