from net import serve
serve("0.0.0.0", 8000)
