"""The people directory: public fields only, 404s for unknown and huge ids."""

from __future__ import annotations


async def test_me_includes_my_email(http, make_user):
    alice = await make_user()
    me = await http.get("/api/me", headers=alice.headers)
    assert me.json() == {
        "id": alice.id,
        "name": alice.name,
        "nickname": alice.nickname,
        "email": alice.email,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }


async def test_people_list_shows_no_email_and_no_hash(http, make_user):
    alice = await make_user()
    bob = await make_user()
    response = await http.get("/api/users", headers=alice.headers)
    assert response.status_code == 200
    people = {person["id"]: person for person in response.json()}
    assert people[bob.id]["nickname"] == bob.nickname
    assert set(people[bob.id]) == {
        "id",
        "name",
        "nickname",
        "status",
        "avatar_url",
        "deleted",
        "online",
        "unread",
        "mentions_unread",
    }
    assert bob.email not in response.text
    assert "argon2" not in response.text


async def test_show_person(http, make_user):
    alice = await make_user()
    bob = await make_user()
    response = await http.get(f"/api/users/{bob.id}", headers=alice.headers)
    assert response.json() == {
        "id": bob.id,
        "name": bob.name,
        "nickname": bob.nickname,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }


async def test_unknown_and_huge_ids_are_404_or_400_never_500(http, make_user):
    alice = await make_user()
    assert (await http.get("/api/users/1000000000000", headers=alice.headers)).status_code == 404
    assert (await http.get("/api/users/9223372036854775807", headers=alice.headers)).status_code == 404
    assert (await http.get("/api/users/9223372036854775808", headers=alice.headers)).status_code == 400
    assert (await http.get("/api/users/0", headers=alice.headers)).status_code == 400
    assert (await http.get("/api/users/abc", headers=alice.headers)).status_code in (400, 404)
