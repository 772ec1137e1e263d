# The two commands a new user needs: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv system-libs browser lint typecheck bench clean

venv: system-libs $(STAMP)

# Debian's libraries that OpenCV (cv2, from MediaPipe's opencv-contrib-python wheel) loads.
system-libs:
	bash scripts/ensure-system-libs.sh

# Reinstall only when the declared dependencies change; constraints.txt keeps installs reproducible.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: venv
	$(BIN)/myomap serve --demo --host 127.0.0.1 --port 8000

browser:
	bash scripts/ensure-chromium.sh

lint: venv
	$(BIN)/ruff check src tests bench scripts

# Types (settings in pyproject.toml): strict on the domain core, every function annotated elsewhere.
typecheck: venv
	$(BIN)/mypy

# Every gate in one command: lint, types, then the whole suite (both databases, browser tests included).
test: venv browser lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: venv
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build src/*.egg-info
