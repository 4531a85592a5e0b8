"""Importing a module that matcalc generated, as a user would: written to a file, then imported."""

from __future__ import annotations

import importlib.util


def load_module(tmp_path, text: str, name: str = "f_and_grad"):
    """The module ``text`` written to tmp_path/NAME.py and imported (the code matcalc wrote, in the test)."""
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"generated_{name}_{abs(hash(text))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
