"""Experiment configs: `get_config(arg)` files run by `python -m train --config`.

Every file's docstring holds the exact command; `:quick` shrinks a config to a
seconds-long CPU run. Shared defaults and the argument parser are in `common`.
"""
