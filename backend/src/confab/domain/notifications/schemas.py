"""Notification request, response and event bodies."""

from __future__ import annotations

from typing import Literal

from confab.domain.messages.schemas import Message
from confab.schemas import Schema

NotificationLevel = Literal["all", "mentions", "none"]
Reason = Literal["mention", "dm", "room"]


class NotificationSetting(Schema):
    """How a room alerts its member: `all` messages, only `mentions` of them, or `none` (unread still counts)."""

    level: NotificationLevel


class Notification(Schema):
    """The `notify` socket event: a message that should alert the receiving user, and why."""

    message: Message
    reason: Reason
