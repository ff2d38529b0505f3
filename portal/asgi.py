"""The ASGI application for servers (uvicorn, granian): ``portal.asgi:app``."""

import gc

from portal.app import create_app

app = create_app()

# What is loaded now (modules, templates, the application) lives as long as the process: moved out
# of the collector's generations, a full collection no longer walks it on every request it happens
# to interrupt, and a forked worker does not copy the pages a collection would touch.
gc.collect()
gc.freeze()
