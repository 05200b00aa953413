# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Every target below is incremental: a stamp file records what was built from which inputs.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
NPM    ?= npm

WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)

.PHONY: run test lint deps web js-deps oidc-deps bench-js-deps kernel-env scenario-data bench bench-sync clean

## deps: the server's virtualenv at .venv with the project installed (editable) and dev tools.
deps: $(VENV)/.stamp
$(VENV)/.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

## kernel-env: the candidates' Python (ipykernel + the ML stack, PyTorch CPU), world-readable,
## outside /root. KERNEL_WHEELS: where this machine kind keeps the torch +cpu wheel (skipped if absent).
KERNEL_WHEELS ?= /opt/wheels
kernel-env: .kernel-env/.stamp
.kernel-env/.stamp: kernels/requirements.txt kernels/build_env.py $(VENV)/.stamp
	$(PY) -m kernels.build_env --requirements kernels/requirements.txt --target .kernel-env \
		--find-links $(KERNEL_WHEELS)

## scenario-data: data files the scenarios declare with `generated_by` (size + SHA-256 in their
## YAML), written by seeded scripts under scenarios/generators/ with the kernels' Python (its
## pinned NumPy makes the bytes reproducible); git-ignored, never downloaded.
KERNEL_PY := .kernel-env/bin/python
SCENARIO_DATA := scenarios/churn-eda-baseline/customers.csv
scenario-data: $(SCENARIO_DATA)
scenarios/churn-eda-baseline/customers.csv: scenarios/generators/churn_customers.py .kernel-env/.stamp
	$(KERNEL_PY) scenarios/generators/churn_customers.py

## web: the browser client, rebuilt only when its sources change.
web: web/dist/.stamp
web/dist/.stamp: $(WEB_SOURCES) web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund --loglevel=error && $(NPM) run build
	touch $@

## js-deps: the stock yjs + y-websocket client used by tests/js and bench/sync.
js-deps: tests/js/node_modules/.stamp
tests/js/node_modules/.stamp: tests/js/package.json tests/js/package-lock.json
	cd tests/js && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

## oidc-deps: the certified OpenID provider (oidc-provider) the sign-in tests start on loopback.
oidc-deps: tests/oidc/node_modules/.stamp
tests/oidc/node_modules/.stamp: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

run: deps web kernel-env scenario-data
	$(VENV)/bin/pairboard serve --demo

## PYTEST_WORKERS: parallel pytest workers (pytest-xdist); each takes whole test modules, so a
## module's server and browser fixtures stay in one process. 0 runs the suite in this process.
PYTEST_WORKERS ?= 2
## SERIAL_TESTS: modules run after, in one process: schemathesis' generated cases collapse to a
## single item under xdist (its 46 operations would silently not be fuzzed).
SERIAL_TESTS := tests/security/test_api_fuzzing.py

## test: the web's unit tests (vitest, seconds), then the whole pytest suite.
test: deps web kernel-env scenario-data js-deps oidc-deps
	cd web && $(NPM) test
	$(PY) -m pytest -ra -n $(PYTEST_WORKERS) --dist loadfile --ignore=$(SERIAL_TESTS) $(PYTEST_ARGS)
	$(PY) -m pytest -ra $(SERIAL_TESTS) $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check server kernels tests bench
	$(VENV)/bin/ruff format --check server kernels tests bench
	$(VENV)/bin/mypy

## bench-js-deps: the Node reference server (stock @y/websocket-server) bench/sync compares against.
bench-js-deps: bench/sync/node-server/node_modules/.stamp
bench/sync/node-server/node_modules/.stamp: bench/sync/node-server/package.json bench/sync/node-server/package-lock.json
	cd bench/sync/node-server && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

## The benchmark-only extra (pycrdt-websocket as the comparison peer, py-spy).
$(VENV)/.bench-stamp: pyproject.toml $(VENV)/.stamp
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

## bench-sync: Pairboard against the Node reference and pycrdt-websocket, interleaved in one run.
## Pass options through BENCH_SYNC_ARGS, e.g. make bench-sync BENCH_SYNC_ARGS=--quick
bench-sync: deps js-deps bench-js-deps $(VENV)/.bench-stamp
	$(PY) bench/sync/run.py $(BENCH_SYNC_ARGS)

bench: bench-sync kernel-env scenario-data web
	$(PY) bench/kernels.py
	$(PY) bench/web.py
	$(PY) bench/replay.py
	$(PY) bench/scale.py
	$(PY) bench/notebook.py

clean:
	rm -rf $(VENV) .kernel-env $(SCENARIO_DATA) web/dist web/node_modules tests/js/node_modules tests/oidc/node_modules \
		bench/sync/node-server/node_modules
