"""The dashboard: static HTML, CSS and JavaScript under static/, served at /_emulator/ui/ by `routes.mount`.

The page is a client of the public endpoints only (the control API and each provider's own routes); nothing
here reaches into the engine."""
