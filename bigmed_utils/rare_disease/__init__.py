"""rare_disease."""
