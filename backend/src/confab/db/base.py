"""The declarative base every confab model derives from: 64-bit ids from the database's IDENTITY."""

from advanced_alchemy.base import DefaultBase, IdentityBase

__all__ = ("DefaultBase", "IdentityBase")
