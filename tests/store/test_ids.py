"""The one athlete-id rule (`store.ids`): each case written out by hand."""

from __future__ import annotations

import pytest

from stridewise.store.ids import AthleteIdError, athlete_id, is_athlete_id, shown


@pytest.mark.parametrize(
    "name",
    ["z001", "Zoë", "Łukasz", "anna.muller", "b-2_x", "Ζωή", "a" * 64],
)
def test_ids_as_people_type_them_are_ids(name: str) -> None:
    assert athlete_id(name) == name and is_athlete_id(name)


def test_a_decomposed_name_is_the_composed_id() -> None:
    decomposed = "Zoe\u0308"  # as macOS writes a folder name
    assert athlete_id(decomposed) == "Zo\u00eb" and not is_athlete_id(decomposed)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Anna Müller", "space or punctuation"),
        (" trailing ", "space or punctuation"),
        ("semi;colon", "space or punctuation"),
        (".hidden", "space or punctuation"),
        ("", "empty"),
        ("a" * 65, "too long"),
        ("b001\u200b", "invisible"),  # zero-width space
        ("ab\u202ecd", "invisible"),  # right-to-left override
        ("z\x00", "invisible"),
        ("\uff5a\uff10\uff10\uff11", "look-alike"),  # fullwidth z001
        ("\ufb01ona", "look-alike"),  # the fi ligature
        ("x\u00b2", "look-alike"),  # superscript two
    ],
)
def test_names_that_break_the_rule_are_refused_with_why(name: str, reason: str) -> None:
    with pytest.raises(AthleteIdError, match=reason) as refused:
        athlete_id(name)
    assert not is_athlete_id(name)
    assert "\n" not in str(refused.value)


def test_messages_spell_what_does_not_print_as_itself() -> None:
    assert shown("b001\u200b") == "'b001\\u200b'"
    assert shown("z\u00a0001") == "'z\\u00a0001'"  # a no-break space is not a space
    assert shown("ab\u202ecd") == "'ab\\u202ecd'"
    assert shown("Zoë Müller") == "'Zoë Müller'"
