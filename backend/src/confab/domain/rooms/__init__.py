"""Multi-person rooms: membership, room messages, read markers."""
