"""How the app is served: Streamlit's frontend gzipped (``gzip_static``), and several app servers
behind nginx: the configuration (``nginx_conf``) and the processes (``stack``)."""
