"""Article revisions: finding stored claims again in a corrected body."""
