"""The web layer between aiohttp and the provider kit: the request pipeline (pipeline.py) and one module per
step it runs (sessions, control_auth, guard, body, faults, observe, contract, respond)."""
