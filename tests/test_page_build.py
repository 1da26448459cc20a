"""The Build page under Streamlit's AppTest: edits, undo, presets and links (more in test_page_build_more)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import MAX_LAYERS, LayerSpec
from core.presets import NOTEBOOK_CNN, PRESETS
from core.shapes import trace
from tests.build_page import TIMEOUT, arch_of, open_build, run, shapes, texts

pytestmark = pytest.mark.page


def test_opens_with_the_notebook_cnn_and_mirrors_it_to_the_url():
    at = open_build()
    t = trace(NOTEBOOK_CNN)
    assert shapes(at) == ["(None, 28, 28, 1)"] + [str(x.output_shape) for x in t.layers]
    assert at.metric[0].value == "1,676,266"
    assert at.query_params["arch"] == NOTEBOOK_CNN.to_url()  # AppTest gives one value as a str
    assert not at.error and not at.warning


def test_adding_a_layer_through_the_widgets_changes_the_shape_table():
    at = open_build()
    at.selectbox(key="add-kind").set_value("Dense")
    run(at)
    at.number_input(key="add-Dense-units").set_value(7)
    at.button(key="add-button").click()
    run(at)
    assert shapes(at)[-1] == "(None, 7)"
    assert arch_of(at).layers[-1] == LayerSpec.make("Dense", units=7)
    assert at.metric[0].value == f"{1_676_266 + 10 * 7 + 7:,}"
    assert at.query_params["arch"] == NOTEBOOK_CNN.append(LayerSpec.make("Dense", units=7)).to_url()


def test_add_after_the_selected_layer_and_at_the_start():
    at = open_build("conv(8)-flatten")
    at.button(key="row-select-0").click()
    run(at)
    at.selectbox(key="add-kind").set_value("MaxPooling2D")
    run(at)
    at.radio(key="add-where").set_value("after")
    at.button(key="add-button").click()
    run(at)
    assert arch_of(at).to_url() == "conv(8)-maxpool-flatten"
    assert shapes(at)[2] == "(None, 13, 13, 8)"
    at.selectbox(key="add-kind").set_value("Normalization")
    run(at)
    at.radio(key="add-where").set_value("start")
    at.button(key="add-button").click()
    run(at)
    assert arch_of(at).to_url() == "norm-conv(8)-maxpool-flatten"


def test_remove_move_and_undo():
    at = open_build("norm-conv(8)-maxpool-flatten")
    at.button(key="row-remove-2").click()
    run(at)
    assert arch_of(at).to_url() == "norm-conv(8)-flatten"
    at.button(key="row-up-1").click()
    run(at)
    assert arch_of(at).to_url() == "conv(8)-norm-flatten"
    at.button(key="row-down-1").click()
    run(at)
    assert arch_of(at).to_url() == "conv(8)-flatten-norm"
    for expected in (
        "conv(8)-norm-flatten",
        "norm-conv(8)-flatten",
        "norm-conv(8)-maxpool-flatten",
    ):
        at.button(key="undo").click()
        run(at)
        assert arch_of(at).to_url() == expected
    assert at.button(key="undo").disabled  # the opened link is where history starts


def test_clear_then_undo():
    at = open_build()
    at.button(key="clear").click()
    run(at)
    assert len(arch_of(at)) == 0 and shapes(at) == ["(None, 28, 28, 1)"]
    at.button(key="undo").click()
    run(at)
    assert arch_of(at) == NOTEBOOK_CNN


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_loads_with_its_blurb(name):
    at = open_build("flatten")
    at.selectbox(key="preset-choice").set_value(name)
    run(at)
    assert blurb_shown(at, PRESETS[name][1])
    at.button(key="preset-load").click()
    run(at)
    arch, blurb = PRESETS[name]
    assert arch_of(at) == arch
    assert len(shapes(at)) == len(arch) + 1
    assert any(blurb in s.value for s in at.success)


def blurb_shown(at: AppTest, blurb: str) -> bool:
    return any(blurb in c.value for c in at.caption)


def test_a_bad_link_warns_and_falls_back_to_the_default():
    at = open_build("conv(0)")
    assert len(at.warning) == 1
    message = at.warning[0].value
    assert "could not be read" in message and "filters must be at least 1" in message
    assert arch_of(at) == NOTEBOOK_CNN
    assert len(shapes(at)) == len(NOTEBOOK_CNN) + 1


def test_a_good_link_shows_its_shapes():
    at = open_build("norm-conv(8,5)-maxpool-flatten-dense(10,softmax)")
    assert shapes(at) == [
        "(None, 28, 28, 1)",
        "(None, 28, 28, 1)",
        "(None, 24, 24, 8)",
        "(None, 12, 12, 8)",
        "(None, 1152)",
        "(None, 10)",
    ]
    assert at.metric[0].value == f"{5 * 5 * 8 + 8 + 1152 * 10 + 10:,}"


def test_a_broken_architecture_says_where_and_why():
    at = open_build("conv(32,5)-maxpool(8)-conv(8,5)-flatten")
    table = at.table[0].value
    assert "does not fit a 3×3 input" in table["Output shape"][3]
    assert table["Output shape"][4] == "not reached"
    errors = [e.value for e in at.error]
    assert any("Layer 3 breaks here" in e and "5×5 kernel" in e for e in errors)
    assert at.metric[0].label == "Parameters so far"
    assert "Layer 3 breaks" in texts(at)


def test_editing_and_closing_the_selected_layer():
    at = open_build("conv(8)-flatten")
    at.button(key="row-select-0").click()
    run(at)
    assert "Each filter is a small grid of weights" in texts(at)
    version = next(
        n.key for n in at.number_input if n.key.endswith("-filters") and n.key.startswith("edit-0-")
    )
    at.number_input(key=version).set_value(16)
    run(at)
    assert arch_of(at).to_url() == "conv(16)-flatten"
    assert shapes(at)[1] == "(None, 26, 26, 16)"
    at.button(key="editor-close").click()
    run(at)
    assert "Each filter is a small grid of weights" not in texts(at)


def test_an_edit_that_raises_keeps_the_old_architecture():
    full = "-".join(["norm"] * MAX_LAYERS)
    at = open_build(full)
    at.selectbox(key="add-kind").set_value("Flatten")
    run(at)
    at.button(key="add-button").click()
    run(at)
    assert len(arch_of(at)) == MAX_LAYERS
    assert any(f"at most {MAX_LAYERS} layers" in e.value for e in at.error)


def _undo_script() -> None:
    import streamlit as st

    from core.architecture import Architecture, LayerSpec
    from ui import state

    assert state.get_arch() == state.default_arch() and not state.can_undo()
    for n in range(1, 61):
        state.set_arch(Architecture((LayerSpec.make("Dense", units=n),)), f"units {n}")
    note = state.undo_note()
    count = 0
    while state.undo():
        count += 1
    st.write(f"undone={count} note={note} url={st.query_params['arch']} can={state.can_undo()}")


def test_the_undo_stack_keeps_the_last_50():
    at = AppTest.from_function(_undo_script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == "undone=50 note=units 60 url=dense can=False"


def test_opening_any_layer_never_changes_it():
    link = (
        "norm-pad(2)-conv(8,5,tanh,2,same)-act(sigmoid)-maxpool(3,auto,same)-avgpool(2,1)-bnorm"
        "-dropout(0.995)-flatten-dense(10,softmax)"
    )
    at = open_build(link)
    for i in range(10):
        at.button(key=f"row-select-{i}").click()
        run(at)
        run(at)
        assert arch_of(at).to_url() == link, i
        assert not at.error
