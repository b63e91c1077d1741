"""The user guide in bokmål (``docs/guide-nb.md``) and its screenshots agree.

The screenshots are taken by the browser test ``tests/test_guide_nb.py``, which names
them from :data:`GUIDE_SHOTS`. These checks need no browser, so they run everywhere:
every image the guide shows is committed in ``docs/guide-nb/``, and the guide shows
exactly the screens the browser test takes, no more and no fewer.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "guide-nb.md"
GUIDE_IMAGES = REPO / "docs" / "guide-nb"

#: The screens of the guide, in the order the guide shows them; each is ``<name>.png``.
GUIDE_SHOTS = (
    "innlogging",
    "oversikt",
    "prosjekt",
    "statusrapport",
    "beslutningsforesporsel",
    "mine-beslutninger",
    "bekreft-stemme",
    "arshjul",
    "min-konto",
)

#: A markdown image: ``![alt text](path)``.
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def referenced_images() -> list[str]:
    """The images the guide shows, as written in it, in order."""
    return IMAGE.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_shows_each_screenshot_once_from_its_folder() -> None:
    images = referenced_images()
    assert images, "docs/guide-nb.md shows no screenshots"
    assert len(images) == len(set(images)), f"a screenshot is shown twice: {images}"
    for image in images:
        assert image.startswith("guide-nb/"), f"{image}: keep the guide's images in guide-nb/"
        assert image.endswith(".png"), f"{image}: the screenshots are PNG files"


def test_every_image_the_guide_shows_is_committed() -> None:
    missing = [i for i in referenced_images() if not (GUIDE.parent / i).is_file()]
    assert missing == [], (
        f"missing in docs/guide-nb/: {missing}. Take them with "
        "PHASEGATE_GUIDE_SHOTS=docs .venv/bin/pytest tests/test_guide_nb.py"
    )


def test_the_guide_shows_exactly_the_screens_the_browser_test_takes() -> None:
    shown = [Path(i).stem for i in referenced_images()]
    assert shown == list(GUIDE_SHOTS)


def test_no_stale_screenshot_is_left_in_the_folder() -> None:
    committed = sorted(p.stem for p in GUIDE_IMAGES.glob("*.png"))
    assert committed == sorted(GUIDE_SHOTS)
