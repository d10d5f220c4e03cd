"""The people directory: `GET /api/users` with `q`, `limit`, `cursor` and `conversations=true`.

The test database is shared by the whole session, so every test names its people after a random tag of
letters that no other test uses, and searches for that tag.
"""

from __future__ import annotations

import base64
import json
import random
import unicodedata

import pytest

from tests.support.accounts import unique_nickname
from tests.support.messages import send_dm
from tests.support.sockets import RecordingClient

# Letters that hex digits (the other tests' nicknames) never contain, so a tag never prefixes them.
TAG_LETTERS = "ghijklmnopqrstvwxyz"


def forged_cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def new_tag() -> str:
    return "".join(random.choices(TAG_LETTERS, k=10))


async def search(http, viewer, query, **parameters):
    response = await http.get("/api/users", params={"q": query, **parameters}, headers=viewer.headers)
    assert response.status_code == 200, response.text
    return response


def nicknames(response) -> list[str]:
    return [person["nickname"] for person in response.json()]


async def test_no_parameters_still_answer_everybody_in_one_list(http, make_user):
    alice, bob = await make_user(), await make_user()
    response = await http.get("/api/users", headers=alice.headers)
    assert response.status_code == 200
    assert "X-Next-Cursor" not in response.headers
    people = response.json()
    assert [person["id"] for person in people] == sorted(person["id"] for person in people)
    assert {alice.id, bob.id} <= {person["id"] for person in people}
    count = await http.get("/api/users", params={"limit": 200}, headers=alice.headers)
    assert len(people) >= len(count.json())


async def test_exact_nickname_then_nickname_prefixes_then_names(http, make_user):
    tag = new_tag()
    exact = await make_user(nickname=tag, name="Zed Alpha")
    longer = await make_user(nickname=tag + "b", name="Someone")
    by_name = await make_user(name=f"{tag.capitalize()} Díaz")
    by_word = await make_user(name=f"Mary {tag.upper()}son")
    await make_user(nickname="x" + tag, name=f"Nobody x{tag}")  # the tag inside a word is no match
    found = await search(http, exact, tag)
    assert nicknames(found) == [exact.nickname, longer.nickname, by_name.nickname, by_word.nickname]
    assert "X-Next-Cursor" not in found.headers


async def test_a_nickname_prefix_outranks_a_name_equal_to_the_query(http, make_user):
    tag = new_tag()
    named_exactly = await make_user(name=tag)
    nickname_prefix = await make_user(nickname=tag + "zz", name="Unrelated")
    found = nicknames(await search(http, named_exactly, tag))
    assert found == [nickname_prefix.nickname, named_exactly.nickname]


async def test_case_accents_and_punctuation_do_not_count(http, make_user):
    tag = new_tag()
    jose = await make_user(nickname=unique_nickname(), name=f"José {tag}Díaz")
    lukasz = await make_user(name=f"Łukasz {tag}Żółć")
    jean = await make_user(name=f"Jean-{tag}luc O'Brien")
    viewer = await make_user()
    for query in (f"{tag}diaz", f"{tag.upper()}DÍAZ", unicodedata.normalize("NFD", f"{tag}Díaz"), f"{tag}dia"):
        assert nicknames(await search(http, viewer, query)) == [jose.nickname], query
    assert nicknames(await search(http, viewer, f"{tag}zolc")) == [lukasz.nickname]
    assert nicknames(await search(http, viewer, f"jean {tag}")) == [jean.nickname]
    assert nicknames(await search(http, viewer, f"{tag}luc o'b")) == [jean.nickname]
    assert nicknames(await search(http, viewer, f"{tag}luc-o b")) == [jean.nickname]
    assert nicknames(await search(http, viewer, f"{tag}luc obrien")) == []
    nickname_only = await make_user(nickname=f"{tag}.Mixed_Case")
    assert nicknames(await search(http, viewer, f"{tag.upper()}.MIX")) == [nickname_only.nickname]


async def test_jose_finds_jose_diaz_from_the_start_of_the_name(http, make_user):
    tag = new_tag()
    jose = await make_user(name=f"{tag.capitalize()}José Díaz")
    for query in (f"{tag}jose", f"{tag}jose d", f"{tag}JOSÉ DÍAZ"):
        assert nicknames(await search(http, jose, query)) == [jose.nickname], query


async def test_someone_matching_several_ways_is_listed_once(http, make_user):
    tag = new_tag()
    twice_in_name = await make_user(name=f"{tag} {tag}son {tag}")
    name_and_nickname = await make_user(nickname=tag + "nick", name=f"{tag.capitalize()} Again")
    found = nicknames(await search(http, twice_in_name, tag))
    assert found == [name_and_nickname.nickname, twice_in_name.nickname]


