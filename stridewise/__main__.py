from stridewise.cli import app

app(prog_name="stridewise")
