"""Layer by Layer: page config, navigation over pages/, and the sidebar model card."""

from pathlib import Path

import streamlit as st

from ui import runtime

runtime.install()  # first: stop Streamlit resetting Keras after every run (see ui/runtime.py)

from ui import sidebar  # noqa: E402
from ui.errors import guard  # noqa: E402

ICON = Path(__file__).parent / "assets" / "icon.png"  # shipped: no web font needed offline

st.set_page_config(page_title="Layer by Layer", page_icon=str(ICON), layout="wide")

PAGES = [
    st.Page("pages/data.py", title="MNIST at a glance", icon=":material/grid_on:", url_path="data", default=True),
    st.Page("pages/lesson.py", title="Lesson", icon=":material/school:", url_path="lesson"),
    st.Page("pages/build.py", title="Build", icon=":material/construction:", url_path="build"),
    st.Page("pages/inside.py", title="Look inside", icon=":material/visibility:", url_path="inside"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:", url_path="draw"),
]

navigation = st.navigation(PAGES)
with guard("showing your model in the sidebar", show=st.sidebar.error):
    sidebar.model_card()
st.sidebar.caption("Layer by Layer — how a convolutional network sees a digit, one layer at a time.")
# Last line of defence: an unexpected error anywhere in a page is logged with its traceback and the
# user gets a short message; session state (the model, the training job, runs) is untouched.
with guard("showing this page"):
    navigation.run()
