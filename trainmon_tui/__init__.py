"""trainmon-tui: watch a Hugging Face Trainer run from a terminal."""

__version__ = "0.1.0"
