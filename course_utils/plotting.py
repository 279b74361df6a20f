"""Figure helpers shared by the book pages (filled in by the chapters; each helper says which section uses it)."""
