"""Benchmark what every click costs the server: median CPU ms per rerun of each page (AppTest, warm).

    python bench/bench_reruns.py [--repeats 15] [--only "look inside"]

Each row opens a fresh session through ``app.py`` (navigation and sidebar included), sets it up
(a lesson step, a tab, an uploaded digit, a finished Quick run of the workshop CNN on the Train
page), warms it with two reruns, then times ``--repeats`` reruns, each after the row's action
(nothing, a new test digit, a slider moved...). TensorFlow is imported first, as on a server that
has warmed up. The figure is the server's CPU: the process's CPU time over ``at.run()``
(``time.process_time()``: every thread, TensorFlow's pools too) minus the CPU of the thread that
drives AppTest, which parses the page's messages as a browser would ("+AppTest" includes it).

The "(fragment)" row reruns only the ``@st.fragment`` the moved widget lives in, as Streamlit does
when a widget inside a fragment changes; AppTest itself always reruns the whole script, so the
benchmark asks its script runner for a fragment rerun (``tests/fragments.py``). Its "(whole)"
twin is the same move with a whole-page rerun.

``BEFORE`` holds the medians this script measured on commit a424592, before Look inside and
MNIST at a glance cached their figures; each row prints its ratio against them. Targets: every
page 100 ms, Look inside's every-layer view of the notebook CNN 150 ms. Asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.fragments import fragment_id, fragment_scoped  # noqa: E402
from ui.draw_state import DROVE_OPEN, MOVE_OPEN  # noqa: E402
from ui.train_state import GROUPS_OPEN  # noqa: E402

TIMEOUT = 300  # the first run imports TensorFlow and loads MNIST and the pretrained model
WHOLE_PAGE, NOTEBOOK_VIEW = 100.0, 150.0  # the targets, ms per rerun

# Measured on a copy of a424592 (`git archive`, with this file and tests/fragments.py copied in);
# the fragment row's "before" is the whole-page figure (it had no fragment then).
BEFORE: dict[str, float] = {
    "MNIST at a glance · rerun": 101.1,
    "MNIST at a glance · another test image": 101.9,
    "MNIST at a glance · New samples": 105.9,
    "Lesson · step 2, one-hot (no model)": 27.7,
    "Lesson · step 5, convolution (model)": 86.3,
    "Build · rerun": 42.8,
    "Look inside · every layer, notebook CNN · rerun": 465.3,
    "Look inside · every layer · new test digit": 466.0,
    "Look inside · one window · rerun": 97.3,
    "Look inside · one window · move row/col/filter (whole)": 93.5,
    "Look inside · one window · move row/col/filter (fragment)": 93.5,
    "Look inside · filters · rerun": 72.9,
    "Look inside · what a filter looks for · rerun": 140.8,
    "Train · idle, a finished run": 96.8,
    "Draw · uploaded digit · rerun": 215.8,
}  # the new Draw rows compare with each other: closed against open, in the same run


@dataclass(frozen=True)
class Row:
    """One benchmark row: how to open the session, what to do before each timed rerun."""

    name: str
    page: str
    target: float
    setup: Callable[[AppTest], None] = lambda at: None
    action: Callable[[AppTest, int], None] = lambda at, i: None
    fragment: str | None = None  # name of the fragment function the action's widget lives in


# --- timing -------------------------------------------------------------------------------


def cpu_ms(run: Callable[[], object]) -> tuple[float, float]:
    """(server, with AppTest) CPU ms of ``run()``: the process's CPU time, without and with
    the CPU of this thread (AppTest parsing the page's messages, a browser's job in real life)."""
    process, own = time.process_time(), time.thread_time()
    run()
    total = (time.process_time() - process) * 1000
    return total - (time.thread_time() - own) * 1000, total


def measure(row: Row, repeats: int) -> list[tuple[float, float]]:
    """(server, with AppTest) CPU ms of ``repeats`` warm reruns of ``row``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(row.page).run()
    row.setup(at)
    for _ in range(2):  # warm
        at.run()
    _check(at, row)
    scope = fragment_scoped(fragment_id(at, row.fragment)) if row.fragment else nullcontext()
    times = []
    with scope:
        for i in range(repeats):
            row.action(at, i)
            times.append(cpu_ms(at.run))
            _check(at, row)
    return times


def _check(at: AppTest, row: Row) -> None:
    if at.exception:
        raise RuntimeError(f"{row.name}: {[e.value for e in at.exception]}")


# --- the rows -----------------------------------------------------------------------------


def _png_of_test_digit(i: int) -> bytes:
    from core.data import load_mnist

    image = 255 - np.kron(load_mnist().x_test[i], np.ones((8, 8), np.uint8))
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def _upload(at: AppTest) -> None:
    at.button_group(key="draw.source").set_value("Upload").run()
    three = _png_of_test_digit(18)
    at.file_uploader(key="draw.upload").upload("three.png", three, "image/png").run()


def _new_digit(at: AppTest, i: int) -> None:
    """Another test digit uploaded: the page works it all out afresh, as after a new stroke."""
    digit = _png_of_test_digit(100 + i)
    at.file_uploader(key="draw.upload").upload(f"d{i}.png", digit, "image/png")


def _opened(setup: Callable[[AppTest], None], *keys: str) -> Callable[[AppTest], None]:
    """``setup``, then the sections of expander ``keys`` open (Draw's explorations as every new
    digit worked them out before; Train's groups with every epoch's dots)."""

    def both(at: AppTest) -> None:
        for key in keys:
            at.session_state[key] = True
        setup(at)

    return both


