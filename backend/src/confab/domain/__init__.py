"""confab's features, one package per domain."""
