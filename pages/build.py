"""Build a network layer by layer (placeholder until the build page lands)."""

import streamlit as st

st.title("Build")
