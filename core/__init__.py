"""Shared building blocks: money, the clock, domain errors. The standard library and msgspec only."""
