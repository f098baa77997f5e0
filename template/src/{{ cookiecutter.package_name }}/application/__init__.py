"""Use cases, the ports they need and the data they exchange; no web or database code."""
