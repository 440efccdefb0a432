"""oncology."""
