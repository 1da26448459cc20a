"""Layer by Layer: page config, navigation over pages/, and the sidebar model card."""

import streamlit as st

from ui import runtime

runtime.install()

st.set_page_config(page_title="Layer by Layer", page_icon=":material/layers:", layout="wide")

PAGES = [
    st.Page("pages/data.py", title="MNIST at a glance", icon=":material/grid_on:", url_path="data", default=True),
    st.Page("pages/lesson.py", title="Lesson", icon=":material/school:", url_path="lesson"),
    st.Page("pages/build.py", title="Build", icon=":material/construction:", url_path="build"),
    st.Page("pages/inside.py", title="Look inside", url_path="inside", icon=":material/visibility:"),
    st.Page("pages/draw.py", title="Draw", url_path="draw", icon=":material/draw:"),
]

navigation = st.navigation(PAGES)
st.sidebar.caption("Layer by Layer — how a convolutional network sees a digit, one layer at a time.")
navigation.run()
