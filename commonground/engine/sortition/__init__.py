"""Sortition: fair selection of citizens' assemblies and residents' panels (no Django)."""
