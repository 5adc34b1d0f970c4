"""HCL's value model (after go-cty): types, values with unknowns and marks, numbers, conversion."""
