"""Grouped fits: one family fitted per group, batched."""
