"""Profile rules: changing one's name, email and status, the avatar, and closing an account for good.

Who sees a profile change (`user_updated`): the user's own sockets, everyone they have a DM conversation with
(any DM, sent or received, however old), and the current members of every room they are in; the same people
who are shown their presence. Everyone else reads the new profile when they next load it. Every change is
committed before it is pushed, and every worker's profile cache forgets the old one on the way
(`confab.domain.accounts.profiles`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from confab.db.types import utc_now
from confab.domain.accounts.directory import NAME
from confab.domain.accounts.models import EMAIL_INDEX, DirectoryKeyModel, UserModel
from confab.domain.accounts.passwords import Passwords
from confab.domain.accounts.schemas import User, to_public_user, to_user
from confab.domain.accounts.service import directory_keys_of
from confab.domain.files.models import FileModel
from confab.domain.messages.service import MessageService
from confab.domain.profiles.schemas import ProfileChange
from confab.domain.rooms.models import DirectReadMarkerModel
from confab.domain.rooms.service import RoomService
from confab.domain.sessions.models import SessionModel
from confab.domain.threads.models import ThreadFollowModel
from confab.errors import BadRequest, Conflict, Forbidden, NotFound
from confab.realtime.channels import room_channel, user_channel

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub

DELETED_NAME = "Deleted user"


def deleted_nickname(user_id: int) -> str:
    """A closed account's nickname, and the stand-in for its email (no "@": it can never match a sign-up)."""
    return f"deleted-{user_id}"


