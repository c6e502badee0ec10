"""scripts/faults: fault injection across real zwermd processes (docs/RELIABILITY.md)."""
