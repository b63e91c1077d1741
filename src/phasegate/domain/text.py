"""Text from outside (*tekst utenfra*): what phasegate accepts as text, and how it tidies
what people plainly meant.

Every string that enters from outside passes through :func:`tidy`: the JSON API and the
forms, the forms behind email links included (``web/params.py``), imported tables
(``portfolio/table.py``), workflow and wheel files (``workflow/yamlnodes.py``), and the
command line (``commands.py``). It is pure: no I/O, no exceptions, one answer.

**Tidied, because the person meant text.**
- A line break inside a one-line field (Word's manual line break ``\\v``, a page break
  ``\\f``, a pasted ``\\n``, ``\\r\\n`` or tab, U+2028/U+2029/U+0085) becomes one space.
- In a field of several lines, every kind of line break becomes ``\\n``; tabs stay.
- Text is put in Unicode NFC, so "ø" typed on a Mac and on Windows is the same name.

**Refused, because it is not text.** Each refusal names the first bad character:
- half of a character: a lone UTF-16 surrogate, what JavaScript makes of an emoji cut
  in two (``"\\ud83d"``);
- NUL, and the other C0 and C1 control characters and DEL;
- Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two of each plane),
  which no file format can hold.

Right-to-left marks, zero-width joiners and every other assigned or private character are
text and pass through.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

#: What an error message may show of a value: this many characters at most.
SHOWN = 80


class Fault(StrEnum):
    """Why a string is not text (codes for the API and the pages)."""

    SURROGATE = "text_surrogate"  # half of a character (a lone UTF-16 surrogate)
    NUL = "text_nul"  # the NUL character
    CONTROL = "text_control"  # another control character
    NONCHARACTER = "text_noncharacter"  # a Unicode noncharacter


@dataclass(frozen=True)
class Tidied:
    """The outcome of :func:`tidy`: the text to keep, or why there is none."""

    text: str
    fault: Fault | None = None
    at: int = -1  # the index of the first refused character in the original value
    char: str = ""  # that character, as ``U+0000``
    changed: bool = False  # line breaks or tabs were turned into spaces or newlines

    @property
    def ok(self) -> bool:
        return self.fault is None


# Line breaks people type or paste: \r\n first, so it counts as one.
_BREAKS = r"\r\n|[\n\r\v\f\x85\u2028\u2029]"
_ONE_LINE_BREAKS = re.compile(rf"(?:{_BREAKS}|\t)+")
_LINE_BREAKS = re.compile(_BREAKS)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Not text: C0 controls (other than the breaks and tab tidied above), DEL, C1 controls,
# lone surrogates and noncharacters.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)


def tidy(value: str, *, lines: bool = False) -> Tidied:
    """``value`` as phasegate keeps it. ``lines``: the field holds several lines (a
    description, a comment); otherwise every line break becomes a space."""
    if value.isprintable():  # the common case: no control, break, surrogate or the like
        return Tidied(value if value.isascii() else unicodedata.normalize("NFC", value))
    bad = _NOT_TEXT.search(value)
    if bad is not None:
        char = bad.group()
        return Tidied("", _fault_of(char), bad.start(), f"U+{ord(char):04X}")
    text = _LINE_BREAKS.sub("\n", value) if lines else _ONE_LINE_BREAKS.sub(" ", value)
    changed = text != value
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return Tidied(text, changed=changed)


def _fault_of(char: str) -> Fault:
    code = ord(char)
    if code == 0:
        return Fault.NUL
    if 0xD800 <= code <= 0xDFFF:
        return Fault.SURROGATE
    if code < 0xA0:
        return Fault.CONTROL
    return Fault.NONCHARACTER


def shown(value: object, limit: int = SHOWN) -> str:
    """``value`` made safe to repeat in an error message, a log line or a page: every
    character that is not text becomes U+FFFD, and a long value is cut with "…".
    Whatever came in, the result encodes as UTF-8."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _NOT_TEXT.sub("\ufffd", text)


def legible(value: str) -> str:
    """Stored text as a reader should see it in one line (a spreadsheet cell): line breaks
    and tabs become one space, as :func:`tidy` makes them; control characters are dropped;
    half characters and noncharacters become U+FFFD. For the exports, which must show
    whatever the database holds (text that came in before this rule, or by other tools)
    rather than refuse it; the result is safe for any file format."""
    return _NOT_TEXT.sub(_stand_in, _ONE_LINE_BREAKS.sub(" ", value))


def _stand_in(found: re.Match[str]) -> str:
    # A control character never showed as anything; a lost half character or a
    # noncharacter stood for a letter, so the reader should see that one is missing.
    return "" if ord(found.group()) < 0xA0 else "\ufffd"


def encodable(text: str) -> str:
    """``text`` with any lone surrogate (half a character) made U+FFFD, so that it encodes
    as UTF-8; nothing else changes. For whole messages and documents that may hold a value
    somewhere inside (an error reply, the audit trail as JSON)."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


#: The API's and the command line's words for each fault; the pages have theirs in
#: ``web/i18n.py`` under the same codes.
REASONS: dict[Fault, str] = {
    Fault.SURROGATE: "contains half of a character ({char}, at position {at}): an emoji or "
    "other character was cut in two; type or paste it again",
    Fault.NUL: "contains the NUL character ({char}, at position {at}), which is not text",
    Fault.CONTROL: "contains a control character ({char}, at position {at}), which is not "
    "text; retype the value or paste it as plain text",
    Fault.NONCHARACTER: "contains {char} (at position {at}), which is not a character",
}


def reason(tidied: Tidied) -> str:
    """Why ``tidied`` was refused, in English, naming the character and where it is
    (counting from 1). Empty when it was not refused."""
    if tidied.fault is None:
        return ""
    return REASONS[tidied.fault].format(char=tidied.char, at=tidied.at + 1)
