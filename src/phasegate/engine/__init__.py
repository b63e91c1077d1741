"""The operations: one transaction each, the handler table, and the views the pages read."""
