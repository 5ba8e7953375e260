"""Benchmarks of flask_tropo's routes against hand-written Flask routes;
run ``python -m benchmarks`` (``make bench``), ``--help`` for the options.

- :mod:`.routes`: the one app and the table of rows (add rows there);
- :mod:`.in_process`: every row through ``app.wsgi_app``, interleaved rounds;
- :mod:`.http_load`: the same app under gunicorn, loaded by wrk or Python;
- :mod:`.run`: the command line, the tables and the JSON results.

They import only flask_tropo's public API. They are measurements, never
tests: nothing fails because something is slow.
"""
