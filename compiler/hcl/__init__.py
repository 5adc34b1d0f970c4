"""HCL native syntax: scanner, Lark-driven parser, syntax tree and formatter."""
