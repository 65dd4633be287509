"""Tests of the demonstration region in the web database."""
