"""`python -m sim` is the same CLI as the `vraem` console script."""

from sim.cli.main import main

if __name__ == "__main__":
    main()
