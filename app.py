"""Layer by Layer: the server (``streamlit run app.py``) and every session's script.

Streamlit finds ``app`` below and serves this file through ``st.App``, whose start-up hook
(``ui.startup``) prepares the first page (our modules imported, MNIST read, its figures built)
while the first visitor's browser is still loading. Each session then runs this file as its
script: it waits for that preparation if it is still under way, then runs ``ui.shell`` (page
config, navigation over pages/, the sidebar model card). Under AppTest nothing is prepared ahead
and the first run does that work itself. The server also sends Streamlit's JavaScript gzipped,
each file compressed once (``deploy.gzip_static``).
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import startup

if get_script_run_ctx() is None:  # imported by `streamlit run app.py`: this is the server
    from starlette.middleware import Middleware

    from deploy.gzip_static import GzipStatic

    app = st.App(__file__, lifespan=startup.lifespan, middleware=[Middleware(GzipStatic)])
else:  # a session's script run
    startup.wait()
    from ui import shell

    shell.run()
