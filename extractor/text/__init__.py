"""Text: the normalised string every offset points into, its sentences and sections."""
