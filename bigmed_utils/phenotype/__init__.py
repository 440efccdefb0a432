"""phenotype."""
