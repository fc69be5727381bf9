"""Live sources: the live-log schema and follower, TensorBoard events, merging, progress, the folder watch."""
