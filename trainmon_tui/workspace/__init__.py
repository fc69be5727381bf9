"""Many runs under one PARENT, each read by the one-run pipeline: finding them, their rows, their config."""
