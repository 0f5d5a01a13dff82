"""The instance's settings: names in either case, anything else refused naming the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from federation.settings import Settings
from graph import Zone


def test_the_zone_and_the_log_level_are_read_in_either_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MULU_ZONE", "extranet")
    monkeypatch.setenv("MULU_LOG_LEVEL", "warning")
    settings = Settings()
    assert settings.zone is Zone.EXTRANET
    assert settings.log_level == "WARNING"
    assert Settings(zone="Intranet").zone is Zone.INTRANET  # type: ignore[arg-type]


def test_the_store_and_the_log_are_read_in_either_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULU_STORE", "Neo4j")
    monkeypatch.setenv("MULU_LOG", "KAFKA")
    settings = Settings()
    assert (settings.store, settings.log) == ("neo4j", "kafka")


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("MULU_ZONE", "internet", "'INTRANET' or 'EXTRANET'"),
        ("MULU_STORE", "postgres", "'embedded' or 'neo4j'"),
        ("MULU_LOG_LEVEL", "verbose", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
    ],
)
def test_another_name_is_refused_naming_the_field_and_what_is_accepted(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, accepted: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert name.removeprefix("MULU_").lower() in message
    assert accepted in message
