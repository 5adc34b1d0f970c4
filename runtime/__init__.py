"""The impure runtime that applies plan files; it never imports the compiler."""
