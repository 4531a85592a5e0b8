"""Every notebook in notebooks/ runs from top to bottom without an error (nbclient).

The notebooks check their own derivations numerically in cells that assert, so a wrong
answer fails here as well as a broken call.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.slow  # a kernel per notebook: the CI tier

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook_per_seed_and_one_for_the_cookbook():
    names = [p.stem for p in NOTEBOOKS]
    assert [n[:3] for n in names if n[:3].isdigit()] == ["000", "001", "002", "003"], names
    assert "cookbook" in names, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_checks_pass(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: {error}")
    assert any(cell.cell_type == "code" and "assert" in cell.source for cell in notebook.cells), path.name
