"""Pure computation core: no Django imports, usable from the CLI and from tests on its own."""
