"""Bringing a portfolio in from a spreadsheet (CSV or Excel)."""
