"""Socket.IO: the live channel next to the REST API."""