def _finished_run(at: AppTest) -> None:
    """A Quick-recipe run of the workshop CNN on 2,000 images, 1 epoch; waits until it ends."""
    next(b for b in at.button if b.label == "Quick recipe").click().run()
    at.selectbox(key="train.w.n_train").set_value(2_000)
    at.number_input(key="train.w.epochs").set_value(1)
    at.run()
    next(b for b in at.button if b.label == "Train").click().run()
    end = time.monotonic() + 300
    while at.session_state["train.job"].snapshot().active:
        if time.monotonic() > end:
            raise RuntimeError("the Quick run did not end in 5 minutes")
        time.sleep(0.5)
        at.run()
    at.run()


def _query(**params: str) -> Callable[[AppTest], None]:
    def setup(at: AppTest) -> None:
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page("pages/lesson.py").run()

    return setup


def _tab(name: str) -> Callable[[AppTest], None]:
    def setup(at: AppTest) -> None:
        at.session_state["inside.tab"] = name
        at.run()

    return setup


def _window_move(at: AppTest, i: int) -> None:
    """Row, then column, then filter of the explained window move on by one, in turn."""
    layer = at.selectbox(key="inside.window.layer").value
    kinds = ("row", "col", "ch")
    slider = at.slider(key=f"inside.window.{kinds[i % 3]}.{layer}")
    low, high = slider.min, slider.max
    slider.set_value(low + (slider.value - low + 1) % (high - low + 1))


def _number(key: str, step: int = 1) -> Callable[[AppTest, int], None]:
    def action(at: AppTest, i: int) -> None:
        at.number_input(key=key).set_value(step * (i + 1))

    return action


def _click(label: str) -> Callable[[AppTest, int], None]:
    def action(at: AppTest, i: int) -> None:
        next(b for b in at.button if b.label == label).click()

    return action


INSIDE, DATA, TRAIN, DRAW = "pages/inside.py", "pages/data.py", "pages/train.py", "pages/draw.py"
TOP_TAB, WINDOW = "What a filter looks for", _tab("One window explained")
# One row per line: the table reads as a table.
ROWS = [
    Row("MNIST at a glance · rerun", DATA, WHOLE_PAGE),
    Row("MNIST at a glance · another test image", DATA, WHOLE_PAGE, action=_number("data_digit_index", 7)),
    Row("MNIST at a glance · New samples", DATA, WHOLE_PAGE, action=_click("New samples")),
    Row("Lesson · step 2, one-hot (no model)", "pages/lesson.py", WHOLE_PAGE, _query(step="2")),
    Row("Lesson · step 5, convolution (model)", "pages/lesson.py", WHOLE_PAGE, _query(step="5")),
    Row("Build · rerun", "pages/build.py", WHOLE_PAGE),
    Row("Look inside · every layer, notebook CNN · rerun", INSIDE, NOTEBOOK_VIEW),
    Row("Look inside · every layer · new test digit", INSIDE, NOTEBOOK_VIEW, action=_number("inside.index")),
    Row("Look inside · one window · rerun", INSIDE, WHOLE_PAGE, WINDOW),
    Row("Look inside · one window · move row/col/filter (whole)", INSIDE, WHOLE_PAGE, WINDOW, _window_move),
    Row("Look inside · one window · move row/col/filter (fragment)", INSIDE, WHOLE_PAGE, WINDOW, _window_move, fragment="pixel_explained"),
    Row("Look inside · filters · rerun", INSIDE, WHOLE_PAGE, _tab("Filters")),
    Row("Look inside · what a filter looks for · rerun", INSIDE, WHOLE_PAGE, _tab(TOP_TAB)),
    Row("Train · idle, a finished run", TRAIN, WHOLE_PAGE, _finished_run),
    Row("Train · idle, its groups section open", TRAIN, WHOLE_PAGE, _opened(_finished_run, GROUPS_OPEN)),
    Row("Draw · uploaded digit · rerun", DRAW, WHOLE_PAGE, _upload),
    Row("Draw · a new digit, explorations closed", DRAW, WHOLE_PAGE, _upload, _new_digit),
    Row("Draw · a new digit, both explorations open", DRAW, WHOLE_PAGE, _opened(_upload, DROVE_OPEN, MOVE_OPEN), _new_digit),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed reruns per row")
    parser.add_argument("--only", default="", help="run the rows whose name contains this")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" noise
    rows = [r for r in ROWS if args.only.lower() in r.name.lower()]
    # A warmed-up server: TensorFlow already imported (app.py imports it in a background thread
    # after the first page, which would otherwise be counted in the first rows' CPU time).
    for name in ("keras", "core.keras_model", "core.activations", "core.predict"):
        importlib.import_module(name)
    print(f"Server CPU ms per rerun, median of {args.repeats} warm reruns (AppTest, app.py).")
    print("before: commit a424592; p90 and +AppTest (its own parsing included) are of now.\n")
    head = f"{'page · what':58} {'before':>7} {'now':>6} {'ratio':>6} {'p90':>6} {'+AppTest':>8}"
    print(f"{head} {'target':>6}\n" + "-" * (len(head) + 11))
    for row in rows:
        try:
            times = measure(row, args.repeats)
        except (LookupError, RuntimeError) as err:
            print(f"{row.name:58} skipped: {err}")
            continue
        server = [t[0] for t in times]
        now, p90 = statistics.median(server), float(np.quantile(server, 0.9))
        total = statistics.median(t[1] for t in times)
        before = BEFORE.get(row.name)
        then, ratio = (f"{before:7.1f}", f"{now / before:5.2f}×") if before else ("-", "-")
        verdict = "ok" if now <= row.target else "OVER"
        print(
            f"{row.name:58} {then:>7} {now:6.1f} {ratio:>6} {p90:6.1f} {total:8.1f} "
            f"{row.target:6.0f} {verdict}"
        )


if __name__ == "__main__":
    main()
