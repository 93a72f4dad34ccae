"""The coach-editable rules file: the shipped one is valid; each kind of mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise.models.rules import DEFAULT_RULES, RulesError, load_rules


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_RULES.read_text()
    assert old in text
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_the_shipped_rules_load() -> None:
    rules = load_rules()
    assert rules.tiers.of(0.0) == "low"
    assert rules.tiers.of(rules.tiers.moderate) == "moderate"
    assert rules.tiers.of(rules.tiers.high) == "high"
    assert set(rules.rest) == {"low", "moderate", "high"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("high = 0.007", "high = 0.004", "tiers: Value error, high must be above moderate"),
        ("moderate = 0.005", "moderate = 'often'", "tiers.moderate: Input should be a valid"),
        ("days_off = 2", "days_of = 2", "days_off: Field required; rest.high.days_of: Extra"),
        ("[rest.low]", "[rest.lowish]", "rest.lowish: Input should be 'low', 'moderate' or"),
        ('evidence = ["warmup"]', 'evidence = ["warmpu"]', "evidence 'warmpu' is used but not"),
        ("increase_pct = 5", "increase_pct = 15", "cadence.increase_pct: Input should be less"),
        ("minutes = [10, 15]", "minutes = [15, 10]", "minutes must be [low, high]"),
        ("[strength]", "[strenght]", "strength: Field required"),
        (
            "at most {km:.0f} km (your longest",
            "at most {kms:.0f} km (your longest",
            "actions.spike: unknown placeholder {kms} (allowed: km, longest)",
        ),
        ("margin = 1.5", "margin = 0.5", "pattern.margin: Input should be greater than or equal"),
        ("[returning.phases.walk]", "[returning.phases.jog]", "returning.phases.jog: Input"),
    ],
)
def test_a_mistake_is_one_line_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = edited(tmp_path, old, new)
    with pytest.raises(RulesError) as error:
        load_rules(path)
    text = str(error.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_a_file_that_is_not_toml_or_not_there(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("[tiers\nmoderate = 0.1\n")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(bad)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
