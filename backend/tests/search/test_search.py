"""Searching messages over HTTP: the query language, folding, prefixes, edits and deletes, who finds what."""

from __future__ import annotations

import httpx
import pytest

from confab.domain.search import index
from tests.support.accounts import Account
from tests.support.changes import delete, edit
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room


async def search(http: httpx.AsyncClient, user: Account, q: str, **params: object) -> dict:
    response = await http.get("/api/search", headers=user.headers, params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def found_ids(http: httpx.AsyncClient, user: Account, q: str) -> list[int]:
    return [result["message"]["id"] for result in (await search(http, user, q))["results"]]


def marked(result: dict) -> list[str]:
    return [result["message"]["content"][start:end] for start, end in result["highlights"]]


@pytest.fixture
def word():
    """A word no other test uses, so each test sees only its own messages in a shared database."""
    import uuid

    return "w" + uuid.uuid4().hex[:10]


async def test_all_words_must_match_in_any_order_newest_first(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    both = await send_dm(http, alice, bob, f"{word} ships the release today")
    only_one = await send_dm(http, bob, alice, f"{word} is late")
    later = await send_dm(http, alice, bob, f"The RELEASE of {word}")
    assert await found_ids(http, alice, f"release {word}") == [later["id"], both["id"]]
    assert await found_ids(http, bob, word) == [later["id"], only_one["id"], both["id"]]
    page = await search(http, alice, f"release {word}")
    assert page["next"] is None
    assert marked(page["results"][0]) == ["RELEASE", word]
    assert page["results"][0]["message"] == later


async def test_accents_and_case_are_ignored_both_ways(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    cafe = await send_dm(http, alice, bob, f"Rendez-vous au Café {word}")
    plain = await send_dm(http, alice, bob, f"the CAFE {word} downstairs")
    for query in (f"cafe {word}", f"CAFÉ {word}", f"café {word.upper()}"):
        assert await found_ids(http, bob, query) == [plain["id"], cafe["id"]], query
    result = (await search(http, bob, f"cafe {word}"))["results"][1]
    assert marked(result) == ["Café", word]


async def test_words_are_found_by_prefix_and_only_by_prefix(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    deployment = await send_dm(http, alice, bob, f"{word} deployment finished")
    await send_dm(http, alice, bob, f"{word} redeploy later")
    result = (await search(http, alice, f"deploy {word}"))["results"]
    assert [r["message"]["id"] for r in result] == [deployment["id"]]
    assert marked(result[0]) == [word, "deployment"]
    assert await found_ids(http, alice, f"{word[:6]} finis") == [deployment["id"]]


async def test_a_phrase_matches_whole_words_in_order(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    exact = await send_dm(http, alice, bob, f"{word}: the Release Notes are out")
    await send_dm(http, alice, bob, f"{word}: notes about the release")
    await send_dm(http, alice, bob, f"{word}: release notebook")
    results = (await search(http, alice, f'"release notes" {word}'))["results"]
    assert [r["message"]["id"] for r in results] == [exact["id"]]
    assert marked(results[0]) == [word, "Release Notes"]
    # a word joined by punctuation is a phrase too, as the index splits it
    joined = await send_dm(http, alice, bob, f"see {word}-deploy notes")
    assert await found_ids(http, alice, f"{word}-deploy") == [joined["id"]]


async def test_minus_excludes_a_word_and_its_forms(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    kept = await send_dm(http, alice, bob, f"{word} production is fine")
    await send_dm(http, alice, bob, f"{word} staging is broken")
    staged = await send_dm(http, alice, bob, f"{word} staged rollout")
    assert await found_ids(http, alice, f"{word} -stag") == [kept["id"]]
    assert await found_ids(http, alice, f"{word} -staging -staged") == [kept["id"]]
    assert await found_ids(http, alice, f'{word} -"staging is"') == [staged["id"], kept["id"]]
    # with no word to find, only words to leave out
    assert await found_ids(http, alice, f"with:{bob.nickname} -stag") == [kept["id"]]


async def test_from_narrows_to_an_author(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    by_bob = await post_to_room(http, bob, room["id"], f"{word} from bob")
    by_bob_dm = await send_dm(http, bob, alice, f"{word} in private")
    await post_to_room(http, alice, room["id"], f"{word} from alice")
    assert await found_ids(http, alice, f"{word} from:{bob.nickname}") == [by_bob_dm["id"], by_bob["id"]]
    assert await found_ids(http, alice, f"{word} from:@{bob.nickname.upper()}") == [by_bob_dm["id"], by_bob["id"]]
    # an operator alone is a query: everything bob wrote that alice can read
    assert await found_ids(http, alice, f"from:{bob.nickname}") == [by_bob_dm["id"], by_bob["id"]]
    assert await found_ids(http, alice, f"{word} from:nobody-{word}") == []


@pytest.mark.parametrize(
    ("named_counted", "checked_one_by_one"),
    [(1000, 1000), (1000, 1), (1, 1000)],
    ids=["each-message-checked", "more-readable-than-checked", "more-named-than-counted"],
)
async def test_a_named_person_or_room_finds_the_same_however_many_messages_they_have(
    server, http, make_user, word, monkeypatch, named_counted, checked_one_by_one
):
    """A named person's or room's few messages are each checked against the index; many are found through
    the index first (SQLite): the answers and pages are the same either way."""
    monkeypatch.setattr(index, "NAMED_COUNTED", named_counted)
    monkeypatch.setattr(index, "CHECKED_ONE_BY_ONE", checked_one_by_one)
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, name=f"Room {word}", members=[bob])
    other = await create_room(http, alice, members=[bob])
    found = [
        await post_to_room(http, bob, room["id"], f"{word} alpha one"),
        await send_dm(http, bob, alice, f"{word} alpha two"),
        await post_to_room(http, bob, room["id"], f"{word} alpha three"),
    ]
    await post_to_room(http, bob, room["id"], f"{word} beta")
    await post_to_room(http, alice, room["id"], f"{word} alpha by alice")
    in_other = await post_to_room(http, bob, other["id"], f"{word} alpha elsewhere")
    newest_first = [message["id"] for message in reversed(found)]
    assert await found_ids(http, alice, f"{word} alph from:{bob.nickname} -elsewhere") == newest_first
    assert await found_ids(http, alice, f"alpha {word} from:{bob.nickname}") == [in_other["id"], *newest_first]
    assert await found_ids(http, alice, f'{word} "alpha" in:#{room["id"]} from:{bob.nickname}') == [
        found[2]["id"],
        found[0]["id"],
    ]
    assert await found_ids(http, alice, f"{word} alpha with:{bob.nickname}") == [found[1]["id"]]
    first = await search(http, alice, f"{word} alpha from:{bob.nickname}", limit=2)
    assert [result["message"]["id"] for result in first["results"]] == [in_other["id"], found[2]["id"]]
    rest = await search(http, alice, f"{word} alpha from:{bob.nickname}", limit=2, before=first["next"])
    assert [result["message"]["id"] for result in rest["results"]] == [found[1]["id"], found[0]["id"]]
    assert rest["next"] is None


async def test_with_narrows_to_my_dms_with_someone(server, http, make_user, word):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    with_bob = [await send_dm(http, alice, bob, f"{word} 1"), await send_dm(http, bob, alice, f"{word} 2")]
    await send_dm(http, alice, carol, f"{word} 3")
    await post_to_room(http, bob, room["id"], f"{word} 4")
    assert await found_ids(http, alice, f"{word} with:{bob.nickname}") == [m["id"] for m in reversed(with_bob)]
    # carol cannot use with: to read bob and alice's conversation
    assert await found_ids(http, carol, f"{word} with:{bob.nickname}") == []


async def test_in_narrows_to_a_room_by_name_or_id(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    general = await create_room(http, alice, name=f"General {word}", members=[bob])
    random = await create_room(http, alice, name="random", members=[bob])
    in_general = await post_to_room(http, bob, general["id"], f"{word} here")
    in_random = await post_to_room(http, bob, random["id"], f"{word} there")
    await send_dm(http, bob, alice, f"{word} dm")
    assert await found_ids(http, alice, f'{word} in:"general {word}"') == [in_general["id"]]
    assert await found_ids(http, alice, f"{word} in:#{random['id']}") == [in_random["id"]]
    both = f"{word} in:#{random['id']} in:#{general['id']}"
    assert await found_ids(http, alice, both) == [in_random["id"], in_general["id"]]
    assert await found_ids(http, alice, f"{word} in:nowhere-{word}") == []


async def test_before_and_after_are_whole_utc_days_both_exclusive(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, f"{word} dated")
    day = sent["date"][:10]
    assert await found_ids(http, alice, f"{word} after:2000-01-01") == [sent["id"]]
    assert await found_ids(http, alice, f"{word} before:2999-12-31") == [sent["id"]]
    assert await found_ids(http, alice, f"{word} after:{day}") == []
    assert await found_ids(http, alice, f"{word} before:{day}") == []
    assert await found_ids(http, alice, f"{word} before:2000-01-01") == []


async def test_has_link_keeps_messages_with_a_link(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    linked = await send_dm(http, alice, bob, f"{word} see https://example.com/notes")
    await send_dm(http, alice, bob, f"{word} no link here")
    assert await found_ids(http, alice, f"{word} has:link") == [linked["id"]]
    # a link in the query is text to find, not an operator
    assert await found_ids(http, alice, "https://example.com/notes") == [linked["id"]]


async def test_an_edit_is_found_by_its_new_words_only_and_a_deleted_message_never(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, f"{word} original wording")
    await edit(http, alice, sent["id"], f"{word} corrected text")
    assert await found_ids(http, bob, f"{word} original") == []
    results = (await search(http, bob, f"{word} corrected"))["results"]
    assert [r["message"]["content"] for r in results] == [f"{word} corrected text"]
    assert results[0]["message"]["edited_at"] is not None
    await delete(http, alice, sent["id"])
    assert await found_ids(http, bob, word) == []
    assert await found_ids(http, alice, f"from:{alice.nickname}") == []


async def test_only_my_dms_and_rooms_i_am_in_now(server, http, make_user, word):
    alice, bob, carol, outsider = [await make_user() for _ in range(4)]
    room = await create_room(http, alice, name=f"team {word}", members=[bob, carol])
    in_room = await post_to_room(http, alice, room["id"], f"{word} room secret")
    dm = await send_dm(http, alice, bob, f"{word} dm secret")
    # someone else's DM: carol is in the room but not in alice and bob's conversation
    assert await found_ids(http, carol, word) == [in_room["id"]]
    # a non-member finds nothing, by word, by room name, by room id or by author
    for query in (word, f"in:#{room['id']}", f'in:"team {word}"', f"from:{alice.nickname}", f"with:{alice.nickname}"):
        assert (await search(http, outsider, query)) == {"results": [], "next": None}, query
    # a removed member no longer finds the room's messages, not even their own
    own = await post_to_room(http, carol, room["id"], f"{word} mine")
    assert await found_ids(http, carol, word) == [own["id"], in_room["id"]]
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{carol.id}", headers=alice.headers)
    assert removed.status_code == 204
    assert await found_ids(http, carol, word) == []
    assert await found_ids(http, carol, f"in:#{room['id']}") == []
    assert await found_ids(http, bob, word) == [own["id"], dm["id"], in_room["id"]]


async def test_a_room_that_does_not_exist_and_one_i_am_not_in_answer_alike(server, http, make_user, word):
    alice, outsider = await make_user(), await make_user()
    room = await create_room(http, alice, name=f"hidden {word}")
    await post_to_room(http, alice, room["id"], f"{word} hidden")
    not_mine = await http.get("/api/search", headers=outsider.headers, params={"q": f"in:#{room['id']}"})
    missing = await http.get("/api/search", headers=outsider.headers, params={"q": "in:#999999999"})
    assert (not_mine.status_code, not_mine.content) == (missing.status_code, missing.content)


async def test_pages_follow_the_next_cursor(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    sent = [await send_dm(http, alice, bob, f"{word} number {index}") for index in range(5)]
    first = await search(http, alice, word, limit=2)
    second = await search(http, alice, word, limit=2, before=first["next"])
    third = await search(http, alice, word, limit=2, before=second["next"])
    pages = [first, second, third]
    assert [[r["message"]["id"] for r in page["results"]] for page in pages] == [
        [sent[4]["id"], sent[3]["id"]],
        [sent[2]["id"], sent[1]["id"]],
        [sent[0]["id"]],
    ]
    assert third["next"] is None
    assert len((await search(http, alice, word))["results"]) == 5


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("form:bob hello", "unknown operator form:"),
        ("hello has:file", "has:file"),
        ("after:2026-13-01", "after:2026-13-01"),
        ("before:yesterday", "before:yesterday"),
        ("in:#abc", "in:#abc"),
        ("-from:bob", "from: cannot be negated"),
        ("from:", "from: needs a value"),
        ('"..."', "no letters or digits"),
        (" ".join(f"w{index}" for index in range(21)), "too many words"),
    ],
)
async def test_a_bad_query_is_a_400_that_names_the_problem(server, http, make_user, query, named):
    alice = await make_user()
    response = await http.get("/api/search", headers=alice.headers, params={"q": query})
    assert response.status_code == 400, response.text
    assert named in response.json()["detail"]


async def test_bad_parameters_and_no_token(server, http, make_user):
    alice = await make_user()
    for params in ({}, {"q": "x", "limit": 0}, {"q": "x", "limit": 101}, {"q": "x", "before": 0}, {"q": "x" * 501}):
        response = await http.get("/api/search", headers=alice.headers, params=params)
        assert response.status_code == 400, params
    assert (await http.get("/api/search", params={"q": "x"})).status_code == 401


async def test_a_quoted_word_is_matched_whole_not_by_prefix(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    whole = await send_dm(http, alice, bob, f"{word} deploy now")
    await send_dm(http, alice, bob, f"{word} deployment later")
    results = (await search(http, alice, f'{word} "Deploy"'))["results"]
    assert [r["message"]["id"] for r in results] == [whole["id"]]
    assert marked(results[0]) == [word, "deploy"]


async def test_letters_without_a_separate_accent_are_found_as_typed(server, http, make_user, word):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, f"{word} Große Straße in Łódź")
    for query in (f"{word} straße", f"{word} GROẞE", f"{word} łódź", f"{word} łodz"):
        assert await found_ids(http, bob, query) == [sent["id"]], query
