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
        ("\ufeffFerry strike ends in Bergen\nThe strike ended.", "Ferry strike ends in Bergen"),
        # Page furniture: a byline, a time stamp, a dateline running into the text, a share
        # button, a line cut short.
        ("By Ingrid Solberg\nThe strike ended.", None),
        ("Updated 3 March 2025 14:02 GMT\nThe strike ended.", None),
        ("BERGEN, Norway (Reuters) -\nThe strike ended.", None),
        ("Share this article\nThe strike ended.", None),
        ("The strike at the yard that began in…\nThe strike ended.", None),
    ],
)
def test_a_first_line_is_the_title_only_when_it_reads_as_a_headline(
    text: str, expected: str | None
) -> None:
    assert headline(text) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8010"),
        ("0.0.0.0", "http://127.0.0.1:8010"),
        ("::", "http://[::1]:8010"),
        ("::1", "http://[::1]:8010"),
        ("news.example.org", "http://news.example.org:8010"),
    ],
)
def test_the_address_serve_publishes_is_one_a_reader_can_open(host: str, expected: str) -> None:
    from service.cli import public_base

    assert public_base(host, 8010) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ferry strike ends\nPOSTED: 0930 GMT (1730 HKT), March 3, 2025\nThe strike ended.",
            "2025-03-03",
        ),
        ("Ferry strike ends\n\nMar 4, 2025\n\nThe strike ended.", "2025-03-04"),
        (
            "Ferry strike ends\nUpdated Tuesday 4 March 2025 14:02 CET\nThe strike ended.",
            "2025-03-04",
        ),
        ("Ferry strike ends\n2025-03-05\nThe strike ended.", "2025-03-05"),
        ("Ferry strike ends\nWed, March 5th, 2025 9:03am EST\nThe strike ended.", "2025-03-05"),
        (
            "Ferry strike ends\nPublished on: Thu, 6 Mar 2025 at 09:56 CET\nThe strike ended.",
            "2025-03-06",
        ),
        # A headline or a sentence that names a date is not a stamp; nor is a date without its
        # year, one past the first lines, or one that is no day.
        ("Strike set for March 3, 2025\nWorkers voted on Monday.", None),
        ("The strike ended on March 3, 2025.\nWorkers returned.", None),
        ("Ferry strike ends\nNov 25\nThe strike ended.", None),
        ("a\nb\nc\nd\ne\nf\nMarch 3, 2025\nThe strike ended.", None),
        ("Ferry strike ends\nFeb 30, 2025\nThe strike ended.", None),
    ],
)
def test_a_stamp_line_near_the_top_gives_the_publication_date(
    text: str, expected: str | None
) -> None:
    from service.web.ingest import stamped_date

    found = stamped_date(text)
    assert (found.isoformat() if found else None) == expected
