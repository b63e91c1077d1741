"""Check the word catalogs (``make lint``): nothing missing, nothing untranslated, no drift.

1. Every message id the code and the templates use with a literal key (found the way
   ``pybabel extract`` finds them) is in every locale's catalog.
2. No message is empty or fuzzy in ``nb``, ``nn`` or ``en``.
3. The three locales have exactly the same message ids, and no id is defined twice in
   one locale (two ``.po`` files would otherwise override each other silently).

Each problem is printed as ``file:line: what``; the exit status is 1 when there is any.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from phasegate.i18n import LOCALES
from phasegate.i18n.catalog import DIRECTORY

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "phasegate"

# ``_("key")`` in templates; in Python the catalog is called as ``t("key")`` (a Words),
# ``w(...)`` or through ``words(locale)("key")``.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "w": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
# The domain and the storage speak no words: a ``t(...)`` there is something else.
SKIPPED = {"domain", "storage", "locales", "__pycache__"}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def used() -> dict[str, list[str]]:
    """Each literal message id, with where it is used."""
    found: dict[str, list[str]] = defaultdict(list)
    # Babel warns of each f-string key (a word chosen by a code, "outcome_{x}"): the
    # pseudo-locale test renders those; here they are expected, and quiet.
    with contextlib.redirect_stderr(io.StringIO()):
        return _extracted(found)


def _extracted(found: dict[str, list[str]]) -> dict[str, list[str]]:
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,
        directory_filter=lambda path: Path(path).name not in SKIPPED,
    ):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found[key].append(f"src/phasegate/{filename}:{line}")
    return found


def defined(locale: str) -> tuple[dict[str, str], list[str]]:
    """Each message id of ``locale`` with its file and line, and the problems seen."""
    where: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted((DIRECTORY / locale / "LC_MESSAGES").glob("*.po")):
        shown = path.relative_to(PACKAGE.parent.parent)
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
            at = f"{shown}:{message.lineno}"
            if key in where:
                problems.append(f"{at}: {key!r} is defined again (first at {where[key]})")
            where[key] = at
            strings = (
                message.string if isinstance(message.string, tuple | list) else [message.string]
            )
            if message.fuzzy:
                problems.append(f"{at}: {key!r} is marked fuzzy: check it and remove the flag")
            elif not all(strings):
                problems.append(f"{at}: {key!r} has no translation")
    return where, problems


def main() -> int:
    problems: list[str] = []
    ids = {}
    for locale in LOCALES:
        where, found = defined(locale)
        ids[locale] = where
        problems += found
    for locale in LOCALES:
        for other in LOCALES:
            for key in sorted(set(ids[other]) - set(ids[locale])):
                problems.append(f"{ids[other][key]}: {key!r} is missing in {locale}")
    for key, places in sorted(used().items()):
        for locale in LOCALES:
            if key not in ids[locale]:
                problems.append(f"{places[0]}: {key!r} is used but missing in {locale}")
    for problem in dict.fromkeys(problems):
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) in the catalogs\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
