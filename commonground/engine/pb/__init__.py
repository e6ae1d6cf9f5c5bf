"""Participatory budgeting: elections as NumPy arrays, the pabulib format, and the rules."""
