"""The one rule for athlete ids, applied alike to inbox folders, `--athlete`, the roster and the
injury log, so that no spelling of a name can merge two people or split one.

An id is a name as a person types it, after Unicode NFC (macOS writes folder names decomposed:
`Zoe` + U+0308 is the `Zoë` typed on Linux), made of letters of any script, digits, `.`, `_`
and `-`, starting with a letter or digit, at most 64 characters. Refused: control, format
(zero-width, bidi overrides), private-use and unassigned characters, and any name whose NFKC
form differs (a fullwidth "z001" beside the ASCII one, ligatures, superscripts): look-alikes of
another id. The id is then safe as a folder name and inside a quoted table predicate.
"""

from __future__ import annotations

import re
import unicodedata

ATHLETE_ID = re.compile(r"^[^\W_][\w.-]{0,63}\Z")
"""The shape of an id once normalised (see `athlete_id`)."""

ATHLETE_ID_RULE = (
    "an athlete id is letters (any script), digits, '.', '_' and '-', starting with a letter "
    "or digit, at most 64 characters, with no invisible or look-alike characters"
)
"""The rule in words, for every message that refuses a name."""

_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


class AthleteIdError(ValueError):
    """A name that is not an athlete id; the message names it (escaped) and the reason."""


def athlete_id(name: str) -> str:
    """The athlete id that `name` spells (its NFC form), or AthleteIdError saying why not."""
    normal = unicodedata.normalize("NFC", name)
    reason = _broken_rule(normal)
    if reason:
        raise AthleteIdError(f"{shown(name)} is not an athlete id: {reason}; {ATHLETE_ID_RULE}")
    return normal


def is_athlete_id(name: str) -> bool:
    """Whether `name` is an athlete id exactly as written (already NFC)."""
    return unicodedata.is_normalized("NFC", name) and not _broken_rule(name)


def shown(name: str) -> str:
    """`name` quoted for a message, every character that does not print as itself spelt as
    an escape (a zero-width or no-break space, a bidi override would otherwise hide in,
    look like something else in, or reorder the line)."""
    visible = "".join(
        char if char.isprintable() or char == " " else f"\\u{ord(char):04x}" for char in name
    )
    return f"'{visible}'"


def _broken_rule(normal: str) -> str | None:
    """Why an NFC name is not an id, or None when it is one."""
    if any(unicodedata.category(char) in _INVISIBLE for char in normal):
        return "it holds an invisible, control or unassigned character"
    if unicodedata.normalize("NFKC", normal) != normal:
        return "it holds look-alike characters (its NFKC form differs)"
    if not ATHLETE_ID.match(normal):
        return "it is empty, too long, or holds a space or punctuation"
    return None
