"""bake: build machine images from Packer HCL2 templates as a compiler would."""

__version__ = "0.1.0"
