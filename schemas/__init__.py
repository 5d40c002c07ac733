"""The JSON Schemas of every provider and of the control API, installed as the package `emulator.schemas`
(setup.py maps this folder). Named `<provider>/<file stem>`; read through importlib.resources."""
