"""WCAG AA contrast of the workspace's colours (text ≥ 4.5:1 on the backgrounds it sits on)."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "web" / "templates"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (text colour, background) pairs the pages use: body text, muted text, links, errors,
#: buttons, and text on each highlight of the document page.
PAIRS = [
    ("#1b1f24", "#ffffff"),  # ink on white
    ("#4a5260", "#ffffff"),  # muted
    ("#0b5cad", "#ffffff"),  # links, quiet buttons
    ("#a4161a", "#ffffff"),  # errors
    ("#ffffff", "#0b5cad"),  # button text
    ("#1b1f24", "#eef2f7"),  # a claim
    ("#1b1f24", "#fff3c4"),  # a check-worthy claim
    ("#1b1f24", "#d9f2de"),  # verified
    ("#1b1f24", "#fbdcdc"),  # disputed or false
    ("#4a5260", "#ffffff"),  # a rejected candidate
]


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_workspace_colours_meet_wcag_aa(text: str, background: str) -> None:
    assert contrast(text, background) >= 4.5


#: The bar that marks a "saved" message on the panel.
SAVED = "#2e7d32"


def test_controls_and_the_focus_ring_stand_out_from_the_page() -> None:
    # Non-text contrast (WCAG 1.4.11): input borders and the focus ring need 3:1.
    assert contrast("#4a5260", "#ffffff") >= 3
    assert contrast("#1b1f24", "#ffffff") >= 3
    assert contrast("#1b1f24", "#fff3c4") >= 3  # focus on a highlighted claim
    assert contrast(SAVED, "#ffffff") >= 3  # the bar beside "saved" (the words are ink)


def test_every_colour_the_templates_use_is_one_we_checked() -> None:
    import re

    checked = {c for pair in PAIRS for c in pair} | {"#c9ced6", SAVED}  # rules and bars
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", template.read_text())}
    assert used <= checked, used - checked
