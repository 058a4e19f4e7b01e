# videowall: `make run` starts the demo wall, `make test` runs the whole suite headless.
# Both set up what is missing first: Debian/Ubuntu packages (libvlc, FFmpeg, Qt's X11
# libraries, Xvfb) and a virtual environment with the Python packages.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# libvlc and its plugins; FFmpeg's CLI (demo clips, test servers); what PyQt6's wheels
# need from the system for the X11 and offscreen platforms; Xvfb for screenshots.
DEB_PACKAGES := libvlc5 libvlc-bin vlc-plugin-base ffmpeg xvfb xauth \
	libgl1 libegl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core

export MALLOC_ARENA_MAX := 2

.PHONY: run test test-quick setup system venv lint bench snapshot screenshot clean

run: setup
	$(PY) main.py demo

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	$(MAKE) --no-print-directory lint

test-quick: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow"

lint: setup
	$(VENV)/bin/ruff check videowall tests main.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

setup: system venv

system:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "videowall needs Python 3.11 or newer"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "installing python3-venv"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

bench: setup
	$(PY) main.py bench

screenshot: setup
	bash resources/screenshot.sh docs/wall.png

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
