"""Every `job-emulator` command line the README and docs/ show is one the command accepts: its flags parse and
its settings load (unknown flags, providers, profiles, options or states would exit 2 for a reader)."""

from __future__ import annotations

import re
import shlex

import pytest

from emulator import config as cfg
from emulator.cli import build_parser, settings_from_args
from tests.support import PAGES, ROOT

SHELL_OPERATORS = {"|", "||", "&&", ";", "&", ">", ">>", "<", "2>"}


def commands(text: str) -> list[list[str]]:
    """The words of each `job-emulator ...` command, from shell blocks and inline code, up to a comment, pipe
    or redirection."""
    found = []
    for line in re.findall(r"^\s*(job-emulator\b.*)$", text, re.M) + re.findall(r"`(job-emulator\b[^`]*)`", text):
        words = []
        for word in shlex.shlex(line, posix=True, punctuation_chars=True):
            if word in SHELL_OPERATORS:
                break
            words.append(word)
        if not any("<" in w or "..." in w for w in words):  # placeholders are prose, not commands
            found.append(words)
    return found


def rejected(words: list[str]) -> str | None:
    """Why the command would refuse these words (None when it accepts them)."""
    argv = words[1:]
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["serve", *argv]  # as emulator.cli.main does for flags without a subcommand
    if not argv or argv[0] in ("-h", "--help", "--version") or "--help" in argv:
        return None
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        return "the parser refuses it"
    if args.command == "serve":
        try:
            settings_from_args(args)
        except cfg.ConfigError as exc:
            return str(exc)
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_documented_command_is_accepted(page, capsys):
    bad = [f"{shlex.join(words)}: {why}" for words in commands(page.read_text()) if (why := rejected(words))]
    capsys.readouterr()  # argparse's usage lines for refused commands; the assertion names them
    assert not bad, f"{page.relative_to(ROOT)} shows commands job-emulator refuses:\n" + "\n".join(bad)


def test_the_check_refuses_what_a_reader_would_hit(capsys):
    assert rejected(["job-emulator", "serve", "--durations", "bacalhau.Running=3"]) == "the parser refuses it"
    assert "nosuch" in rejected(["job-emulator", "serve", "--profile", "bacalhau=nosuch"])
    assert "Runing" in rejected(["job-emulator", "serve", "--duration", "bacalhau.Runing=3"])
    assert rejected(["job-emulator", "serve", "--duration", "bacalhau.Running=3", "--clock", "manual"]) is None
    assert rejected(["job-emulator", "--port", "9000"]) is None
    assert commands("x\njob-emulator serve --option 'a=b|c'  # fast\n`job-emulator openapi bacalhau > b.json`") == [
        ["job-emulator", "serve", "--option", "a=b|c"], ["job-emulator", "openapi", "bacalhau"]]
    capsys.readouterr()
