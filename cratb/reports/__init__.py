"""The CRAtb's annual activity report: sections of figures computed by the pages' own code,
an editable text per section with its versions, validation by the coordination that
freezes the document, exports (PDF, DOCX, ODT). See docs/reports.md."""
