# Minnow — the two commands: `make run` and `make test`.
SWIFT      ?= swift
DATA_DIR   ?= ./data
PORT       ?= 8080
VENV       := .venv
PYTHON     := $(VENV)/bin/python

.PHONY: run test deps test-deps build release venv venv-tflm2024 lint-web lint-swift format engine-test server-test browser-test contract-test clean

## Installs what is missing, builds (release) and serves on SQLite in $(DATA_DIR).
run: deps release
	.build/release/minnow serve --data-dir $(DATA_DIR) --port $(PORT)

## Runs the whole test suite: Swift and web asset lint, engine, server (SQLite and PostgreSQL), CLI, browser, contract.
test: test-deps venv venv-tflm2024 lint-swift lint-web engine-test server-test browser-test contract-test

deps:
	scripts/install-deps.sh run

test-deps:
	scripts/install-deps.sh test

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product minnow

venv: $(VENV)/.installed
$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r tests/requirements.txt
	touch $@

## TFLite Micro from May 2024 (before per-channel FULLY_CONNECTED), for the legacy-TFLM parity test.
## --no-deps: its wrapper's two TensorFlow imports come from tests/reference/tflm2024_shim (110 MB, not 2.2 GB).
venv-tflm2024: .venv-tflm2024/.installed
.venv-tflm2024/.installed: tests/requirements-tflm2024.txt
	python3 -m venv .venv-tflm2024
	.venv-tflm2024/bin/python -m pip install -q --no-deps -r tests/requirements-tflm2024.txt
	touch $@

## The web app's script and stylesheet (Sources/MinnowServer/Web/Assets): syntax (esprima, tinycss2)
## and what the Content-Security-Policy would block.
lint-web: venv
	$(PYTHON) scripts/lint-web-assets.py

## Swift formatting (.swift-format, swift-format from the toolchain): `make format` applies it,
## `make lint-swift` fails on any difference; `make format` applies .swift-format to every Swift file.
SWIFT_FORMATTED := Package.swift Sources Tests Engine/Package.swift Engine/Sources Engine/Tests
lint-swift:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format $(SWIFT_FORMATTED)

format:
	$(SWIFT) format format --in-place --recursive --configuration .swift-format $(SWIFT_FORMATTED)

engine-test:
	cd Engine && $(SWIFT) test

server-test:
	scripts/with-postgres.sh $(SWIFT) test

## The web app in headless Chromium (Debian chromium + chromedriver) against the real binary;
## screenshots of each page go to test-output/screenshots/.
browser-test: venv
	$(SWIFT) build --product minnow
	$(PYTHON) -m pytest -q tests/browser

## Contract fuzzing (schemathesis) of the real binary against its own GET /openapi.yaml, signed in
## through the web session and with an API key; about two minutes. The server log goes to
## test-output/contract/server.log.
contract-test: venv
	$(SWIFT) build --product minnow
	$(PYTHON) -m pytest -q tests/contract

clean:
	rm -rf .build Engine/.build $(VENV)
