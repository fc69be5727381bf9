"""Reading what the Trainer wrote: the state model, JSON decoding, columns, the block reader, discovery."""
