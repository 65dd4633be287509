"""Expert advice requests, events and on-call rota."""
