# The two commands of the course: `make book` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FAST_OUTPUT := _build/fast
FAST_HTML   := $(FAST_OUTPUT)/_build/html
NOTEBOOKS   := $(wildcard notebooks/*.ipynb)

export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 2

BROWSER ?= 1

.PHONY: help install devices book chapter bench chromium publish-check release linkcheck colab-check test lint format unit notebooks book-fast pages sync results clean

help:
	@echo "make book     build the book: every chapter in full mode (cached) -> _build/html"
	@echo "make chapter N=05   execute one chapter in full mode into the book's cache"
	@echo "make test     lint, unit tests, every chapter run in fast mode by a strict book build, page checks"
	@echo "make notebooks   the paired .ipynb files run in fast mode (nbmake), two at a time"
	@echo "make sync [N=03]   rewrite the notebooks' set-up cell and their paired .ipynb from the .md"
	@echo "make bench    throughput of each chapter's model and the CRNN's time-to-target -> _build/bench.json"
	@echo "make results  print the recorded results; fails when a full-mode floor is missed"
	@echo "make publish-check [RELEASE=1]   every place names the same repository URL"
	@echo "make release  tag v<version> once make publish-check RELEASE=1 passes"
	@echo "make linkcheck   check the book's external links (needs the network; not in make test)"
	@echo "make colab-check   chapters in fast mode under the oldest supported TensorFlow and Keras"
	@echo "make clean    remove build outputs (keeps .venv)"

# A fresh machine needs only Python 3.10+: the virtual environment is made on first use.
# GPU=1 installs TensorFlow with CUDA (tensorflow[and-cuda], same version as the pinned
# tensorflow-cpu) instead of the CPU build, for a local NVIDIA GPU: make install GPU=1.
# The choice is remembered (.venv/.gpu), so later make commands need no GPU=1; GPU=0
# switches back to the CPU build.
TF_VERSION := $(shell sed -n 's/^tensorflow-cpu==//p' requirements.txt)
GPU ?= $(if $(wildcard $(VENV)/.gpu),1,0)
STAMP := $(VENV)/.installed-$(if $(filter 1,$(GPU)),gpu,cpu)
# companion/__init__.py holds the version, which the installed metadata must match.
$(STAMP): requirements.txt pyproject.toml companion/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	rm -f $(VENV)/.installed-*
ifeq ($(GPU),1)
	grep -v '^tensorflow-cpu==' requirements.txt > $(VENV)/requirements-gpu.txt
	$(BIN)/python -m pip uninstall --quiet --yes tensorflow-cpu || true
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-gpu.txt "tensorflow[and-cuda]==$(TF_VERSION)"
	touch $(VENV)/.gpu
else
	test ! -e $(VENV)/.gpu || $(BIN)/python -m pip uninstall --quiet --yes tensorflow
	rm -f $(VENV)/.gpu
	$(BIN)/python -m pip install --quiet -r requirements.txt
endif
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Check which devices TensorFlow sees (after make install GPU=1, a GPU should be listed).
devices: $(STAMP)
	$(BIN)/python -c "import companion.runtime as r; r.print_device_report(); import tensorflow as tf; print('GPUs:', tf.config.list_physical_devices('GPU'))"

# Chapters run one by one with progress lines and a watchdog (scripts/build_book.py);
# each is cached, so a rerun after a failure executes only what is not cached yet.
book: $(STAMP)
	COURSE_MODE=full $(BIN)/python scripts/build_book.py
	@$(BIN)/python -m companion.results
	@echo "The book is at $(CURDIR)/_build/html/index.html"

chapter: $(STAMP)
	@test -n "$(N)" || { echo "usage: make chapter N=05 [FORCE=1]"; exit 2; }
	COURSE_MODE=full $(BIN)/python scripts/build_book.py --no-html --only $(N) $(if $(FORCE),--force)

# Measured in one run on this machine (companion/bench.py); 2 min 50 s on 2 cores (one run).
bench: $(STAMP)
	$(BIN)/python -m companion.bench _build/bench.json

# The browser first: a missing Chromium stops make test before the long steps, not after.
test: chromium lint unit book-fast pages
ifeq ($(BROWSER),0)
	@echo "make test: all checks passed EXCEPT THE PAGE CHECKS, which BROWSER=0 skipped"
else
	@echo "make test: all checks passed"
endif

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	@PATH="$(CURDIR)/$(BIN):$$PATH" command -v actionlint >/dev/null || { \
	  echo "make lint checks the workflows with actionlint, which is not installed here:"; \
	  echo "install it (e.g. brew install actionlint) and run make lint again"; exit 1; }
	PATH="$(CURDIR)/$(BIN):$$PATH" actionlint .github/workflows/*.yml

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# Not part of make test: the fast book build already runs every chapter's .md, and a test
# keeps each .ipynb identical to its .md.
notebooks: $(STAMP)
	COURSE_MODE=fast $(BIN)/python -m pytest --nbmake --nbmake-timeout=300 -n 2 $(NOTEBOOKS)

book-fast: $(STAMP)
	COURSE_MODE=fast $(BIN)/python scripts/build_book.py --output $(FAST_OUTPUT) --strict

# The page checks need Chromium: installed here when missing and the machine allows it
# (root with apt-get, as in CI), else make stops and says what to install. BROWSER=0 skips
# them, loudly. CHROMIUM and CAN_INSTALL are found here; the tests set them to simulate a
# machine without a browser.
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)
CAN_INSTALL ?= $(shell [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo 1)
pages: $(STAMP) chromium
ifeq ($(BROWSER),0)
	@echo "WARNING: BROWSER=0: the page checks in a browser were NOT run"
else
	BOOK_HTML=$(FAST_HTML) $(BIN)/python -m pytest -m book tests/test_book_pages.py
endif

chromium:
ifeq ($(BROWSER),0)
	@echo "WARNING: BROWSER=0: the page checks in a browser will NOT run"
else ifneq ($(CHROMIUM),)
	@echo "Chromium for the page checks: $(CHROMIUM)"
else ifeq ($(CAN_INSTALL),1)
	@echo "Installing Chromium for the page checks (apt-get install chromium)"
	@{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || { \
	  echo "make: apt-get could not install chromium (is the package index reachable?)."; \
	  echo "Install it by hand, or run make test BROWSER=0 to skip the page checks."; exit 1; }
else
	@echo "make test checks the built pages in Chromium, which is not installed."
	@echo "Install it (Debian/Ubuntu: sudo apt-get install chromium), or run"
	@echo "make test BROWSER=0 to skip the page checks (the summary will say so)."
	@exit 1
endif

sync: $(STAMP)
	$(BIN)/python scripts/sync_notebooks.py $(N)

# Every place that names the repository names companion.colab.REPOSITORY_URL; RELEASE=1
# also refuses the placeholder URL.
publish-check: $(STAMP)
	$(BIN)/python scripts/publish_check.py $(if $(filter 1,$(RELEASE)),--release)

# Tags a release of the companion, v<companion.__version__>, once everything agrees on the
# published URL and the version (publish-check RELEASE=1) and the work is committed.
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' companion/__init__.py)
release: $(STAMP)
	$(BIN)/python scripts/publish_check.py --release
	@test -z "$$(git status --porcelain)" || { echo "make release: commit your changes first"; exit 1; }
	@if git rev-parse -q --verify "refs/tags/v$(VERSION)" >/dev/null; then \
	  echo "make release: v$(VERSION) is tagged already; set a new companion.__version__"; exit 1; fi
	git tag -a "v$(VERSION)" -m "hybrid-dl-companion $(VERSION)"
	@echo "Tagged v$(VERSION); publish it with: git push origin v$(VERSION)"

# External links need the network, so this is not part of make test. The notebooks are not
# executed (their links are in the prose): the copied configuration turns execution off.
LINKCHECK := _build/linkcheck
linkcheck: $(STAMP)
	mkdir -p $(LINKCHECK)
	sed -e 's/execute_notebooks: cache/execute_notebooks: "off"/' -e 's|: book/_ext|: $(CURDIR)/book/_ext|' _config.yml > $(LINKCHECK)/_config.yml
	grep -q 'execute_notebooks: "off"' $(LINKCHECK)/_config.yml
	$(BIN)/jupyter-book build . --builder linkcheck --config $(LINKCHECK)/_config.yml \
	  --path-output $(LINKCHECK) || { echo "Broken links are listed in $(LINKCHECK)/_build/html/output.txt"; exit 1; }

# A fresh environment with the oldest supported TensorFlow and Keras preinstalled, as in
# Colab: each notebook's set-up cell must install the companion without replacing them,
# and the chapters must run in fast mode. Installs from the package index, so it is not
# part of make test (the hosted CI runs it). CHAPTERS="01 05" runs only those.
colab-check: $(STAMP)
	$(BIN)/python scripts/colab_check.py $(CHAPTERS)

results: $(STAMP)
	$(BIN)/python -m companion.results

clean:
	rm -rf _build
