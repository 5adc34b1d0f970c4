"""Communicators: how commands and files reach the machine being built."""
