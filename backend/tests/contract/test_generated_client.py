"""A third-party client: openapi-python-client generates a Python package from the committed openapi.json
(offline, warnings are failures), and the unchanged package signs up, logs in, sends, reads and uses a room
against the live server. A vague or wrong contract breaks generation, parsing or the status checks."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import LiveServer
from tests.support.accounts import PASSWORD, unique_nickname

PACKAGE = "confab_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    workdir = tmp_path_factory.mktemp("generated-client")
    config = workdir / "config.yaml"
    config.write_text("post_hooks: []\n")
    contract = Path(__file__).resolve().parents[3] / "openapi.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(contract),
            "--meta",
            "none",
            "--output-path",
            str(workdir / PACKAGE),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"openapi-python-client refused openapi.json:\n{result.stdout}\n{result.stderr}"
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def part(package: ModuleType, name: str) -> ModuleType:
    return importlib.import_module(f"{package.__name__}.{name}")


async def sign_up(package: ModuleType, client: object, nickname: str) -> object:
    models = part(package, "models")
    sign_up_operation = part(package, "api.accounts.api_users_sign_up")
    body = models.UserCreate(
        name=f"Person {nickname}", email=f"{nickname}@example.com", nickname=nickname, password=PASSWORD
    )
    response = await sign_up_operation.asyncio_detailed(client=client, body=body)
    assert response.status_code == 201
    assert isinstance(response.parsed, models.User)
    assert response.parsed.nickname == nickname
    return response.parsed


async def test_the_generated_client_drives_sign_up_login_messages_and_rooms(
    generated: ModuleType, server: LiveServer
) -> None:
    models = part(generated, "models")
    accounts = part(generated, "api.accounts.api_auth_token_log_in")
    send_direct = part(generated, "api.messages.api_messages_send_direct")
    my_history = part(generated, "api.messages.api_messages_my_history")
    create_room = part(generated, "api.rooms.api_rooms_create_room")
    post_message = part(generated, "api.rooms.api_rooms_room_id_messages_post_message")
    room_history = part(generated, "api.rooms.api_rooms_room_id_messages_room_history")

    anonymous = generated.Client(base_url=server.url, raise_on_unexpected_status=True)
    alice_nickname = unique_nickname("gen")
    alice = await sign_up(generated, anonymous, alice_nickname)
    bob = await sign_up(generated, anonymous, unique_nickname("gen"))

    duplicate = await part(generated, "api.accounts.api_users_sign_up").asyncio_detailed(
        client=anonymous,
        body=models.UserCreate(name="Again", email="again@example.com", nickname=alice_nickname, password=PASSWORD),
    )
    assert duplicate.status_code == 409
    assert isinstance(duplicate.parsed, models.ErrorBody)

    token = await accounts.asyncio(
        client=anonymous, body=models.Credentials(nickname=alice_nickname, password=PASSWORD)
    )
    assert isinstance(token, models.AccessToken)
    assert token.user.id == alice.id
    wrong = await accounts.asyncio_detailed(
        client=anonymous, body=models.Credentials(nickname=alice_nickname, password="nope")
    )
    assert wrong.status_code == 401
    assert isinstance(wrong.parsed, models.ErrorBody)

    client = generated.AuthenticatedClient(
        base_url=server.url, token=token.access_token, raise_on_unexpected_status=True
    )
    sent = await send_direct.asyncio_detailed(
        client=client, body=models.MessageCreate(recipient_id=bob.id, content="généré <b>", client_id="generated-1")
    )
    assert sent.status_code == 201
    message = sent.parsed
    assert isinstance(message, models.Message)
    assert (message.content, message.author.id, message.recipient.id) == ("généré <b>", alice.id, bob.id)
    assert message.date.tzinfo is not None

    again = await send_direct.asyncio_detailed(
        client=client, body=models.MessageCreate(recipient_id=bob.id, content="généré <b>", client_id="generated-1")
    )
    assert again.status_code == 200
    assert again.parsed.id == message.id

    history = await my_history.asyncio(client=client, with_=bob.id, limit=10)
    assert [item.id for item in history] == [message.id]
    empty = await my_history.asyncio(client=client, with_=bob.id, after=message.id)
    assert empty == []

    invalid = await send_direct.asyncio_detailed(
        client=client, body=models.MessageCreate(recipient_id=bob.id, content=" ")
    )
    assert invalid.status_code == 400
    assert isinstance(invalid.parsed, models.ErrorBody)
    assert "content" in invalid.parsed.detail

    room = await create_room.asyncio(client=client, body=models.RoomCreate(name="generated", member_ids=[bob.id]))
    assert isinstance(room, models.Room)
    assert {member.id for member in room.members} == {alice.id, bob.id}
    posted = await post_message.asyncio_detailed(
        room.id, client=client, body=models.RoomMessageCreate(content="hello room")
    )
    assert posted.status_code == 201
    assert posted.parsed.room_id == room.id
    page = await room_history.asyncio(room.id, client=client)
    assert [item.content for item in page] == ["hello room"]


async def test_the_generated_client_edits_reacts_deletes_and_catches_up(
    generated: ModuleType, server: LiveServer
) -> None:
    models = part(generated, "models")
    send_direct = part(generated, "api.messages.api_messages_send_direct")
    edit = part(generated, "api.messages.api_messages_message_id_edit_message")
    delete = part(generated, "api.messages.api_messages_message_id_delete_message")
    add_reaction = part(generated, "api.messages.api_messages_message_id_reactions_emoji_add_reaction")
    remove_reaction = part(generated, "api.messages.api_messages_message_id_reactions_emoji_remove_reaction")
    changes = part(generated, "api.messages.api_changes_changes")

    anonymous = generated.Client(base_url=server.url, raise_on_unexpected_status=True)
    alice_nickname = unique_nickname("gen")
    await sign_up(generated, anonymous, alice_nickname)
    bob = await sign_up(generated, anonymous, unique_nickname("gen"))
    token = await part(generated, "api.accounts.api_auth_token_log_in").asyncio(
        client=anonymous, body=models.Credentials(nickname=alice_nickname, password=PASSWORD)
    )
    client = generated.AuthenticatedClient(
        base_url=server.url, token=token.access_token, raise_on_unexpected_status=True
    )
    sent = await send_direct.asyncio(client=client, body=models.MessageCreate(recipient_id=bob.id, content="typo"))

    edited = await edit.asyncio(sent.id, client=client, body=models.MessageEdit(content="fixed"))
    assert isinstance(edited, models.Message)
    assert (edited.content, edited.seq > sent.seq) == ("fixed", True)
    assert edited.edited_at.tzinfo is not None

    reacted = await add_reaction.asyncio(sent.id, "🎉", client=client)
    assert [(r.emoji, r.count, r.user_ids) for r in reacted.reactions] == [("🎉", 1, [token.user.id])]
    refused = await add_reaction.asyncio_detailed(sent.id, "party", client=client)
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.ErrorBody)
    removed = await remove_reaction.asyncio(sent.id, "🎉", client=client)
    assert removed.reactions == []

    assert (await delete.asyncio_detailed(sent.id, client=client)).status_code == 204
    conflict = await edit.asyncio_detailed(sent.id, client=client, body=models.MessageEdit(content="back"))
    assert conflict.status_code == 409
    assert isinstance(conflict.parsed, models.ErrorBody)

    caught_up = await changes.asyncio(client=client, since=sent.seq - 1, limit=10)
    assert [(m.id, m.deleted, m.content) for m in caught_up] == [(sent.id, True, "")]
