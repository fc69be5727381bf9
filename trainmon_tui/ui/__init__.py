"""The Textual dashboard: the app, its screens, widgets, messages and layout (app.tcss)."""
