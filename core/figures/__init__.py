"""Plotly figures for every page: NumPy in, Figure out, one colour scheme (see style.py)."""
