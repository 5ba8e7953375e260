"""Benchmarks of flask_tropo's request path; run ``python -m benchmarks``
(``make bench``).

They are measurements, never tests: nothing here fails because something is
slow. ``python -m benchmarks --help`` lists the options.
"""
