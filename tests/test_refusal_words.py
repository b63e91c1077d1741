"""Every refusal has its own wording, in bokmål, nynorsk and English.

The table is the code itself: every error class (``phasegate.errors`` and the web's own),
each with its reasons and their particulars, and every problem code the domain gives
(``phasegate.domain.problems.PROBLEMS``). A sentence must read whole in each language:
not empty, not the bare key, taken from that language's own catalog, naming only
particulars the refusal carries, and with every one of them filled in. And no raise in the
source may use a reason or particulars the table does not have.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import phasegate
import phasegate.web.app
from phasegate.domain.problems import PROBLEMS, Param, Problem
from phasegate.errors import PhasegateError, say_problem
from phasegate.i18n import LOCALES, Locale, message
from phasegate.i18n.catalog import read_table

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ZONE = ZoneInfo("Europe/Oslo")
MOMENTS = {"at", "expired_at", "submitted_at"}
NUMBERS = {"count", "limit", "length", "version", "amount", "tolerance"}
LISTS = {
    "choices",
    "deciders",
    "dimensions",
    "gates",
    "known",
    "languages",
    "people",
    "phases",
    "roles",
    "states",
    "statuses",
    "types",
    "unknown",
}


def error_classes(root: type[PhasegateError] = PhasegateError) -> Iterator[type[PhasegateError]]:
    yield root
    for sub in root.__subclasses__():
        yield from error_classes(sub)


#: Every message key of every error, with the particulars it takes.
ERROR_KEYS: dict[str, frozenset[str]] = {
    key: params for cls in error_classes() for key, params in cls.keys().items()
}


def sample(name: str) -> Param:
    """A particular of the kind its name says, so the sentence reads as a person sees it."""
    if name in MOMENTS and name != "at":
        return datetime(2026, 5, 17, 11, 0, tzinfo=UTC)
    if name in NUMBERS:
        return 3
    if name in LISTS:
        return ["BP1", "BP2"]
    return f"«{name}»"


def samples(params: frozenset[str], key: str) -> dict[str, Param]:
    # "at" is a moment for a decision, a position in a text for a refusal of a character
    moment = key.startswith("error.already_decided")
    return {
        n: datetime(2026, 5, 17, 11, 0, tzinfo=UTC) if n == "at" and moment else sample(n)
        for n in params
    }


def problems_with_words(
    found: list[str], key: str, raw: str, said: str, params: frozenset[str]
) -> None:
    named = set(PLACEHOLDER.findall(raw.replace("%%", "")))
    if not said.strip():
        found.append(f"{key}: empty")
    if said.strip() in (key, key.split(".", 1)[1]):
        found.append(f"{key}: the bare key")
    if named - params:
        found.append(f"{key}: names {sorted(named - params)}, which it does not carry")
    if "%(" in said:
        found.append(f"{key}: a placeholder left in {said!r}")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_error_says_what_happened_in_every_language(locale: Locale) -> None:
    own = read_table(locale)
    found: list[str] = []
    for key, params in sorted(ERROR_KEYS.items()):
        entry = f"error.{key}"
        if entry not in own:
            found.append(f"{entry}: not in the {locale} catalog")
            continue
        said = message(locale, key, samples(params, entry), ZONE)
        problems_with_words(found, entry, str(own[entry]), said, params)
    assert found == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_problem_the_domain_gives_has_words_in_every_language(locale: Locale) -> None:
    own = read_table(locale)
    found: list[str] = []
    for code, params in sorted(PROBLEMS.items()):
        entry = f"problem.{code}"
        if entry not in own:
            found.append(f"{entry}: not in the {locale} catalog")
            continue
        said = say_problem(Problem(code, "field", samples(params, entry)), locale, ZONE)
        problems_with_words(found, entry, str(own[entry]), said, params)
    assert found == []


def test_the_catalogs_hold_no_words_for_refusals_that_no_longer_exist() -> None:
    known = {f"error.{key}" for key in ERROR_KEYS} | {f"problem.{code}" for code in PROBLEMS}
    for locale in LOCALES:
        refusals = {key for key in read_table(locale) if key.startswith(("error.", "problem."))}
        assert refusals - known == set(), locale


def test_the_words_differ_by_language_and_times_are_written_the_readers_way() -> None:
    at = datetime(2026, 5, 17, 11, 0, tzinfo=UTC)
    params: dict[str, Param] = {"by": "Per Lie", "at": at, "outcome": "approve"}
    said = {locale: message(locale, "already_decided.approve", params, ZONE) for locale in LOCALES}

    assert (
        said["nb"] == "Allerede godkjent av Per Lie 17. mai 2026 kl. 13.00. Ingenting ble endret."
    )
    assert (
        said["nn"] == "Allereie godkjent av Per Lie 17. mai 2026 kl. 13.00. Ingenting vart endra."
    )
    assert said["en"].startswith("Already decided by Per Lie on 17 May 2026 at 13:00")


# --- the source raises only what the table has -----------------------------------------------


def raises_in_source() -> Iterator[tuple[str, int, str, str | None, frozenset[str]]]:
    """Every construction of an error or a problem in the package: where, what, the reason
    or code when it is written out, and the particulars given by name."""
    errors = {cls.__name__ for cls in error_classes()}
    root = Path(phasegate.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            owner = getattr(getattr(node.func, "value", None), "id", None)
            if name == "of" and owner == "Problem":
                name = "Problem"
            elif name not in errors:
                continue
            given = frozenset(
                k.arg for k in node.keywords if k.arg not in (None, "field", "problems")
            )
            yield f"{path.relative_to(root)}", node.lineno, name, _reason(node), given


def _reason(call: ast.Call) -> str | None:
    """The reason or code as written: "" for none given, None when it is computed (as
    ``f"name_{fault}"``). A sentence, even a formatted one, is returned as it is written,
    which no table has."""
    if not call.args:
        return ""
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr):
        written = "".join(p.value for p in first.values if isinstance(p, ast.Constant))
        return written if " " in written else None
    return None


def test_every_raise_in_the_source_uses_a_reason_and_particulars_that_have_words() -> None:
    by_name = {cls.__name__: cls for cls in error_classes()}
    found: list[str] = []
    checked = 0
    for where, line, name, literal, given in raises_in_source():
        if name == "Problem":
            known, key = dict(PROBLEMS), literal
        else:
            cls = by_name[name]
            if cls.__init__ is not PhasegateError.__init__:
                continue  # its own signature builds the particulars (AlreadyDecided, ...)
            known = cls.keys()
            key = None if literal is None else f"{cls.code}.{literal}" if literal else cls.code
        checked += 1
        if isinstance(key, str):
            if key not in known or known[key] != given:
                found.append(f"{where}:{line}: {name} {key} with {sorted(given)}")
        elif not any(params == given for params in known.values()):
            found.append(f"{where}:{line}: {name} with {sorted(given)} matches no reason")
    assert found == []
    assert checked > 100  # the walk found the raises


def test_every_error_declares_the_status_the_web_answers_with() -> None:
    statuses = {cls.__name__: cls.status for cls in error_classes()}

    assert all(400 <= status < 600 for status in statuses.values()), statuses
    assert (statuses["NotSignedIn"], statuses["NotPermitted"], statuses["NotFound"]) == (
        401,
        403,
        404,
    )
    assert statuses["ReportInvalid"] == statuses["IncompleteGateRequest"] == 422
    # one base, one status: a subclass of two answers as it says, not as its bases happen to
    assert statuses["OutboxMessageNotFound"] == statuses["WebhookNotFound"] == 404
