"""MNIST at a glance (placeholder until the data page lands)."""

import streamlit as st

st.title("MNIST at a glance")
