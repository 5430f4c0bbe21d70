from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="portaudit")  # usage and errors say "portaudit", not "python -m portaudit"
