"""Builders bake can run, one module per builder type."""
