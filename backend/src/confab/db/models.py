"""Imports every model so that Alembic and the app see the complete metadata."""

from confab.domain.accounts.models import UserModel
from confab.domain.messages.models import MessageModel

__all__ = ("MessageModel", "UserModel")
