"""Muscles a therapist has chosen to palpate for a pain drawing ("to palpate" list)."""
