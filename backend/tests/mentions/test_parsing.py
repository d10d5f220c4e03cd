"""What counts as a mention in a text, before anyone is looked up."""

from __future__ import annotations

import pytest

from confab.domain.mentions.parsing import MAX_NAMES, find_mentions

PEOPLE = {"bob": 2, "bob.": 3, "carol_": 4, "dave-x": 5, "eve": 6}


def names(content: str) -> set[int]:
    return find_mentions(content).resolve(PEOPLE)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("@bob hi", {2}),
        ("hi @bob", {2}),
        ("(@bob)", {2}),
        ("@BoB, look", {2}),
        ("hey @bob's idea", {2}),
        ("@bob. and @eve!", {3, 6}),  # a nickname with the dot exists: it wins
        ("ask @eve.", {6}),  # no `eve.`: the sentence's full stop is not part of the name
        ("@carol_ and @dave-x", {4, 5}),
        ("@bob@eve", set()),
        ("write to bob@example.com", set()),
        ("mail @bob@example.com", set()),
        ("x@bob", set()),
        ("café@bob", set()),
        ("https://example.com/@bob", set()),
        ("@@bob", set()),
        ("@bobby", set()),
        ("@bob-é", set()),
        ("@nobody", set()),
        ("no at sign at all", set()),
    ],
)
def test_a_mention_stands_alone_and_ignores_case(content, expected):
    assert names(content) == expected


@pytest.mark.parametrize("content", ["@room", "hello @ROOM!", "@room.", "(@Room)"])
def test_at_room_is_found_in_any_case(content):
    assert find_mentions(content).room


@pytest.mark.parametrize("content", ["@roomy", "x@room", "@room@example.com", "room"])
def test_at_room_only_alone(content):
    assert not find_mentions(content).room


def test_a_message_names_a_bounded_number_of_people():
    crowded = " ".join(f"@person{i}" for i in range(MAX_NAMES + 10))
    assert len(find_mentions(crowded).names) == MAX_NAMES
