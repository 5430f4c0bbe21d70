from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "tests" / "fixtures" / "ios" / "bin"
SRC = ROOT / "tests" / "fixtures" / "ios" / "src"
