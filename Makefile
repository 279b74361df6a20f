# The course's two entry points (see README.md):
#   make book   set everything up, then build the website into _build/html
#   make test   set everything up, lint, build the website, then run the whole test suite
# Both are idempotent: setup reinstalls only when pyproject.toml, constraints.txt or package-lock.json change.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-complete
# The book to build (the repository root; tests point it at small temporary books).
BOOK ?= .
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
# CIFAR-10 on machines without internet: point COURSE_CIFAR10 at a local copy (see README.md).
SHARED_CIFAR10 := $(abspath ../shared/data/cifar10/cifar10.npz)
ifeq ($(origin COURSE_CIFAR10), undefined)
  ifneq ($(wildcard $(SHARED_CIFAR10)),)
    export COURSE_CIFAR10 := $(SHARED_CIFAR10)
  endif
endif

.PHONY: setup book translations browser lint test clean reproduce recipes recipes-check benchmarks
.DEFAULT_GOAL := book

setup: $(SETUP_STAMP)

$(SETUP_STAMP): pyproject.toml constraints.txt package.json package-lock.json
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	@command -v npm >/dev/null || { echo "npm (Node.js) is required to install MathJax for offline math"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[all,test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The site also offers the course's helper package as a wheel, for students' `pip install` (book/intro.md).
# Each translation (_config.yml's course_translations) is built last, into _build/html/<language>/ (the wheel
# copied there too), from the same pages and the execution cache the English build filled (no page runs twice).
book: setup
	$(BIN)/jupyter-book build $(BOOK) --builder html -W -n --keep-going
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir $(BOOK)/_build/html/downloads .
	$(BIN)/python -m course_utils.book_i18n build $(BOOK)

# After an edit of the English prose: extract it again and update every translation's catalogs (book/locales/),
# then translate what `python -m course_utils.book_i18n check` lists (README.md, "The Chinese edition").
translations: setup
	$(BIN)/python -m course_utils.book_i18n update $(BOOK)
	$(BIN)/python -m course_utils.book_i18n check $(BOOK) || true

# The browser tests drive Debian's Chromium (Playwright's own browser download needs internet); installed when missing.
CHROMIUM := /usr/bin/chromium
# Chinese characters for the Chinese edition's pages and screenshots (Debian's Noto CJK fonts).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
browser: $(CHROMIUM) $(CJK_FONT)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Install Chromium at $(CHROMIUM) for the browser tests"; exit 1; }
	apt-get update && apt-get install -y chromium

$(CJK_FONT):
	@command -v apt-get >/dev/null || { echo "Install a font with Chinese characters (fonts-noto-cjk) for the browser tests"; exit 1; }
	apt-get update && apt-get install -y fonts-noto-cjk

# ruff: lint and formatting (pyproject.toml, [tool.ruff]); zero findings.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite runs on every CPU (pytest-xdist), one test file per worker so module fixtures are built once.
test: lint book browser
	$(BIN)/python -m pytest -n auto --dist loadfile

# The CIFAR-10 page's full training run (about an hour on 2 CPU cores): executes book/cifar10-cnn.md with COURSE_FULL_RUN=1,
# which trains on all 50,000 images until early stopping and writes the record to book/runs/cifar10-full/.
reproduce: setup
	COURSE_FULL_RUN=1 $(BIN)/python scripts/execute_page.py book/cifar10-cnn.md

# The runs of the page "Doing better than the chapter" (book/beyond-the-chapter.md): every step of the ablation for
# RECIPE_MINUTES of training (seed 0), the recipe with two more seeds for its spread, and the deeper network without
# augmentation, into book/runs/beyond-<N>min/ (about 2 hours on 2 CPU cores for the page's 10-minute budget); then the
# recipe for 60 minutes, so that with the work between epochs (not its test evaluations) it stays within the
# chapter's 68-minute run, into book/runs/beyond-60min/ (one more hour). TensorFlow's oneDNN kernels are on for these runs.
RECIPE_MINUTES ?= 10
RECIPE_RUNS := book/runs/beyond-$(RECIPE_MINUTES)min
recipes: setup
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m benchmarks.recipe_runs run --budget-minutes $(RECIPE_MINUTES) --seeds 0 --out $(RECIPE_RUNS)
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m benchmarks.recipe_runs run --budget-minutes $(RECIPE_MINUTES) --steps smoothing --seeds 1 2 --out $(RECIPE_RUNS)
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m benchmarks.recipe_runs run --budget-minutes $(RECIPE_MINUTES) --steps deeper-unaugmented --out $(RECIPE_RUNS)
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m benchmarks.recipe_runs run --budget-minutes 60 --steps smoothing --out book/runs/beyond-60min

# Trains the recipe once more on the recorded runs' budget and says whether it lands in their spread (exit 1 if not).
recipes-check: setup
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m benchmarks.recipe_runs check $(RECIPE_RUNS)

# Speed figures (minutes; not part of the tests): writes benchmarks/RESULTS.md and benchmarks/results.json.
benchmarks: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf _build
