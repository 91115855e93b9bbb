"""Data: the built-in synthetic scenes and safe loading and validation."""
