"""The pure compiler: HCL syntax, evaluation, Packer decoding and planning."""
