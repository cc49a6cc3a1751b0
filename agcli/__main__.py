"""`python -m agcli ...`: the same command as `agcli ...`, for an environment whose scripts are not on PATH."""
from .cli.main import main

main()
