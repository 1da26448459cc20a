"""Architecture parsing under fuzzing: any link, JSON text or JSON object raises only ArchitectureError."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.architecture import Architecture, ArchitectureError
from core.layers import CATALOGUE

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- fuzzing: only ArchitectureError may escape ------------------------------------------------------

_url_piece = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda name, args: f"{name}({','.join(args)})",
        st.sampled_from([k.short for k in CATALOGUE.values()] + ["x", ""]),
        st.lists(
            st.one_of(
                st.text(max_size=8),
                st.integers().map(str),
                st.floats().map(repr),
                st.sampled_from(["auto", "relu", "same", "=", "filters=3", "rate=0.5"]),
            ),
            max_size=6,
        ),
    ),
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_layer_dicts = st.fixed_dictionaries(
    {
        "kind": st.one_of(
            st.sampled_from(list(CATALOGUE) + [k.short for k in CATALOGUE.values()]), _json_values
        )
    },
    optional={
        "params": st.one_of(
            st.dictionaries(
                st.sampled_from(
                    [
                        "filters",
                        "kernel_size",
                        "rate",
                        "units",
                        "padding",
                        "strides",
                        "pool_size",
                        "x",
                    ]
                ),
                _json_values,
                max_size=3,
            ),
            _json_values,
        )
    },
)


def _only_architecture_errors(call) -> None:
    try:
        result = call()
    except ArchitectureError:
        return
    assert isinstance(result, Architecture)


@FUZZ
@given(st.one_of(st.text(), st.lists(_url_piece, max_size=6).map("-".join)))
def test_fuzzed_links_raise_only_architecture_errors(text: str) -> None:
    _only_architecture_errors(lambda: Architecture.from_url(text))


@FUZZ
@given(st.one_of(st.text(), st.binary(), _json_values.map(json.dumps)))
def test_fuzzed_json_text_raises_only_architecture_errors(text) -> None:
    _only_architecture_errors(lambda: Architecture.from_json(text))


@FUZZ
@given(
    st.fixed_dictionaries(
        {
            "layers": st.one_of(
                st.lists(st.one_of(_layer_dicts, _json_values), max_size=5), _json_values
            )
        },
        optional={"input_shape": _json_values, "format": _json_values, "version": _json_values},
    )
)
def test_fuzzed_json_objects_raise_only_architecture_errors(data: dict) -> None:
    _only_architecture_errors(lambda: Architecture.from_json(json.dumps(data)))
    _only_architecture_errors(lambda: Architecture.from_dict(data))
