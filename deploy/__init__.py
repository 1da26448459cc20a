"""Several app servers behind nginx: the configuration (``nginx_conf``) and the processes (``stack``)."""
