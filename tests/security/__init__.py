"""Adversarial tests: each tries to cross a boundary and asserts it was refused and nothing changed."""
