"""The README's examples are run: its Python session as a doctest, its shell lines through the CLI
(``main``; the subprocess runs of every command are in test_cli.py)."""

import doctest
import re
import shlex
from pathlib import Path

import pytest

from matcalc.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_python_examples_run_as_shown():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def _console_examples():
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            if line.startswith("$ matcalc "):
                output = []
                for out in lines[i + 1 :]:
                    if out.startswith("$ "):
                        break
                    output.append(out)
                yield line[2:], "\n".join(output)


@pytest.mark.parametrize("command, output", list(_console_examples()))
def test_console_examples_print_as_shown(command, output, capsys):
    """The output as shown; a last line "…" shows only its beginning; "# exit code N" after
    the command gives its exit code (else 2 for an error, 0 otherwise)."""
    stated = re.search(r"# exit code (\d)", command)
    try:
        code = main(shlex.split(command, comments=True)[1:])
    except SystemExit as exit:  # a usage error
        code = exit.code
    captured = capsys.readouterr()
    shown = (captured.out + captured.err).strip("\n")
    if output.endswith("\n…"):
        assert shown.startswith(output.removesuffix("\n…") + "\n")
    else:
        assert shown == output
    assert code == (int(stated[1]) if stated else 2 if output.startswith("error:") else 0)
