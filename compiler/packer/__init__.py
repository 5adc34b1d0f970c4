"""Packer's language on top of HCL: template folders, variables, locals, sources and builds."""

# The Packer version bake is compatible with: `packer.version`, and what required_version is checked against.
PACKER_COMPAT_VERSION = "1.11.2"
