# The README's two commands: `make site` (set up, measure this machine quickly, build the site) and
# `make test` (set up everything the tests need, run them). Both work from a fresh clone.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# torch first and pinned: an unpinned requirement downloads a multi-GB CUDA build.
TORCH  := torch==2.13.0

.PHONY: site test serve mutants setup-report setup-bench setup-test setup-system quick-run build clean

# The site needs no system package: Chromium and Noto CJK serve `benchlog export` and the browser tests
# (setup-system, which `make test` runs).
site: setup-bench quick-run build

test: setup-test
	$(PY) -m pytest -q

# Mutation testing of the analysis and format code ([tool.mutmut] in pyproject.toml); not part of `make test`:
# it takes about half an hour on 2 cores. Prints the score per module.
mutants: setup-test
	$(PIP) install "mutmut>=3.8,<4"
	rm -rf mutants
	-$(VENV)/bin/mutmut run --max-children 2
	$(PY) tests/mutation_score.py

serve: setup-report
	$(VENV)/bin/mkdocs serve

build:
	$(VENV)/bin/mkdocs build --strict

quick-run:
	$(VENV)/bin/benchlog run --quick

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --upgrade pip

setup-report: $(PY)
	$(PIP) install -e .

setup-bench: $(PY)
	$(PIP) install $(TORCH)
	$(PIP) install -e ".[bench]"

setup-test: setup-system setup-bench
	$(PIP) install -e ".[bench,test]"

# Debian's chromium (the browser tests drive it through Playwright, benchlog export draws charts with it through
# kaleido; never `playwright install`) and Noto CJK so Korean text renders in both.
# Where apt-get is missing (macOS, Fedora, ...) it says what to install instead of failing.
setup-system:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "setup-system: no apt-get here; install Chromium (as /usr/bin/chromium) and Noto Sans CJK yourself:"; \
		echo "  benchlog export and the browser tests need them; the site builds and serves without them."; \
	fi

clean:
	rm -rf public .pytest_cache mutants
