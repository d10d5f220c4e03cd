"""The declarative base every confab model derives from: 64-bit ids from the database's IDENTITY."""

from advanced_alchemy.base import IdentityBase

__all__ = ("IdentityBase",)
