"""The server core of the embedded Workfront, under both wings: the request and
reply, routing by table, the server-side errors, faults, redaction and the
work lock. It imports nothing of a wing."""
