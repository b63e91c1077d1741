"""What the web layer accepts from outside: ids the database can hold, and text.

Row ids are PostgreSQL ``integer`` columns: an id beyond them names nothing. It is refused
before any query instead of overflowing inside one: the API answers 422, and a page 404
(``web/app.py`` tells them apart).

Every string from a request body (JSON or a form) is one of the two text types, which
apply ``phasegate.domain.text``'s one rule: ``Line`` for a one-line field (a Word line break or
a pasted newline becomes a space) and ``Lines`` for a field of several lines. A value that
is not text (half an emoji, NUL, a control character) is refused with the field's name
and the character's position, never repeated back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from phasegate.domain.text import Tidied, reason, tidy
from phasegate.i18n import Locale

MAX_ROW_ID = 2**31 - 1  # PostgreSQL integer
#: The longest description or comment: a page and a half, as the forms allow.
TEXT_LENGTH = 4000

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id")]
#: An id in the query, which may be left out (``?person=12``).
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="a row id")]
FormId = Annotated[int, Form(ge=1, le=MAX_ROW_ID)]
PersonRef = Annotated[int, Field(ge=1, le=MAX_ROW_ID, description="a person's id")]
Version = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many items, at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="How many items to skip.")]

#: ``?lang=``: a page in bokmål, nynorsk or English (anything else is refused).
Lang = Annotated[Locale | None, Query()]


def _one_line(value: str) -> str:
    return _accepted(value, lines=False)


def _several_lines(value: str) -> str:
    return _accepted(value, lines=True)


def _accepted(value: str, *, lines: bool) -> str:
    tidied = tidy(value, lines=lines)
    if tidied.fault is not None:
        # The code is the fault's; the message names the character, never the value.
        raise PydanticCustomError(str(tidied.fault), "{reason}", _context(tidied))
    return tidied.text


def _context(tidied: Tidied) -> dict[str, str | int]:
    """What a refusal tells the pages' words (``field_text_*``): the character and where."""
    return {"reason": reason(tidied), "char": tidied.char, "at": tidied.at + 1}


#: One line of text: a name, a title, an address.
Line = Annotated[str, AfterValidator(_one_line)]
#: Text of several lines: a description, a comment.
Lines = Annotated[str, AfterValidator(_several_lines)]


async def form_text(request: Request, lines: Callable[[str], bool]) -> dict[str, str]:
    """The posted form's text fields (a file field is nobody's text), each tidied by the
    one text rule; ``lines`` says which fields hold several lines. For a form whose fields
    are not declared one by one. Any field that is not text is refused, all of them at
    once, as :class:`RequestValidationError` naming each (a declared field's answer)."""
    posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    tidied = {name: tidy(value, lines=lines(name)) for name, value in posted.items()}
    faults = [
        {"type": str(t.fault), "loc": ("body", name), "msg": reason(t), "ctx": _context(t)}
        for name, t in tidied.items()
        if t.fault is not None
    ]
    if faults:
        raise RequestValidationError(faults)
    return {name: t.text for name, t in tidied.items()}
