"""cardiac."""
