"""Packer template tests: shapes found in public Packer configurations, run through the `bake` CLI."""