async def test_pages_follow_the_cursor_across_nicknames_and_names(http, make_user):
    tag = new_tag()
    by_nickname = [await make_user(nickname=f"{tag}{letter}") for letter in "abc"]
    by_name = [await make_user(name=f"Person {tag}{letter}") for letter in "abc"]
    expected = [account.nickname for account in by_nickname + by_name]
    assert nicknames(await search(http, by_name[0], tag)) == expected
    pages, cursor = [], None
    while True:
        parameters = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await search(http, by_name[0], tag, **parameters)
        pages.append(nicknames(response))
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert pages == [expected[0:2], expected[2:4], expected[4:6]]
    one_by_one = await search(http, by_name[0], tag, limit=5)
    assert nicknames(one_by_one) == expected[:5]
    last = await search(http, by_name[0], tag, limit=5, cursor=one_by_one.headers["X-Next-Cursor"])
    assert nicknames(last) == expected[5:]
    assert "X-Next-Cursor" not in last.headers


async def test_the_whole_directory_pages_by_id(http, make_user):
    alice = await make_user()
    first = await http.get("/api/users", params={"limit": 2}, headers=alice.headers)
    assert first.status_code == 200 and len(first.json()) == 2
    second = await http.get(
        "/api/users", params={"limit": 2, "cursor": first.headers["X-Next-Cursor"]}, headers=alice.headers
    )
    ids = [person["id"] for person in first.json() + second.json()]
    everybody = [person["id"] for person in (await http.get("/api/users", headers=alice.headers)).json()]
    assert ids == everybody[:4]


async def test_entries_keep_presence_and_unread_counts(server, http, make_user):
    tag = new_tag()
    alice = await make_user()
    bob = await make_user(nickname=tag + "bob")
    await send_dm(http, bob, alice, "hello")
    await send_dm(http, bob, alice, "still there?")
    found = (await search(http, alice, tag)).json()
    assert found == [
        {
            "id": bob.id,
            "name": bob.name,
            "nickname": bob.nickname,
            "status": "",
            "avatar_url": None,
            "deleted": False,
            "online": False,
            "unread": 2,
            "mentions_unread": 0,
        }
    ]
    socket = await RecordingClient().connect(server.url, bob.token)
    try:
        assert (await search(http, alice, tag)).json()[0]["online"] is True
    finally:
        await socket.disconnect()


async def test_conversations_lists_my_dm_peers_most_recent_first(http, make_user):
    alice, bob, carol, dave, stranger = [await make_user() for _ in range(5)]
    await send_dm(http, alice, bob, "one")
    await send_dm(http, carol, alice, "two")
    await send_dm(http, alice, dave, "three")
    await send_dm(http, stranger, bob, "not alice's business")

    async def conversations(**parameters):
        response = await http.get("/api/users", params={"conversations": "true", **parameters}, headers=alice.headers)
        assert response.status_code == 200, response.text
        return response

    listed = (await conversations()).json()
    assert [person["id"] for person in listed] == [dave.id, carol.id, bob.id]
    assert [person["unread"] for person in listed] == [0, 1, 0]
    first = await conversations(limit=2)
    assert [person["id"] for person in first.json()] == [dave.id, carol.id]
    rest = await conversations(limit=2, cursor=first.headers["X-Next-Cursor"])
    assert [person["id"] for person in rest.json()] == [bob.id]
    assert "X-Next-Cursor" not in rest.headers
    await send_dm(http, bob, alice, "back to the top")
    assert [person["id"] for person in (await conversations()).json()] == [bob.id, dave.id, carol.id]
    lonely = await http.get("/api/users", params={"conversations": "true"}, headers=stranger.headers)
    assert [person["id"] for person in lonely.json()] == [bob.id]


@pytest.mark.parametrize(
    ("parameters", "key"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "a\x01b"}, "q"),
        ({"q": "\u0301"}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "al", "conversations": "true"}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"conversations": "perhaps"}, "conversations"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": "WyJzZWFyY2giXQ"}, "cursor"),  # a search cursor, given to the whole list
        ({"cursor": forged_cursor("all", 2**70)}, "cursor"),
        ({"q": "al", "cursor": forged_cursor("search", 1, 0, "a\u0000", "al")}, "cursor"),
        ({"conversations": "true", "cursor": forged_cursor("conversations", 0, 0, "", "", -1)}, "cursor"),
    ],
)
async def test_bad_parameters_are_400_with_a_detail(http, make_user, parameters, key):
    alice = await make_user()
    response = await http.get("/api/users", params=parameters, headers=alice.headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 400
    assert key in body["detail"]


async def test_a_cursor_only_continues_the_search_it_came_from(http, make_user):
    tag = new_tag()
    for letter in "ab":
        await make_user(nickname=tag + letter)
    viewer = await make_user()
    first = await search(http, viewer, tag, limit=1)
    response = await http.get(
        "/api/users",
        params={"q": tag + "a", "limit": 1, "cursor": first.headers["X-Next-Cursor"]},
        headers=viewer.headers,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "cursor: is not the next-page cursor of this listing"


async def test_the_directory_needs_a_token(http):
    assert (await http.get("/api/users", params={"q": "al"})).status_code == 401
