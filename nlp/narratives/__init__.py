"""Narratives: a taxonomy of market stories and which sentences speak to them (pure: no DB/HTTP)."""
