"""Start Webhook Sandbox: `python run.py` (same as `python run.py serve`); `--help` lists commands."""

from sandbox.cli import main

if __name__ == "__main__":
    main()
