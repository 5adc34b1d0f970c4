"""Tests of Packer's function library, one module per kind."""
