"""genomics."""
