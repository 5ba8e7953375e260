# Every target builds .venv from scratch when it is missing: a fresh machine
# needs nothing but python3.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser

.PHONY: test test-browser demo serve docs bench lint typecheck clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

## make test: the whole suite, ruff, mypy and the docs (warnings are errors);
## jambonz documents are checked by @jambonz/verb-specifications, which npm
## installs into .cache/ and node runs: both must be installed
test: $(STAMP)
	@for tool in node npm; do command -v $$tool >/dev/null || { echo "make test: '$$tool' is missing: the tests check jambonz documents with @jambonz/verb-specifications, run by node and installed by npm. Install Node.js and npm (Debian: apt-get install nodejs npm)." >&2; exit 1; }; done
	$(PY) -m pytest -q
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m sphinx -W -E -q -b html docs docs/_build/html

$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,browser]'
	touch $(BROWSER_STAMP)

## make test-browser: the phone page played in headless Chromium; needs
## Debian's chromium and chromium-driver (.ci/run installs them when missing)
test-browser: $(BROWSER_STAMP)
	$(PY) -m pytest -q tests/browser

## make demo: play a call through the example app with the offline simulator
demo: $(STAMP)
	$(PY) -m example_app.demo

## make serve: the example app on http://127.0.0.1:5000, in debug mode (its
## placeholder key is refused otherwise); the home page's user is admin, its
## password FLASK_EXAMPLE_ADMIN_PASSWORD (default: dev)
serve: $(STAMP)
	FLASK_EXAMPLE_ADMIN_PASSWORD=$${FLASK_EXAMPLE_ADMIN_PASSWORD:-dev} \
	$(VENV)/bin/flask --app example_app:create_app --debug run --host 127.0.0.1 --port 5000

docs: $(STAMP)
	$(PY) -m sphinx -W -E -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .ruff_cache .pytest_cache .cache
