"""A pasted text's first line as its title, when it reads as a headline (sentences written
for the rule)."""

from __future__ import annotations

import pytest

from service.web.ingest import headline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ferry strike ends in Bergen\n\nThe strike ended on Monday.",
            "Ferry strike ends in Bergen",
        ),
        ("Will the Bergen yard close?\nWorkers asked on Monday.", "Will the Bergen yard close?"),
        (
            "  \n Gunman kills 1, wounds 2 at harbour office\nA man shot...",
            "Gunman kills 1, wounds 2 at harbour office",
        ),
        # A sentence is not a headline, nor is a lone line, a single word, or a dateline.
        ("The strike ended on Monday.\nWorkers returned.", None),
        ("Ferry strike ends in Bergen", None),
        ("Bergen\nThe strike ended.", None),
        ("BERGEN, March 3:\nThe strike ended.", None),
        ("x " * 40 + "\nmore", None),
    ],
)
def test_a_first_line_is_the_title_only_when_it_reads_as_a_headline(
    text: str, expected: str | None
) -> None:
    assert headline(text) == expected
