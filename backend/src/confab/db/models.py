"""Imports every model so that Alembic and the app see the complete metadata."""

from confab.domain.accounts.models import DirectoryKeyModel, UserModel
from confab.domain.files.models import FileModel
from confab.domain.mentions.models import MentionModel
from confab.domain.messages.models import MessageModel
from confab.domain.reactions.models import ReactionModel
from confab.domain.rooms.models import DirectReadMarkerModel, RoomMembershipModel, RoomModel
from confab.domain.sessions.models import SessionModel
from confab.domain.threads.models import ThreadFollowModel

__all__ = (
    "DirectReadMarkerModel",
    "DirectoryKeyModel",
    "FileModel",
    "MentionModel",
    "MessageModel",
    "ReactionModel",
    "RoomMembershipModel",
    "RoomModel",
    "SessionModel",
    "ThreadFollowModel",
    "UserModel",
)
