"""The `confab` command-line client: the public HTTP API and Socket.IO, nothing else."""
