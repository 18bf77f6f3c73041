"""Replay what was captured: pywb (its own environment, as a subprocess), and replay QA at
desktop and phone size."""
