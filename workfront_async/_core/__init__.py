"""The core shared by the classic and the Planning wings: the request model,
argument checks, auth, the transport (sender, retries, redaction, the
name-to-node table), limiters, errors, dates and secrets. It imports neither
wing."""
