"""Lark grammar files, shipped as package data."""
