"""Sessions: one per issued token, which their owner can list and end (here or everywhere else)."""