class ProfileService(SQLAlchemyAsyncRepositoryService[UserModel]):
    """Changes to the caller's own account; REST handlers (and the CLI through them) call these."""

    class Repo(SQLAlchemyAsyncRepository[UserModel]):
        model_type = UserModel

    repository_type = Repo

    def __init__(self, passwords: Passwords, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.passwords = passwords
        self.hub = hub

    async def viewers(self, user_id: int, nickname: str) -> list[str]:
        """The channels of everyone who sees the user's profile change: see the module docstring."""
        session = self.repository.session
        correspondents = await MessageService(session=session, hub=self.hub).correspondents(user_id)
        room_ids = await RoomService(session=session, hub=self.hub).room_ids_of(user_id)
        return (
            [user_channel(nickname)]
            + [user_channel(peer) for peer in correspondents]
            + [room_channel(room_id) for room_id in room_ids]
        )

    async def _open_account(self, user_id: int) -> UserModel:
        user = await self.repository.get_one_or_none(id=user_id)
        if user is None or user.deleted_at is not None:
            raise NotFound("this account is closed")
        return user

    async def _publish(self, user: UserModel) -> User:
        """After the commit: tell everyone who sees the user (every worker forgets its cached profile)."""
        account = to_user(user, self.hub.file_links)
        channels = await self.viewers(user.id, user.nickname)
        await self.repository.session.rollback()  # no transaction stays open while the event goes out
        await self.hub.user_updated(to_public_user(account), channels)
        return account

    async def update_profile(self, user_id: int, change: ProfileChange) -> User:
        """Change the given fields in one transaction; a new email needs the current password. Then push."""
        session = self.repository.session
        user = await self._open_account(user_id)
        if change.email is not None and change.email != user.email:
            if change.current_password is None:
                raise BadRequest("current_password: needed to change the email address")
            if not await self.passwords.verify(user.password_hash, change.current_password):
                raise Forbidden("the current password is wrong")
            user.email = change.email
        public_before = (user.name, user.status)
        if change.status is not None:
            user.status = change.status
        try:  # a taken email fails at the first flush: the name's key update below, or the commit
            if change.name is not None and change.name != user.name:
                user.name = change.name
                await session.execute(
                    delete(DirectoryKeyModel).where(
                        DirectoryKeyModel.user_id == user.id, DirectoryKeyModel.kind == NAME
                    )
                )
                session.add_all(key for key in directory_keys_of(user) if key.kind == NAME)
            await session.commit()
        except IntegrityError as error:
            await session.rollback()
            if EMAIL_INDEX in f"{error} {error.__cause__}" or "users.email" in f"{error} {error.__cause__}":
                raise Conflict("that email address is already registered") from error
            raise
        if (user.name, user.status) != public_before:
            return await self._publish(user)
        return to_user(user, self.hub.file_links)

    async def set_avatar(self, user_id: int, file_id: int) -> User:
        """Make one of the caller's unsent image uploads their avatar; the previous avatar's file is deleted."""
        session = self.repository.session
        user = await self._open_account(user_id)
        upload = await session.scalar(
            select(FileModel).where(FileModel.id == file_id, FileModel.owner_id == user_id).with_for_update()
        )
        if upload is None:
            raise NotFound(f"no file with id {file_id}")
        if user.avatar_file_id == file_id:
            return to_user(user, self.hub.file_links)
        if upload.message_id is not None:
            raise Conflict(f"file {file_id} was sent in a message; upload the image again to use it as an avatar")
        if upload.thumbnail_key is None:
            raise BadRequest(f"file_id: file {file_id} is not an image (PNG, JPEG, GIF or WebP)")
        previous = user.avatar_file_id
        user.avatar_file_id = file_id
        keys = await self._delete_files(previous)
        await session.commit()
        await self.hub.file_storage.delete(keys)
        return await self._publish(user)

    async def remove_avatar(self, user_id: int) -> None:
        """Remove the avatar and delete its file; removing none changes nothing."""
        session = self.repository.session
        user = await self._open_account(user_id)
        if user.avatar_file_id is None:
            return
        keys = await self._delete_files(user.avatar_file_id)
        user.avatar_file_id = None
        await session.commit()
        await self.hub.file_storage.delete(keys)
        await self._publish(user)

    async def _delete_files(self, file_id: int | None = None, *, unsent_of: int | None = None) -> list[str]:
        """Delete one file row, or every unsent upload of a user, in the caller's transaction; the storage keys."""
        if file_id is None and unsent_of is None:
            return []
        statement = delete(FileModel).returning(FileModel.storage_key, FileModel.thumbnail_key)
        if file_id is not None:
            statement = statement.where(FileModel.id == file_id, FileModel.message_id.is_(None))
        else:
            statement = statement.where(FileModel.owner_id == unsent_of, FileModel.message_id.is_(None))
        rows = (await self.repository.session.execute(statement)).all()
        return [key for row in rows for key in (row.storage_key, row.thumbnail_key) if key]

    async def close_account(self, user_id: int, password: str) -> None:
        """Close the account for good, in one transaction, then end its sockets and tell everyone concerned.

        Erased: name, nickname, email, password hash, status, avatar, directory entries, sessions (with the
        addresses and devices they recorded), read markers, thread follows and unsent uploads. The user leaves
        every room (owned rooms pass to their longest-standing remaining member). Kept: the messages they sent,
        their files and reactions, so other people's histories stay whole, under "Deleted user".
        """
        session = self.repository.session
        user = await self._open_account(user_id)
        if not await self.passwords.verify(user.password_hash, password):
            raise Forbidden("the password is wrong")
        old_nickname = user.nickname
        channels = (await self.viewers(user.id, old_nickname))[1:]  # not their own: those sockets are closed
        rooms = RoomService(session=session, hub=self.hub)
        room_ids = await rooms.leave_all(user.id)
        user.name = DELETED_NAME
        user.nickname = deleted_nickname(user.id)
        user.email = deleted_nickname(user.id)
        user.password_hash = ""
        user.status = ""
        user.avatar_file_id = None
        user.token_generation += 1
        user.deleted_at = utc_now()
        for model in (DirectoryKeyModel, SessionModel, DirectReadMarkerModel, ThreadFollowModel):
            await session.execute(delete(model).where(model.user_id == user.id))
        keys = await self._delete_files(unsent_of=user.id)
        try:
            await session.commit()
        except IntegrityError as error:  # only an account made before names like deleted-<id> were kept
            await session.rollback()
            raise Conflict("this account cannot be closed automatically: ask the server's operator") from error
        tombstone = to_public_user(user, self.hub.file_links)
        self.hub.profiles.forget(user.id)
        await self.hub.end_sessions(user_channel(old_nickname), reason="account closed")
        await rooms.announce_departures(room_ids, user.id, old_nickname)
        await session.rollback()
        await self.hub.user_updated(tombstone, channels)
        await self.hub.file_storage.delete(keys)
