"""The facturatie module's work: tariffs, the month's proposal, finalising, documents, payments."""
