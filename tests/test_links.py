"""Every link in the repository's Markdown resolves without the network: relative file links, images and
#anchors (GitHub's heading slugs), and every repository path a page quotes in backticks. Each provider the
emulator registers has its guide in docs/providers/, linked from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator.providers import PROVIDERS
from tests.support import PAGES, ROOT

# Top-level folders a page may name as `path/in/backticks`; placeholders such as `schemas/<key>/` are skipped.
REPO_DIRS = ("docs/", "tests/", "bench/", "schemas/", "emulator/", "constraints/", ".ci/")

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_MD_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
_HTML_LINK = re.compile(r"<(?:a|img|source)\b[^>]*?\b(?:href|src)=[\"']([^\"']+)[\"']", re.I)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def _prose(text: str) -> str:
    """The page without its code: links shown inside code blocks or spans are examples, not links."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text without markup, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a page offers; a repeated heading gets -1, -2... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", page.read_text())):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    found |= set(re.findall(r"<a\s+(?:name|id)=[\"']([^\"']+)[\"']", page.read_text()))
    return found


def links(page: Path) -> list[str]:
    prose = _prose(page.read_text())
    return _MD_LINK.findall(prose) + _REF_DEF.findall(prose) + _HTML_LINK.findall(prose)


def broken(page: Path, target: str) -> str | None:
    """Why `target`, linked from `page`, does not resolve (None when it does)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:: not checked offline
        return None
    path_part, _, anchor = target.partition("#")
    dest = (page.parent / path_part).resolve() if path_part else page
    if ROOT not in dest.parents and dest != ROOT:
        return "points outside the repository"
    if not dest.exists():
        return "no such file"
    if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
        return f"no heading #{anchor} in {dest.relative_to(ROOT)}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves(page):
    bad = [f"{target}: {why}" for target in links(page) if (why := broken(page, target))]
    assert not bad, f"{page.relative_to(ROOT)} has broken links:\n" + "\n".join(bad)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_quoted_repository_path_exists(page):
    quoted = re.findall(r"`([^`\s]+)`", page.read_text())
    paths = {q.split("::")[0].split("#")[0].rstrip(".,:;") for q in quoted if q.startswith(REPO_DIRS)}
    missing = sorted(p for p in paths if not re.search(r"[<>{}*]", p) and not (ROOT / p).exists())
    assert not missing, f"{page.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_every_provider_has_a_guide_linked_from_the_readme():
    readme_links = set(links(ROOT / "README.md"))
    for key in PROVIDERS:
        guide = f"docs/providers/{key}.md"
        assert (ROOT / guide).is_file(), f"{key} has no guide at {guide}"
        assert guide in readme_links, f"README.md does not link {guide}"


def test_the_checker_catches_what_it_is_for(tmp_path, monkeypatch):
    """The checks above would pass on a checker that found nothing; prove each kind of break is seen."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text("# Start it\n## `serve` options\n## Start it\n")
    page = tmp_path / "a.md"
    page.write_text("[ok](docs/b.md#start-it) [ok](docs/b.md#serve-options) [ok](docs/b.md#start-it-1)\n"
                    "[gone](docs/missing.md) [anchor](docs/b.md#stop-it) ![img](shot.png)\n"
                    "[up](../outside.md) [web](https://example.com/x) `[code](not/checked.md)`\n"
                    "```\n[fenced](not/checked/either.md)\n```\n<img src=\"docs/nope.png\">\n")
    verdicts = {t: broken(page, t) for t in links(page)}
    assert verdicts == {"docs/b.md#start-it": None, "docs/b.md#serve-options": None,
                        "docs/b.md#start-it-1": None, "docs/missing.md": "no such file",
                        "docs/b.md#stop-it": "no heading #stop-it in docs/b.md", "shot.png": "no such file",
                        "../outside.md": "points outside the repository", "https://example.com/x": None,
                        "docs/nope.png": "no such file"}
