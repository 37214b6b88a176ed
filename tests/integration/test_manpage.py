"""The manual page, docs/hallpass.1, against the binary's own --help: the same commands, and
for each command the same options, either way round; and man renders it without a warning."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MANPAGE = Path(__file__).parents[2] / "docs" / "hallpass.1"


def help_commands(run) -> list[str]:
    out = run("--help").ok().stdout
    listing = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  ([a-z]+) ", listing, re.M)


def help_options(run, command: str) -> set[str]:
    # As test_cli.py reads them: the option rows of the "options:" list.
    return set(re.findall(r"^  (--[a-z-]+)", run(command, "--help").ok().stdout, re.M))


def man_sections() -> dict[str, set[str]]:
    """Each command's subsection (.SS name) of COMMANDS, with the options its .TP items
    name (.B \\-\\-option)."""
    text = MANPAGE.read_text()
    commands = text.split("\n.SH COMMANDS\n", 1)[1].split("\n.SH ", 1)[0]
    sections = {}
    for block in re.split(r"^\.SS ", commands, flags=re.M)[1:]:
        name, body = block.split("\n", 1)
        options = re.findall(r"^\.TP\n\.B (\\-\\-[a-z\\-]+)", body, re.M)
        sections[name.strip()] = {o.replace("\\-", "-") for o in options}
    return sections


def test_the_man_page_names_every_command_and_no_other(run):
    assert sorted(man_sections()) == sorted(help_commands(run))


def test_each_command_has_the_same_options_in_the_man_page_and_its_help(run):
    sections = man_sections()
    for command in help_commands(run):
        in_help = help_options(run, command)
        in_man = sections.get(command, set())
        assert in_help - in_man == set(), f"{command}: in --help, not in hallpass.1"
        assert in_man - in_help == set(), f"{command}: in hallpass.1, not in --help"


def test_the_comparison_sees_an_option_missing_from_the_man_page(run, tmp_path, monkeypatch):
    # The test above must fail when the page lacks an option: drop one and look.
    page = tmp_path / "hallpass.1"
    page.write_text(MANPAGE.read_text().replace(".B \\-\\-listen", ".B \\-\\-lisXen", 1))
    monkeypatch.setattr(__import__(__name__), "MANPAGE", page)
    with pytest.raises(AssertionError, match="not in hallpass.1"):
        test_each_command_has_the_same_options_in_the_man_page_and_its_help(run)


def test_the_man_page_names_the_global_options():
    general = MANPAGE.read_text().split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
    assert {"--help", "--version"} <= {
        o.replace("\\-", "-") for o in re.findall(r"^\.B (\\-\\-[a-z]+)", general, re.M)}


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_renders_the_page_without_warnings():
    done = subprocess.run(["man", "--warnings", "-l", "-Tutf8", str(MANPAGE)],
                          capture_output=True, text=True, env={"MANWIDTH": "80", "PATH":
                                                              "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "hallpass serve" in done.stdout
