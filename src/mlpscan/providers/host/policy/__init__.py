"""Derivations that judge parsed host data (what a stack enforces, which context is weakest)."""
