"""Fuzzing every parser and officer form (issue 19): bounded by the `fuzz` Hypothesis settings."""
