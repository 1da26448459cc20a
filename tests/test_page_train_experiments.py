"""The Train page's experiments under AppTest: the script to take home, and what the model looked at when wrong.

The main test trains the workshop CNN on 2,000 images through the real job path, as
``tests/test_page_train.py`` does; the others give the page a model that is perfect or untrained.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import predict
from core.data import load_mnist
from core.evaluation import cell_examples, confusion_matrix
from core.presets import WORKSHOP_CNN
from core.saliency import mistake_cells
from tests.charts import array, chart_specs
from tests.test_page_train import open_train, poll_until_done, quick_settings, train_button
from ui.train_state import GROUPS_OPEN

pytestmark = pytest.mark.page

TIMEOUT = 90


def _script_constants(at: AppTest) -> dict:
    """The constants and functions of the script the page shows (and offers to download)."""
    (source,) = [c.value for c in at.code if "def build_model" in c.value]
    namespace: dict = {"__name__": "layer_by_layer_script"}
    exec(compile(source, "layer_by_layer_run1.py", "exec"), namespace)  # noqa: S102 - the page's output
    return namespace


def _maps(at: AppTest) -> dict:
    return chart_specs(at)["train.why.maps"]


def _check_maps(at: AppTest, model, index: int) -> None:
    """The chart shows test digit ``index``, Draw's occlusion map of the top guess, and its probabilities."""
    mnist = load_mnist()
    image = mnist.x_test[index]
    spec = _maps(at)
    heatmaps = [t for t in spec["data"] if t["type"] == "heatmap"]
    np.testing.assert_array_equal(array(heatmaps[0]["z"]), image)
    probs = predict.probabilities(model.built.model, image.astype(np.float32)[None, ..., None])[0]
    top, second = np.argsort(-probs)[:2]
    occlusion = predict.occlusion(model.built.model, image, int(top))
    np.testing.assert_allclose(array(heatmaps[1]["z"]), occlusion.drop, atol=1e-6)
    assert array(heatmaps[2]["z"]).shape == (28, 28) and np.abs(array(heatmaps[2]["z"])).max() > 0
    expected = f"read as {top} ({probs[top]:.0%}), then {second} ({probs[second]:.0%})"
    digit = int(mnist.y_test[index])
    a = "an" if digit == 8 else "a"
    assert spec["layout"]["title"]["text"] == f"Test #{index:,}, {a} {digit}: {expected}"


@pytest.mark.slow
def test_a_trained_model_offers_its_script_and_shows_what_it_looked_at_when_wrong():
    at = open_train(WORKSHOP_CNN)
    quick_settings(at)
    train_button(at).click().run()
    poll_until_done(at)
    model = at.session_state["train.model"]

    # How it groups digits: closed at first, so its chart of every epoch is not sent; then opened.
    assert "train.groups.chart" not in chart_specs(at)
    at.session_state[GROUPS_OPEN] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(chart_specs(at)["train.groups.chart"]["frames"]) == 2  # untrained, after epoch 1

    # Take it home: the download, and the script it holds, with the run's settings.
    downloads = {d.label: d for d in at.get("download_button")}
    assert downloads["Download the script (.py)"].proto.url.endswith(".py")
    script = _script_constants(at)
    assert (script["OPTIMIZER"], script["LEARNING_RATE"], script["BATCH_SIZE"]) == (
        "adam",
        0.001,
        128,
    )
    assert (script["EPOCHS"], script["N_TRAIN"], script["SEED"]) == (1, 2_000, 0)
    assert script["build_model"]().count_params() == model.built.model.count_params()

    # What it looked at: the mistakes with their counts, biggest first, then the maps.
    y_test = load_mnist().y_test
    cells = mistake_cells(confusion_matrix(y_test, model.test_probs.argmax(axis=1)))
    chooser = at.selectbox(key=f"train.why.cell.{model.job_id}")
    a = {t: "an" if t == 8 else "a" for t in range(10)}
    labels = [f"{a[t]} {t} read as {p}: {n:,} digit{'s' * (n != 1)}" for t, p, n in cells]
    assert chooser.options == labels
    digit = at.selectbox(key=f"train.why.digit.{model.job_id}")
    first = cell_examples(y_test, model.test_probs, cells[0][0], cells[0][1], limit=16)
    assert [
        int(o.split(":")[0].lstrip("#").replace(",", "")) for o in digit.options
    ] == first.tolist()
    _check_maps(at, model, int(first[0]))

    # Another mistake, another of its digits.
    chooser.set_value(cells[1]).run()
    assert not at.exception, [e.value for e in at.exception]
    second = cell_examples(y_test, model.test_probs, cells[1][0], cells[1][1], limit=16)
    digit = at.selectbox(key=f"train.why.digit.{model.job_id}")
    assert digit.value == int(second[0])
    digit.set_value(int(second[-1])).run()
    _check_maps(at, model, int(second[-1]))

    # A model that gets every test digit right has nothing to explain: said plainly.
    perfect = np.eye(10, dtype=np.float32)[y_test]
    at.session_state["train.model"] = dataclasses.replace(
        model, test_probs=perfect, job_id="perfect"
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "It gets every test digit right: there is no mistake to look at." in [
        s.value for s in at.success
    ]
    assert "train.why.maps" not in chart_specs(at)


def _untrained_model_on_the_train_page() -> None:
    """Run by AppTest as a script of its own: an untrained workshop CNN as the session's model."""
    import runpy

    import streamlit as st

    from core.data import load_mnist
    from core.evaluation import loss_and_accuracy, predict_probs
    from core.keras_model import build_model
    from core.presets import WORKSHOP_CNN
    from core.training import TrainSettings
    from ui import jobs, state

    if "train.model" not in st.session_state:
        state.set_arch(WORKSHOP_CNN)
        built = build_model(WORKSHOP_CNN, seed=0)
        mnist = load_mnist()
        probs = predict_probs(built.model, mnist.x_test)
        loss, accuracy = loss_and_accuracy(probs, mnist.y_test)
        st.session_state["train.model"] = jobs.TrainedModel(
            built=built,
            run=1,
            status="stopped",
            settings=TrainSettings(epochs=2),
            test_accuracy=accuracy,
            test_loss=loss,
            test_probs=probs,
            filter_epochs=(),
            job_id="untrained",
            seconds=0.0,
        )
    runpy.run_path("pages/train.py", run_name="__main__")


def test_an_untrained_model_gets_honest_maps_and_its_script():
    at = AppTest.from_function(_untrained_model_on_the_train_page, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    model = at.session_state["train.model"]
    assert model.test_accuracy < 0.5
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"This model gets only {model.test_accuracy:.0%}") for c in captions)
    assert "This run was stopped early; the script trains all 2 epochs." in captions
    index = at.selectbox(key="train.why.digit.untrained").value
    _check_maps(at, model, index)
