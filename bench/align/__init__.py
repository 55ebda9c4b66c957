"""Alignment benchmark: generated pairs with gold groupings, strict/lax F1, and speed."""
