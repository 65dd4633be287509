"""Guidelines and documents, care pathways per infection (docs/guidelines.md)."""
