"""The web application: server-rendered pages over the engine."""
