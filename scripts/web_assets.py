#!/usr/bin/env python3
"""Copy the files phasegate takes from npm into the tree, so Python users never need Node.

    scripts/web_assets.py css   # Designsystemet's CSS and the Inter font -> the package
    scripts/web_assets.py axe   # axe-core -> tests/vendor, for the accessibility tests

``make css`` and ``make axe`` run ``npm ci`` in ``web-assets/`` first: the versions are
the ones pinned in ``web-assets/package.json`` and its lock file. Each copy names its
package, version and licence in a header, and the licence texts go beside it. The
output is committed; run this only to move to another version.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "web-assets" / "node_modules"
STATIC = ROOT / "src" / "phasegate" / "web" / "static"
VENDOR = ROOT / "tests" / "vendor"

#: The Inter files shipped: one variable font (weights 100-900) per subset. Latin covers
#: bokmål and nynorsk; latin-ext (Sámi letters such as č, đ, ŋ, š, ŧ, ž) is only
#: downloaded by a browser that meets such a letter, through its unicode-range.
INTER_SUBSETS = ("latin-ext", "latin")


@dataclass(frozen=True)
class Package:
    """An installed npm package: where it is, and what its package.json says."""

    name: str
    version: str
    licence: str
    folder: Path

    @classmethod
    def installed(cls, name: str) -> Package:
        folder = MODULES / name
        manifest = folder / "package.json"
        if not manifest.exists():
            raise SystemExit(f"{name} is not installed: run `npm ci` in web-assets/ first")
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        return cls(name, meta["version"], meta["license"], folder)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} ({self.licence})"


def build_css() -> list[Path]:
    """``static/designsystemet.css``: the Inter font faces, Designsystemet's components
    and its default theme, in one file (one request per page); the fonts and licences
    beside it."""
    css = Package.installed("@digdir/designsystemet-css")
    inter = Package.installed("@fontsource-variable/inter")
    fonts = STATIC / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    written = []
    for subset in INTER_SUBSETS:
        name = f"inter-{subset}-wght-normal.woff2"
        written.append(copy(inter.folder / "files" / name, fonts / name))
    header = "\n".join(
        (
            "/*! Built by `make css` (scripts/web_assets.py) from web-assets/package-lock.json:",
            " * do not edit; change the version there and run it again.",
            f" * {css.label}: index.css (the components) and theme/designsystemet.css",
            " *   (the default theme); licence in LICENSE-designsystemet.txt.",
            f" * {inter.label}: Inter, variable weight, {' and '.join(INTER_SUBSETS)},",
            " *   in fonts/; licence in LICENSE-inter.txt.",
            " */",
        )
    )
    # index.css opens by declaring the order of its layers: nothing layered goes before.
    parts = (
        header,
        f"/* {css.label}: index.css */",
        (css.folder / "dist" / "src" / "index.css").read_text(encoding="utf-8").strip(),
        f"/* {css.label}: theme/designsystemet.css */",
        (css.folder / "dist" / "theme" / "designsystemet.css").read_text(encoding="utf-8").strip(),
        f"/* {inter.label} */",
        font_faces(inter),
        # The setup guide's advice: the theme names Inter alone, and the body needs it.
        "@layer ds.base{body{font-family:var(--ds-font-family),system-ui,sans-serif}}",
    )
    target = STATIC / "designsystemet.css"
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")
    written.append(target)
    written.append(copy(css.folder / "LICENSE", STATIC / "LICENSE-designsystemet.txt"))
    written.append(copy(inter.folder / "LICENSE", STATIC / "LICENSE-inter.txt"))
    return written


def font_faces(inter: Package) -> str:
    """Fontsource's ``@font-face`` rules for the shipped subsets, under the family name
    the theme asks for (``Inter``) and with the files in ``fonts/``."""
    source = (inter.folder / "wght.css").read_text(encoding="utf-8")
    faces = []
    for subset in INTER_SUBSETS:
        found = re.search(
            rf"/\* inter-{subset}-wght-normal \*/\s*(@font-face\s*\{{[^}}]*\}})", source
        )
        if found is None:
            raise SystemExit(f"{inter.label}: no @font-face for {subset} in wght.css")
        face = re.sub(r"font-family:\s*'Inter Variable'", "font-family:'Inter'", found[1])
        face = face.replace("url(./files/", "url(fonts/")
        face = face.replace("format('woff2-variations')", "format('woff2')")  # every browser
        faces.append(re.sub(r"\s*\n\s*", "", face))
    return "\n".join(faces)


def vendor_axe() -> list[Path]:
    """``tests/vendor/axe.min.js`` and its licences (MPL-2.0, and its own dependencies')."""
    axe = Package.installed("axe-core")
    VENDOR.mkdir(parents=True, exist_ok=True)
    licence = VENDOR / "LICENSE-axe-core.txt"
    licence.write_text(
        "\n\n".join(
            (
                f"{axe.label}\n\n" + (axe.folder / "LICENSE").read_text(encoding="utf-8"),
                (axe.folder / "LICENSE-3RD-PARTY.txt").read_text(encoding="utf-8"),
            )
        ),
        encoding="utf-8",
    )
    return [copy(axe.folder / "axe.min.js", VENDOR / "axe.min.js"), licence]


def copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("css", "axe"))
    what = parser.parse_args().what
    for path in build_css() if what == "css" else vendor_axe():
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")  # noqa: T201


if __name__ == "__main__":
    main()
