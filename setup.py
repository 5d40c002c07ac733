"""The package list for setuptools (everything else is in pyproject.toml).

The JSON Schemas stay at the top of the tree, in schemas/, as the single source: a package-dir mapping makes
that folder the package `emulator.schemas`, so the wheel, the sdist and an editable install all carry the
schemas where the code looks for them (importlib.resources), with no copy step. pyproject's `packages.find`
cannot list a package that lives outside its parent's folder, hence this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["emulator", "emulator.*"]), "emulator.schemas"],
    package_dir={"emulator.schemas": "schemas"},
)
