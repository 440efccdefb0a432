"""Synthetic colorectal cancer cohort (placeholder)."""
CRC_GENES = ["APC", "TP53", "KRAS", "PIK3CA", "SMAD4", "BRAF", "NRAS", "FBXW7", "POLE"]
